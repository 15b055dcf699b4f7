package io.lambdarun.local;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The JVM options Lambda's Java runtimes start with, each left out when the function's {@code
 * JAVA_TOOL_OPTIONS} sets it (the JVM reads that variable itself, before the command line, so an
 * option given here would override the user's):
 *
 * <ul>
 *   <li>{@code -XX:MaxHeapSize} of 85 % of the function's memory, in KiB, as AWS's runtimes size
 *       the heap (445645k for 512 MB);
 *   <li>{@code -XX:+UseSerialGC}, AWS's collector for the Java runtimes;
 *   <li>{@code -XX:+TieredCompilation -XX:TieredStopAtLevel=1} from Java 17 on, as AWS sets it for
 *       {@code java17} and later (Java 8 and 11 keep the JVM's default);
 *   <li>{@code -Djava.net.preferIPv4Stack=true};
 *   <li>on a JDK 22 or newer, {@code --enable-native-access=ALL-UNNAMED}, so that the client's JNI
 *       library loads without the JDK's warning about restricted methods.
 * </ul>
 */
final class JvmOptions {

  private static final Pattern HEAP = Pattern.compile("-Xmx|MaxHeapSize|MaxRAM");
  private static final Pattern COLLECTOR = Pattern.compile("-XX:[+-]Use[A-Za-z]*GC\\b");
  private static final Pattern TIERED = Pattern.compile("TieredCompilation|TieredStopAtLevel");

  private JvmOptions() {}

  /**
   * Returns the options for a function.
   *
   * @param major the Java version its runtime names
   * @param jdkMajor the Java version of the JDK that runs it
   * @param memoryMib its memory size
   * @param javaToolOptions its {@code JAVA_TOOL_OPTIONS}, empty when unset
   * @return the options, in order
   */
  static List<String> forFunction(int major, int jdkMajor, int memoryMib, String javaToolOptions) {
    List<String> options = new ArrayList<>();
    if (!HEAP.matcher(javaToolOptions).find()) {
      options.add("-XX:MaxHeapSize=" + Math.round(memoryMib * 1024 * 0.85) + "k");
    }
    if (!COLLECTOR.matcher(javaToolOptions).find()) {
      options.add("-XX:+UseSerialGC");
    }
    if (major >= 17 && !TIERED.matcher(javaToolOptions).find()) {
      options.add("-XX:+TieredCompilation");
      options.add("-XX:TieredStopAtLevel=1");
    }
    options.add("-Djava.net.preferIPv4Stack=true");
    if (jdkMajor >= 22) {
      options.add("--enable-native-access=ALL-UNNAMED");
    }
    return options;
  }
}
