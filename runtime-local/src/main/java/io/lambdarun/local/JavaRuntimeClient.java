package io.lambdarun.local;

import io.lambdarun.api.RuntimeUnavailableException;
import java.io.IOException;
import java.io.InputStream;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.CodeSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * AWS's Java runtime interface client ({@code
 * com.amazonaws:aws-lambda-java-runtime-interface-client}) and its dependencies, found where this
 * JVM loads them from (each one's code source), so that a plain class path and a shaded jar both
 * work. Its classes are never initialized here: the client's static initializer changes JVM-wide
 * security properties.
 *
 * @param classPath the jars (or folders) holding the client and its dependencies, each once
 */
record JavaRuntimeClient(List<Path> classPath) {

  /** The client's main class; its argument is the handler. */
  static final String MAIN_CLASS = "com.amazonaws.services.lambda.runtime.api.client.AWSLambda";

  /** The system property naming the client's JNI library instead of one it unpacks to /tmp. */
  static final String NATIVE_LIBRARY_PROPERTY =
      "com.amazonaws.services.lambda.runtime.api.client.runtimeapi.NativeClient.JNI";

  /** One class of each jar the client needs at run time. */
  private static final List<String> MARKERS =
      List.of(
          MAIN_CLASS,
          "com.amazonaws.services.lambda.runtime.Context",
          "com.amazonaws.services.lambda.runtime.serialization.PojoSerializer",
          "software.amazon.awssdk.utilslite.SdkInternalThreadLocal");

  private static final String NATIVE_LIBRARY_FILE = "libaws-lambda-jni.so";

  /**
   * Finds the client and its dependencies on this JVM's class path.
   *
   * @return the client
   * @throws RuntimeUnavailableException if one of them is missing or not loaded from a file
   */
  static JavaRuntimeClient locate() {
    List<Path> classPath = new ArrayList<>();
    for (String marker : MARKERS) {
      Path location = location(load(marker));
      if (!classPath.contains(location)) {
        classPath.add(location);
      }
    }
    return new JavaRuntimeClient(List.copyOf(classPath));
  }

  /**
   * Writes the client's JNI library for this machine's platform to a folder, so that each JVM
   * loads it from there rather than from a shared {@code /tmp/.libaws-lambda-jni.so}, which
   * concurrent JVMs would overwrite under each other (and another user's copy would block).
   *
   * @param folder the folder to write to
   * @return the library's path, for {@link #NATIVE_LIBRARY_PROPERTY}
   * @throws RuntimeUnavailableException if the client has no library for this platform
   * @throws IOException if writing fails
   */
  Path writeNativeLibrary(Path folder) throws IOException {
    String name = nativeLibraryName(System.getProperty("os.arch"), isMusl());
    Path target = folder.resolve(NATIVE_LIBRARY_FILE);
    try (InputStream library = load(MAIN_CLASS).getResourceAsStream("/jni/" + name)) {
      if (library == null) {
        throw new RuntimeUnavailableException(
            "AWS's Java runtime interface client holds no JNI library '"
                + name
                + "' for this platform; run java* functions on a container backend such as"
                + " 'docker'");
      }
      Files.copy(library, target, StandardCopyOption.REPLACE_EXISTING);
    }
    return target;
  }

  /**
   * Names the client's JNI library for a platform.
   *
   * @param osArch the {@code os.arch} property, e.g. {@code amd64} or {@code aarch64}
   * @param musl whether the C library is musl rather than glibc
   * @return e.g. {@code libaws-lambda-jni.linux-x86_64.so}
   */
  static String nativeLibraryName(String osArch, boolean musl) {
    String arch = osArch.toLowerCase(Locale.ROOT);
    String cpu = arch.equals("aarch64") || arch.equals("arm64") ? "aarch_64" : "x86_64";
    return "libaws-lambda-jni.linux" + (musl ? "_musl-" : "-") + cpu + ".so";
  }

  private static boolean isMusl() {
    try (var entries = Files.list(Path.of("/lib"))) {
      return entries.anyMatch(file -> file.getFileName().toString().startsWith("ld-musl-"));
    } catch (IOException e) {
      return false;
    }
  }

  private static Class<?> load(String name) {
    try {
      return Class.forName(name, false, JavaRuntimeClient.class.getClassLoader());
    } catch (ClassNotFoundException | LinkageError e) {
      throw new RuntimeUnavailableException(
          "AWS's Java runtime interface client is incomplete on lambdarun's class path (class '"
              + name
              + "' is missing); add com.amazonaws:aws-lambda-java-runtime-interface-client and its"
              + " dependencies next to runtime-local");
    }
  }

  private static Path location(Class<?> type) {
    CodeSource source = type.getProtectionDomain().getCodeSource();
    URL url = source == null ? null : source.getLocation();
    try {
      if (url != null && url.getProtocol().equals("file")) {
        return Path.of(url.toURI());
      }
    } catch (URISyntaxException | IllegalArgumentException e) {
      // reported below
    }
    throw new RuntimeUnavailableException(
        "class '"
            + type.getName()
            + "' of AWS's Java runtime interface client was not loaded from a file ("
            + url
            + "); put its jar on lambdarun's class path as a file");
  }
}
