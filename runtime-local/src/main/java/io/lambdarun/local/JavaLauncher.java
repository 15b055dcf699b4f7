package io.lambdarun.local;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Builds the command of a {@code java*} function's JVM: the chosen JDK's {@code java} with Lambda's
 * {@link JvmOptions}, running AWS's runtime interface client on the handler.
 *
 * <p>The class path is laid out in the order Lambda's class loader searches: the client and its
 * dependencies, the code's root ({@code /var/task}), the code's {@code lib/*.jar}, then the layers'
 * {@code java/lib/*.jar} ({@code /opt/java/lib}), jars sorted by name. All of it is on the JVM's
 * own class path because the client looks for layer jars under a fixed {@code /opt/java}.
 *
 * @param jdk the JDK to run
 * @param clientClassPath the class path of the runtime interface client, from {@link
 *     JavaRuntimeClient#classPath}
 * @param nativeLibrary the client's JNI library, written by {@link
 *     JavaRuntimeClient#writeNativeLibrary}
 */
record JavaLauncher(Jdk jdk, List<Path> clientClassPath, Path nativeLibrary) {

  private static final Pattern RUNTIME = Pattern.compile("java(\\d+)(\\.[a-z0-9]+)?");

  /**
   * Returns the Java version a runtime id names.
   *
   * @param runtime e.g. {@code java21} or {@code java8.al2}
   * @return e.g. {@code 21} or {@code 8}, or -1 when the id is not a Java runtime
   */
  static int major(String runtime) {
    Matcher matcher = RUNTIME.matcher(runtime);
    return matcher.matches() ? Integer.parseInt(matcher.group(1)) : -1;
  }

  /**
   * Returns the command that starts the function's runtime.
   *
   * @param runtime the function's runtime id
   * @param handler the function's handler, e.g. {@code example.Hello::handleRequest}
   * @param memoryMib the function's memory size
   * @param javaToolOptions the function's {@code JAVA_TOOL_OPTIONS}, empty when unset
   * @param files the instance's extracted code and layers
   * @return the command
   * @throws IOException if the code's or layers' folders cannot be listed
   */
  List<String> command(
      String runtime, String handler, int memoryMib, String javaToolOptions, InstanceFiles files)
      throws IOException {
    List<String> command = new ArrayList<>();
    command.add(jdk.java().toString());
    command.addAll(JvmOptions.forFunction(major(runtime), jdk.major(), memoryMib, javaToolOptions));
    command.add("-D" + JavaRuntimeClient.NATIVE_LIBRARY_PROPERTY + "=" + nativeLibrary);
    command.add("-classpath");
    command.add(classPath(files));
    command.add(JavaRuntimeClient.MAIN_CLASS);
    command.add(handler);
    return command;
  }

  private String classPath(InstanceFiles files) throws IOException {
    List<String> entries = new ArrayList<>();
    clientClassPath.forEach(path -> entries.add(path.toString()));
    entries.add(files.task().toString());
    entries.addAll(jars(files.task().resolve("lib")));
    entries.addAll(jars(files.opt().resolve("java").resolve("lib")));
    return String.join(File.pathSeparator, entries);
  }

  private static List<String> jars(Path folder) throws IOException {
    if (!Files.isDirectory(folder)) {
      return List.of();
    }
    try (Stream<Path> files = Files.list(folder)) {
      return files
          .filter(file -> file.getFileName().toString().endsWith(".jar"))
          .map(Path::toString)
          .sorted()
          .toList();
    }
  }
}
