package io.lambdarun.local;

import static org.assertj.core.api.Assertions.assertThat;

import io.lambdarun.api.Availability;
import io.lambdarun.api.RuntimeConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LocalRuntimeProviderTest {

  private final LocalRuntimeProvider provider = new LocalRuntimeProvider();

  @Test
  @DisplayName("is named local and ranks below docker")
  void nameAndPriority() {
    assertThat(provider.name()).isEqualTo("local");
    assertThat(provider.priority()).isEqualTo(-20);
  }

  @Test
  @DisplayName(
      "availability names the interpreters python3.x and nodejs*.x functions run on, and the"
          + " JDKs for java*")
  void namesInterpreters() throws IOException {
    Availability availability = provider.availability(RuntimeConfig.empty());
    assertThat(availability.available()).isTrue();
    assertThat(availability.reason())
        .startsWith("local processes: python3.x functions run on python3 3.")
        .contains("; nodejs*.x functions run on node ")
        .contains("; java* functions run on the JDK of their version or the nearest newer of: JDK ")
        .contains(
            "JDK "
                + System.getProperty("java.version")
                + " at "
                + Path.of(System.getProperty("java.home")).toRealPath());
  }

  @Test
  @DisplayName("availability says which interpreter is missing and the key to set")
  void namesMissingInterpreters() {
    Availability onlyNode =
        provider.availability(RuntimeConfig.of(Map.of(LocalConfigKeys.PYTHON, "/no/such/python3")));
    assertThat(onlyNode.available()).isTrue();
    assertThat(onlyNode.reason())
        .contains("nodejs*.x functions run on node ")
        .contains("missing: '/no/such/python3' was not found or cannot run (")
        .contains("set lambdarun.local.python to its path");

    Availability none =
        provider.availability(
            RuntimeConfig.of(
                Map.of(
                    LocalConfigKeys.PYTHON, "/no/such/python3",
                    LocalConfigKeys.NODE, "/no/such/node")));
    assertThat(none.available()).isFalse();
    assertThat(none.reason())
        .startsWith("no interpreter for local functions: '/no/such/python3' was not found")
        .contains("'/no/such/node' was not found")
        .contains("set lambdarun.local.node to its path");
  }

  @Test
  @DisplayName("a Python 2 interpreter does not count as python3")
  void pythonTwoIsRefused(@TempDir Path folder) throws IOException {
    Path fake = folder.resolve("python");
    Files.writeString(fake, "#!/bin/sh\necho /usr/bin/python2.7\necho 2.7.18\n");
    Files.setPosixFilePermissions(fake, PosixFilePermissions.fromString("rwxr-xr-x"));
    Availability availability =
        provider.availability(RuntimeConfig.of(Map.of(LocalConfigKeys.PYTHON, fake.toString())));
    assertThat(availability.reason())
        .contains(
            "missing: '"
                + fake
                + "' is Python 2.7.18, but python3.x functions need Python 3; point"
                + " lambdarun.local.python to a Python 3 interpreter");
  }

  @Test
  @DisplayName("availability reports an invalid setting instead of throwing")
  void invalidSetting() {
    Availability availability =
        provider.availability(RuntimeConfig.of(Map.of(LocalConfigKeys.STOP_GRACE, "soon")));
    assertThat(availability.available()).isFalse();
    assertThat(availability.reason())
        .isEqualTo(
            "the local backend's configuration is invalid: configuration key"
                + " 'lambdarun.local.stop-grace' has value 'soon', which is not a duration; use a"
                + " value such as '500ms', '10s', '5m' or 'PT10S'");
  }
}
