package io.lambdarun.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lambdarun.api.ConfigurationException;
import io.lambdarun.api.LaunchFailedException;
import io.lambdarun.api.RuntimeConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JdkChooserTest {

  @TempDir Path folder;

  private Path jdk(String name, String version) throws IOException {
    Path home = folder.resolve(name);
    Files.createDirectories(home.resolve("bin"));
    Path java = Files.writeString(home.resolve("bin/java"), "#!/bin/sh\n");
    Files.setPosixFilePermissions(java, PosixFilePermissions.fromString("rwxr-xr-x"));
    Files.writeString(
        home.resolve("release"), "IMPLEMENTOR=\"Test\"\nJAVA_VERSION=\"" + version + "\"\n");
    return home.toRealPath();
  }

  private static JdkChooser chooser(List<Path> homes) {
    return new JdkChooser(RuntimeConfig.empty(), homes);
  }

  @Test
  void theRuntimesVersionWinsOverNewerOnes() throws IOException {
    Path jdk21 = jdk("jdk21", "21.0.2");
    JdkChooser chooser = chooser(List.of(jdk("jdk25", "25.0.3"), jdk21, jdk("jdk17", "17.0.15")));
    assertThat(chooser.choose("fn", "java21", 21).home()).isEqualTo(jdk21);
  }

  @Test
  void theNearestNewerVersionRunsWhenTheRuntimesIsMissing() throws IOException {
    Path jdk17 = jdk("jdk17", "17.0.15");
    JdkChooser chooser = chooser(List.of(jdk("jdk25", "25.0.3"), jdk17));
    Jdk chosen = chooser.choose("fn", "java11", 11);
    assertThat(chosen.home()).isEqualTo(jdk17);
    assertThat(chosen.major()).isEqualTo(17);
    assertThat(chosen.version()).isEqualTo("17.0.15");
  }

  @Test
  void theEarlierFoundWinsATieAndDuplicatesCountOnce() throws IOException {
    Path first = jdk("first", "17.0.15");
    Path link = Files.createSymbolicLink(folder.resolve("link"), first);
    JdkChooser chooser = chooser(List.of(link, first, jdk("second", "17.0.9")));
    assertThat(chooser.choose("fn", "java17", 17).home()).isEqualTo(first);
    assertThat(chooser.found()).hasSize(2);
  }

  @Test
  void javaEightsVersionStringIsReadAsEight() throws IOException {
    Path jdk8 = jdk("jdk8", "1.8.0_392");
    JdkChooser chooser = chooser(List.of(jdk("jdk17", "17.0.15"), jdk8));
    assertThat(chooser.choose("fn", "java8.al2", 8).home()).isEqualTo(jdk8);
    assertThat(chooser.choose("fn", "java8.al2", 8).major()).isEqualTo(8);
  }

  @Test
  void foldersWithoutAJavaOrAReleaseFileAreNoJdks() throws IOException {
    Path noJava = jdk("no-java", "21.0.2");
    Files.delete(noJava.resolve("bin/java"));
    Path noRelease = jdk("no-release", "21.0.2");
    Files.delete(noRelease.resolve("release"));
    assertThat(chooser(List.of(noJava, noRelease, folder.resolve("absent"))).found()).isEmpty();
  }

  @Test
  void noFittingJdkFailsTheLaunchNamingWhatWasFound() throws IOException {
    Path jdk17 = jdk("jdk17", "17.0.15");
    assertThatThrownBy(() -> chooser(List.of(jdk17)).choose("orders", "java21", 21))
        .isInstanceOf(LaunchFailedException.class)
        .hasMessage(
            "function 'orders' uses runtime 'java21', which needs a JDK 21 or newer, but the local"
                + " backend found only JDK 17.0.15 at "
                + jdk17
                + "; install one or set lambdarun.local.java-home.21 to its home folder");
    assertThatThrownBy(() -> chooser(List.of()).choose("orders", "java21", 21))
        .hasMessageContaining("but the local backend found no JDK; install one");
  }

  @Test
  void theOverrideKeyOfTheRuntimesVersionChoosesTheJdk() throws IOException {
    Path jdk25 = jdk("jdk25", "25.0.3");
    JdkChooser chooser =
        new JdkChooser(
            RuntimeConfig.of(Map.of("lambdarun.local.java-home.21", jdk25.toString())),
            List.of(jdk("jdk21", "21.0.2")));
    assertThat(chooser.choose("fn", "java21", 21).home()).isEqualTo(jdk25);
    assertThat(chooser.choose("fn", "java17", 17).major()).isEqualTo(21);
  }

  @Test
  void anOverrideThatIsNoJdkOrAnOlderOneIsRefused() throws IOException {
    Path jdk17 = jdk("jdk17", "17.0.15");
    JdkChooser older =
        new JdkChooser(
            RuntimeConfig.of(Map.of("lambdarun.local.java-home.21", jdk17.toString())), List.of());
    assertThatThrownBy(() -> older.choose("fn", "java21", 21))
        .isInstanceOf(ConfigurationException.class)
        .hasMessage(
            "configuration key 'lambdarun.local.java-home.21' names JDK 17.0.15 at "
                + jdk17
                + ", older than runtime 'java21' needs; set it to the home folder of a JDK 21 or"
                + " newer");
    JdkChooser missing =
        new JdkChooser(
            RuntimeConfig.of(Map.of("lambdarun.local.java-home.21", folder.toString())),
            List.of(jdk("jdk21", "21.0.2")));
    assertThatThrownBy(() -> missing.choose("fn", "java21", 21))
        .isInstanceOf(ConfigurationException.class)
        .hasMessage(
            "configuration key 'lambdarun.local.java-home.21' has value '"
                + folder
                + "', which is not a JDK home (no bin/java and release file there); set it to the"
                + " home folder of a JDK 21 or newer");
  }

  @Test
  void thisMachineOffersTheJvmRunningLambdarun() throws IOException {
    Path running = Path.of(System.getProperty("java.home")).toRealPath();
    assertThat(JdkChooser.forThisMachine(RuntimeConfig.empty()).found())
        .extracting(Jdk::home)
        .contains(running);
  }
}
