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
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.jar.Attributes;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.regex.Pattern;
import java.util.zip.Deflater;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

/**
 * AWS's Java runtime interface client ({@code
 * com.amazonaws:aws-lambda-java-runtime-interface-client}) and its dependencies, found where this
 * JVM loads them from (each one's code source), so that a plain class path and a shaded jar both
 * work. Its classes are never initialized here: the client's static initializer changes JVM-wide
 * security properties.
 *
 * <p>When the client comes from the same jar as lambdarun itself (a shaded jar such as the CLI's),
 * {@link #classPath(Path)} copies only the client's classes out of it, so that a function's JVM
 * does not get all of lambdarun on its class path.
 *
 * @param jars the jars (or folders) holding the client and its dependencies, each once
 * @param shaded whether that is one jar that also holds lambdarun
 */
record JavaRuntimeClient(List<Path> jars, boolean shaded) {

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
  private static final String CLIENT_JAR_FILE = "aws-lambda-java-runtime-interface-client.jar";

  /** The entries of a shaded jar that belong to the client and its dependencies. */
  private static final Pattern CLIENT_ENTRY =
      Pattern.compile(
          "(META-INF/versions/\\d+/)?(com/amazonaws/|software/amazon/awssdk/).*"
              + "|META-INF/services/com\\.amazonaws\\..*");

  /**
   * Finds the client and its dependencies on this JVM's class path.
   *
   * @return the client
   * @throws RuntimeUnavailableException if one of them is missing or not loaded from a file
   */
  static JavaRuntimeClient locate() {
    List<Path> jars = new ArrayList<>();
    for (String marker : MARKERS) {
      Path location = location(load(marker));
      if (!jars.contains(location)) {
        jars.add(location);
      }
    }
    boolean shaded =
        jars.size() == 1
            && Files.isRegularFile(jars.get(0))
            && jars.get(0).equals(location(JavaRuntimeClient.class));
    return new JavaRuntimeClient(List.copyOf(jars), shaded);
  }

  /**
   * Returns the class path of the client and its dependencies: their jars, or for a shaded jar a
   * copy of only their entries written to a folder.
   *
   * @param folder where to write the copy
   * @return the class path entries
   * @throws IOException if the copy cannot be written
   */
  List<Path> classPath(Path folder) throws IOException {
    if (!shaded) {
      return jars;
    }
    Path copy = folder.resolve(CLIENT_JAR_FILE);
    copyClientEntries(jars.get(0), copy);
    return List.of(copy);
  }

  /**
   * Copies the client's entries of a shaded jar to a jar of their own, multi-release as the
   * client's serialization jar is.
   *
   * @param shadedJar the jar holding the client among other things
   * @param target the jar to write
   * @throws IOException if reading or writing fails
   */
  static void copyClientEntries(Path shadedJar, Path target) throws IOException {
    Manifest manifest = new Manifest();
    manifest.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
    manifest.getMainAttributes().put(Attributes.Name.MULTI_RELEASE, "true");
    try (ZipFile source = new ZipFile(shadedJar.toFile());
        JarOutputStream copy = new JarOutputStream(Files.newOutputStream(target), manifest)) {
      copy.setLevel(Deflater.NO_COMPRESSION); // written once per runtime, read from the page cache
      for (ZipEntry entry : Collections.list(source.entries())) {
        if (!entry.isDirectory() && CLIENT_ENTRY.matcher(entry.getName()).matches()) {
          copy.putNextEntry(new ZipEntry(entry.getName()));
          try (InputStream bytes = source.getInputStream(entry)) {
            bytes.transferTo(copy);
          }
          copy.closeEntry();
        }
      }
    }
  }

  /**
   * Writes the client's JNI library for this machine's platform to a folder, so that each JVM loads
   * it from there rather than from a shared {@code /tmp/.libaws-lambda-jni.so}, which concurrent
   * JVMs would overwrite under each other (and another user's copy would block).
   *
   * @param folder the folder to write to
   * @return the library's path, for {@link #NATIVE_LIBRARY_PROPERTY}
   * @throws RuntimeUnavailableException if the client has no library for this platform
   * @throws IOException if writing fails
   */
  Path writeNativeLibrary(Path folder) throws IOException {
    String name =
        nativeLibraryName(System.getProperty("os.name"), System.getProperty("os.arch"), isMusl());
    Path target = folder.resolve(NATIVE_LIBRARY_FILE);
    try (InputStream library = load(MAIN_CLASS).getResourceAsStream("/jni/" + name)) {
      if (library == null) {
        throw new RuntimeUnavailableException(
            "AWS's Java runtime interface client on lambdarun's class path holds no JNI library"
                + " '"
                + name
                + "'; use com.amazonaws:aws-lambda-java-runtime-interface-client 2.10.1 or"
                + " later");
      }
      Files.copy(library, target, StandardCopyOption.REPLACE_EXISTING);
    }
    return target;
  }

  /**
   * Names the client's JNI library for a platform; the client bundles Linux libraries only.
   *
   * @param osName the {@code os.name} property, e.g. {@code Linux}
   * @param osArch the {@code os.arch} property, e.g. {@code amd64} or {@code aarch64}
   * @param musl whether the C library is musl rather than glibc
   * @return e.g. {@code libaws-lambda-jni.linux-x86_64.so}
   * @throws RuntimeUnavailableException on another system or architecture
   */
  static String nativeLibraryName(String osName, String osArch, boolean musl) {
    String cpu =
        switch (osArch.toLowerCase(Locale.ROOT)) {
          case "amd64", "x86_64" -> "x86_64";
          case "aarch64", "arm64" -> "aarch_64";
          default -> "";
        };
    if (!osName.equals("Linux") || cpu.isEmpty()) {
      throw new RuntimeUnavailableException(
          "AWS's Java runtime interface client bundles its JNI library for Linux on x86_64 and"
              + " aarch64 only, not for '"
              + osName
              + "' on '"
              + osArch
              + "'; run java* functions on a container backend such as 'docker'");
    }
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
