package io.lambdarun.junit5;

import io.lambdarun.api.Archive;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.FileSystemNotFoundException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.security.CodeSource;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import java.util.zip.Deflater;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;

/**
 * The code of a Java handler compiled in the test's own module, taken from the test JVM's class
 * path instead of a packaged zip, and laid out as Lambda lays out a Java zip: classes and resources
 * at the root, every jar under {@code lib/}.
 *
 * <p>The root is the code source of the handler's class (Maven's {@code target/classes}; a jar goes
 * under {@code lib/}). The dependencies are the entries of {@value #CLASS_PATH_KEY} when that
 * system property is set (path-separator separated, possibly empty), otherwise every entry of
 * {@code java.class.path} except test output folders ({@code test-classes}, Gradle's {@code
 * classes/<language>/test}) and entries holding lambdarun itself ({@code io/lambdarun/}), JUnit
 * ({@code org/junit/}, {@code org/opentest4j/}, {@code org/apiguardian/}) or AWS's runtime client,
 * which every Java runtime provides, and jars with nothing outside {@code META-INF/} and {@code
 * module-info.class} (such as the {@code junit-jupiter} aggregator). Dependency folders are merged
 * into the root (the first entry wins a clash); jars keep their file names. The archive is built in
 * memory; nothing is written.
 */
public final class ClassPathCode {

  /** The system property that lists the handler's dependencies instead of the detection. */
  public static final String CLASS_PATH_KEY = "lambdarun.junit.class-path";

  private static final List<String> PROVIDED_PACKAGES =
      List.of(
          "io/lambdarun/",
          "org/junit/",
          "org/opentest4j/",
          "org/apiguardian/",
          "com/amazonaws/services/lambda/runtime/api/client/");

  private ClassPathCode() {}

  /**
   * Builds the code of a Java handler from the class path.
   *
   * @param handler a Java handler, {@code package.Class::method} or {@code package.Class}
   * @return the code archive
   * @throws LambdaTestSetupException if the handler's class is not on the class path, cannot be
   *     loaded, has no folder or jar, or {@value #CLASS_PATH_KEY} names a missing entry
   */
  public static Archive forHandler(String handler) {
    String className =
        handler.contains("::") ? handler.substring(0, handler.indexOf("::")) : handler;
    ClassLoader loader = Thread.currentThread().getContextClassLoader();
    Class<?> handlerClass;
    try {
      handlerClass = Class.forName(className, false, loader);
    } catch (ClassNotFoundException e) {
      throw new LambdaTestSetupException(
          "handler class '"
              + className
              + "' of handler '"
              + handler
              + "' is not on the test class path; compile it in this module (src/main/java) or"
              + " give the function its code as a folder, zip or jar");
    } catch (LinkageError e) {
      throw new LambdaTestSetupException(
          "handler class '"
              + className
              + "' cannot be loaded in the test JVM ("
              + e
              + "); add what it needs to the test class path, for example"
              + " aws-lambda-java-core");
    }
    return of(handlerClass);
  }

  /**
   * Builds the code of a Java handler class from the class path.
   *
   * @param handlerClass the handler's class
   * @return the code archive, named {@code class path of <class>}
   * @throws LambdaTestSetupException if the class has no folder or jar, or {@value #CLASS_PATH_KEY}
   *     names a missing entry
   */
  public static Archive of(Class<?> handlerClass) {
    Path root = codeSource(handlerClass);
    String property = System.getProperty(CLASS_PATH_KEY);
    List<Path> dependencies =
        property != null
            ? listed(property)
            : detected(System.getProperty("java.class.path", ""), root);
    return Archive.ofBytes("class path of " + handlerClass.getName(), zip(root, dependencies));
  }

  /** Returns the entries of {@code classPath} that are the handler's dependencies. */
  static List<Path> detected(String classPath, Path root) {
    List<Path> dependencies = new ArrayList<>();
    for (String entry : classPath.split(File.pathSeparator)) {
      Path path = toPath(entry);
      if (path != null
          && !path.equals(root)
          && Files.exists(path)
          && !isTestOutput(path)
          && !isProvidedOrEmpty(path)) {
        dependencies.add(path);
      }
    }
    return dependencies;
  }

  private static List<Path> listed(String property) {
    List<Path> dependencies = new ArrayList<>();
    for (String entry : property.split(File.pathSeparator)) {
      if (entry.isBlank()) {
        continue;
      }
      Path path = toPath(entry);
      if (path == null || !Files.exists(path)) {
        throw new LambdaTestSetupException(
            "class path entry '"
                + entry
                + "' of "
                + CLASS_PATH_KEY
                + " does not exist; list existing folders and jars separated by '"
                + File.pathSeparator
                + "'");
      }
      dependencies.add(path);
    }
    return dependencies;
  }

  private static Path codeSource(Class<?> handlerClass) {
    CodeSource source = handlerClass.getProtectionDomain().getCodeSource();
    URL location = source == null ? null : source.getLocation();
    try {
      Path path = location == null ? null : Path.of(location.toURI()).toAbsolutePath().normalize();
      if (path != null && Files.exists(path)) {
        return path;
      }
    } catch (URISyntaxException | IllegalArgumentException | FileSystemNotFoundException e) {
      // reported below
    }
    throw new LambdaTestSetupException(
        "handler class '"
            + handlerClass.getName()
            + "' comes from '"
            + location
            + "', which is not a folder or jar on disk; compile the handler in this module or give"
            + " the function its code as a folder, zip or jar");
  }

  private static Path toPath(String entry) {
    try {
      return entry.isBlank() ? null : Path.of(entry).toAbsolutePath().normalize();
    } catch (InvalidPathException e) {
      return null;
    }
  }

  private static boolean isTestOutput(Path path) {
    if (!Files.isDirectory(path)) {
      return false;
    }
    String name = path.getFileName().toString();
    Path parent = path.getParent();
    boolean gradleTest =
        name.equals("test")
            && parent != null
            && parent.getParent() != null
            && parent.getParent().getFileName().toString().equals("classes");
    return name.equals("test-classes") || gradleTest;
  }

  private static boolean isProvidedOrEmpty(Path path) {
    if (Files.isDirectory(path)) {
      return PROVIDED_PACKAGES.stream().anyMatch(p -> Files.isDirectory(path.resolve(p)));
    }
    try (ZipFile jar = new ZipFile(path.toFile())) {
      List<String> names = jar.stream().map(ZipEntry::getName).toList();
      return names.stream()
              .allMatch(n -> n.startsWith("META-INF/") || n.equals("module-info.class"))
          || names.stream().anyMatch(n -> PROVIDED_PACKAGES.stream().anyMatch(n::startsWith));
    } catch (IOException e) {
      return false;
    }
  }

  private static byte[] zip(Path root, List<Path> dependencies) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    Set<String> names = new HashSet<>();
    try (ZipOutputStream zip = new ZipOutputStream(bytes)) {
      List<Path> entries = new ArrayList<>();
      entries.add(root);
      entries.addAll(dependencies);
      for (Path entry : entries) {
        if (Files.isDirectory(entry)) {
          addFolder(zip, entry, names);
        } else {
          addJar(zip, entry, names);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the class path entries of '" + root + "'", e);
    }
    return bytes.toByteArray();
  }

  private static void addFolder(ZipOutputStream zip, Path folder, Set<String> names)
      throws IOException {
    zip.setLevel(Deflater.BEST_SPEED);
    List<Path> files;
    try (Stream<Path> walk = Files.walk(folder)) {
      files = walk.filter(Files::isRegularFile).sorted().toList();
    }
    String separator = FileSystems.getDefault().getSeparator();
    for (Path file : files) {
      String name = folder.relativize(file).toString().replace(separator, "/");
      if (names.add(name)) {
        zip.putNextEntry(new ZipEntry(name));
        Files.copy(file, zip);
        zip.closeEntry();
      }
    }
  }

  private static void addJar(ZipOutputStream zip, Path jar, Set<String> names) throws IOException {
    zip.setLevel(Deflater.NO_COMPRESSION);
    String name = "lib/" + jar.getFileName();
    for (int i = 2; !names.add(name); i++) {
      name = "lib/" + i + "-" + jar.getFileName();
    }
    zip.putNextEntry(new ZipEntry(name));
    Files.copy(jar, zip);
    zip.closeEntry();
  }
}
