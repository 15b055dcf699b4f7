package io.lambdarun.local;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A JDK (or JRE) installed on this machine, read from its {@code release} file without running it.
 *
 * @param home its home folder, the one holding {@code bin/java} and {@code release}
 * @param version its version as its release file states it, e.g. {@code 17.0.15}
 * @param major its feature version, e.g. {@code 17} ({@code 8} for {@code 1.8.0_392})
 */
record Jdk(Path home, String version, int major) {

  private static final Pattern JAVA_VERSION =
      Pattern.compile("(?m)^JAVA_VERSION=\"?([0-9][0-9A-Za-z._+-]*)\"?\\s*$");

  /**
   * Returns its {@code java} launcher.
   *
   * @return {@code <home>/bin/java}
   */
  Path java() {
    return home.resolve("bin").resolve("java");
  }

  /**
   * Describes the JDK for messages and instance details.
   *
   * @return e.g. {@code JDK 17.0.15 at /usr/lib/jvm/java-17-openjdk-amd64}
   */
  String describe() {
    return "JDK " + version + " at " + home;
  }

  /**
   * Reads the JDK at a home folder.
   *
   * @param home a folder that may hold a JDK
   * @return the JDK, empty when the folder has no executable {@code bin/java} or no readable
   *     version in its {@code release} file
   */
  static Optional<Jdk> at(Path home) {
    Path java = home.resolve("bin").resolve("java");
    Path release = home.resolve("release");
    if (!Files.isExecutable(java) || !Files.isRegularFile(release)) {
      return Optional.empty();
    }
    try {
      Matcher matcher =
          JAVA_VERSION.matcher(Files.readString(release, StandardCharsets.ISO_8859_1));
      if (!matcher.find()) {
        return Optional.empty();
      }
      String version = matcher.group(1);
      return Optional.of(new Jdk(home.toRealPath(), version, major(version)));
    } catch (IOException | NumberFormatException e) {
      return Optional.empty();
    }
  }

  /**
   * Returns the feature version of a Java version string.
   *
   * @param version e.g. {@code 21.0.2}, {@code 25}, {@code 1.8.0_392}
   * @return e.g. {@code 21}, {@code 25}, {@code 8}
   * @throws NumberFormatException when it does not start with a number
   */
  static int major(String version) {
    String[] parts = version.split("[._+-]");
    int first = Integer.parseInt(parts[0]);
    return first == 1 && parts.length > 1 ? Integer.parseInt(parts[1]) : first;
  }
}
