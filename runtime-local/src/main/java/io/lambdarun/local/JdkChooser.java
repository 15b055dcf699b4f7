package io.lambdarun.local;

import io.lambdarun.api.ConfigurationException;
import io.lambdarun.api.LaunchFailedException;
import io.lambdarun.api.RuntimeConfig;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * Chooses the JDK that runs a {@code java*} function: the one named by {@code
 * lambdarun.local.java-home.<major>}, else the JDK of the runtime's major version or the nearest
 * newer one among those found ({@code JAVA_HOME}, the JVM running lambdarun, the usual JDK
 * folders), the earlier found first on a tie.
 */
final class JdkChooser {

  private final RuntimeConfig config;
  private final List<Jdk> found;

  /**
   * Creates a chooser over given JDK homes.
   *
   * @param config the configuration holding the overrides
   * @param homes candidate home folders in order of preference; those without a JDK are ignored
   */
  JdkChooser(RuntimeConfig config, List<Path> homes) {
    this.config = config;
    Map<Path, Jdk> distinct = new LinkedHashMap<>();
    for (Path home : homes) {
      Jdk.at(home).ifPresent(jdk -> distinct.putIfAbsent(jdk.home(), jdk));
    }
    this.found = List.copyOf(distinct.values());
  }

  /**
   * Creates a chooser over the JDKs of this machine: {@code JAVA_HOME}, the JVM running lambdarun,
   * then the JDKs in {@code /usr/lib/jvm}, {@code /usr/java}, {@code /opt/java}, macOS's {@code
   * /Library/Java/JavaVirtualMachines}, SDKMAN's and IntelliJ's folders in the user's home.
   *
   * @param config the configuration holding the overrides
   * @return the chooser
   */
  static JdkChooser forThisMachine(RuntimeConfig config) {
    List<Path> homes = new ArrayList<>();
    Optional.ofNullable(System.getenv("JAVA_HOME"))
        .filter(home -> !home.isBlank())
        .ifPresent(home -> homes.add(Path.of(home)));
    homes.add(Path.of(System.getProperty("java.home")));
    Path user = Path.of(System.getProperty("user.home"));
    for (Path folder :
        List.of(
            Path.of("/usr/lib/jvm"),
            Path.of("/usr/java"),
            Path.of("/opt/java"),
            Path.of("/Library/Java/JavaVirtualMachines"),
            user.resolve(".sdkman/candidates/java"),
            user.resolve(".jdks"))) {
      homes.addAll(children(folder));
    }
    return new JdkChooser(config, homes);
  }

  /**
   * Returns the JDKs found, for messages.
   *
   * @return the JDKs in order of preference
   */
  List<Jdk> found() {
    return found;
  }

  /**
   * Chooses the JDK for a function.
   *
   * @param functionName the function, for messages
   * @param runtime its runtime id, e.g. {@code java21}
   * @param major the Java version the runtime needs
   * @return the JDK
   * @throws ConfigurationException if the override key names no JDK or an older one
   * @throws LaunchFailedException if no JDK of that version or newer was found
   */
  Jdk choose(String functionName, String runtime, int major) {
    String key = LocalConfigKeys.JAVA_HOME_PREFIX + major;
    Optional<String> override = config.get(key);
    if (override.isPresent()) {
      return overridden(key, override.get(), runtime, major);
    }
    return found.stream()
        .filter(jdk -> jdk.major() >= major)
        .min(Comparator.comparingInt(Jdk::major))
        .orElseThrow(
            () ->
                new LaunchFailedException(
                    functionName,
                    "function '"
                        + functionName
                        + "' uses runtime '"
                        + runtime
                        + "', which needs a JDK "
                        + major
                        + " or newer, but the local backend found "
                        + (found.isEmpty()
                            ? "no JDK"
                            : "only "
                                + found.stream()
                                    .map(Jdk::describe)
                                    .collect(Collectors.joining(", ")))
                        + "; install one or set "
                        + key
                        + " to its home folder"));
  }

  private static Jdk overridden(String key, String value, String runtime, int major) {
    Optional<Jdk> jdk;
    try {
      jdk = Jdk.at(Path.of(value));
    } catch (InvalidPathException e) {
      jdk = Optional.empty();
    }
    if (jdk.isEmpty()) {
      throw new ConfigurationException(
          key,
          "configuration key '"
              + key
              + "' has value '"
              + value
              + "', which is not a JDK home"
              + " (no bin/java and release file there); set it to the home folder of a JDK "
              + major
              + " or newer");
    }
    if (jdk.get().major() < major) {
      throw new ConfigurationException(
          key,
          "configuration key '"
              + key
              + "' names "
              + jdk.get().describe()
              + ", older than runtime '"
              + runtime
              + "' needs; set it to the home folder of a JDK "
              + major
              + " or newer");
    }
    return jdk.get();
  }

  private static List<Path> children(Path folder) {
    List<Path> homes = new ArrayList<>();
    if (!Files.isDirectory(folder)) {
      return homes;
    }
    try (DirectoryStream<Path> entries = Files.newDirectoryStream(folder)) {
      for (Path entry : entries) {
        // macOS bundles keep the home in Contents/Home
        Path bundleHome = entry.resolve("Contents").resolve("Home");
        homes.add(Files.isDirectory(bundleHome) ? bundleHome : entry);
      }
    } catch (IOException e) {
      return homes;
    }
    homes.sort(Comparator.naturalOrder());
    return homes;
  }
}
