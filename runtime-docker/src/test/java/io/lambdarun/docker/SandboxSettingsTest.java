package io.lambdarun.docker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.github.dockerjava.api.model.Capability;
import com.github.dockerjava.api.model.HostConfig;
import com.github.dockerjava.api.model.Mount;
import com.github.dockerjava.api.model.MountType;
import com.github.dockerjava.api.model.Ulimit;
import com.github.dockerjava.core.command.CreateContainerCmdImpl;
import io.lambdarun.api.ConfigurationException;
import io.lambdarun.api.RuntimeConfig;
import java.net.URI;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class SandboxSettingsTest {

  private static final URI SOCKET = URI.create("unix:///var/run/docker.sock");
  private static final Mount TASK =
      new Mount()
          .withType(MountType.BIND)
          .withSource("/tmp/staged/task")
          .withTarget("/var/task")
          .withReadOnly(true);

  @Test
  void byDefaultTheSandboxIsOnAsLambdasUserAndMountsTheCodeOfALocalEngine() {
    SandboxSettings sandbox = SandboxSettings.from(RuntimeConfig.empty(), SOCKET, false);

    assertThat(sandbox).isEqualTo(new SandboxSettings(true, "993:990", true));
    assertThat(
            DockerSettings.from(RuntimeConfig.empty(), Map.of("DOCKER_HOST", SOCKET.toString()))
                .sandbox())
        .isEqualTo(sandbox);
  }

  @Test
  void aRemoteEngineOrAProcessInAContainerCopiesTheCode() {
    assertThat(
            SandboxSettings.from(RuntimeConfig.empty(), URI.create("tcp://10.0.0.5:2375"), false)
                .mountsCode())
        .isFalse();
    assertThat(SandboxSettings.from(RuntimeConfig.empty(), SOCKET, true).mountsCode()).isFalse();
  }

  @Test
  void theSandboxCanBeTurnedOffAndTheUserChosen() {
    SandboxSettings off =
        SandboxSettings.from(
            RuntimeConfig.of(Map.of(DockerConfigKeys.SANDBOX, "false")), SOCKET, false);
    SandboxSettings user =
        SandboxSettings.from(
            RuntimeConfig.of(Map.of(DockerConfigKeys.SANDBOX_USER, " 1000 ")), SOCKET, false);

    assertThat(off).isEqualTo(new SandboxSettings(false, "993:990", false));
    assertThat(user.user()).isEqualTo("1000");
  }

  @ParameterizedTest
  @ValueSource(strings = {"0", "0:990", "00:0"})
  void rootIsRefusedPointingToTheSwitch(String root) {
    RuntimeConfig config = RuntimeConfig.of(Map.of(DockerConfigKeys.SANDBOX_USER, root));

    assertThatThrownBy(() -> SandboxSettings.from(config, SOCKET, false))
        .isInstanceOf(ConfigurationException.class)
        .hasMessage(
            "configuration key 'lambdarun.docker.sandbox-user' has value '"
                + root
                + "', which is"
                + " root; use a non-root 'uid:gid' such as '993:990', or set"
                + " 'lambdarun.docker.sandbox' to 'false' for an image that needs root");
  }

  @ParameterizedTest
  @ValueSource(strings = {"sbx_user1051", "993:", "-1", "993:990:1"})
  void aUserThatIsNotNumericIsRefused(String user) {
    RuntimeConfig config = RuntimeConfig.of(Map.of(DockerConfigKeys.SANDBOX_USER, user));

    assertThatThrownBy(() -> SandboxSettings.from(config, SOCKET, false))
        .isInstanceOf(ConfigurationException.class)
        .hasMessage(
            "configuration key 'lambdarun.docker.sandbox-user' has value '"
                + user
                + "', which is"
                + " not a numeric 'uid' or 'uid:gid'; use for example '993:990' (Lambda's user,"
                + " the default)");
  }

  @Test
  void theSandboxMakesTheRootReadOnlyDropsEveryCapabilityAndSetsLambdasLimits() {
    CreateContainerCmdImpl create = createCommand();

    new SandboxSettings(true, "993:990", true).applyTo(create, List.of(TASK), false);

    HostConfig host = create.getHostConfig();
    assertThat(create.getUser()).isEqualTo("993:990");
    assertThat(host.getReadonlyRootfs()).isTrue();
    assertThat(host.getCapDrop()).containsExactly(Capability.ALL);
    assertThat(host.getSecurityOpts()).containsExactly("no-new-privileges");
    assertThat(host.getUlimits())
        .containsExactly(new Ulimit("nofile", 1024L, 1024L), new Ulimit("nproc", 1024L, 1024L));
    assertThat(host.getMounts()).containsExactly(TASK);
    assertThat(host.getMemory()).isEqualTo(128L * 1024 * 1024);
  }

  @Test
  void copiedCodeKeepsTheRootWritable() {
    CreateContainerCmdImpl create = createCommand();

    new SandboxSettings(true, "993:990", false).applyTo(create, List.of(), true);

    assertThat(create.getHostConfig().getReadonlyRootfs()).isFalse();
    assertThat(create.getHostConfig().getMounts()).isNull();
    assertThat(create.getUser()).isEqualTo("993:990");
  }

  @Test
  void withoutTheSandboxNothingChanges() {
    CreateContainerCmdImpl create = createCommand();

    new SandboxSettings(false, "993:990", false).applyTo(create, List.of(TASK), false);

    assertThat(create.getUser()).isNull();
    assertThat(create.getHostConfig().getReadonlyRootfs()).isNull();
    assertThat(create.getHostConfig().getCapDrop()).isNull();
    assertThat(create.getHostConfig().getUlimits()).isNull();
    assertThat(create.getHostConfig().getMounts()).isNull();
  }

  private static CreateContainerCmdImpl createCommand() {
    CreateContainerCmdImpl create = new CreateContainerCmdImpl(command -> null, null, "image");
    create.withHostConfig(HostConfig.newHostConfig().withMemory(128L * 1024 * 1024));
    return create;
  }
}
