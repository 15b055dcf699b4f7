package io.lambdarun.docker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lambdarun.api.Availability;
import io.lambdarun.api.Owner;
import io.lambdarun.api.RuntimeConfig;
import io.lambdarun.api.RuntimeUnavailableException;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DockerRuntimeProviderTest {

  @TempDir Path folder;

  private final DockerRuntimeProvider provider = new DockerRuntimeProvider();

  @Test
  void isNamedDockerAndRanksBelowThirdPartyBackends() {
    assertThat(provider.name()).isEqualTo("docker");
    assertThat(provider.priority()).isEqualTo(-10);
  }

  @Test
  void anEngineThatDoesNotAnswerIsUnavailableWithTheReasonAndTheFix() {
    String host = "unix://" + folder.resolve("no-engine.sock");
    Availability availability =
        provider.availability(RuntimeConfig.of(Map.of(DockerConfigKeys.HOST, host)));

    assertThat(availability.available()).isFalse();
    assertThat(availability.reason())
        .startsWith("no Docker engine answered at '" + host + "' within 2000 ms (")
        .endsWith(
            "start dockerd (scripts/ensure-docker.sh), or set DOCKER_HOST or"
                + " lambdarun.docker.host");
  }

  @Test
  void anInvalidHostIsUnavailableNamingTheValue() {
    Availability availability =
        provider.availability(RuntimeConfig.of(Map.of(DockerConfigKeys.HOST, "docker.sock")));
    assertThat(availability.available()).isFalse();
    assertThat(availability.reason()).contains("'docker.sock'");
  }

  @Test
  void creatingWithoutAnEngineFailsAsUnavailable() {
    String host = "unix://" + folder.resolve("no-engine.sock");
    RuntimeConfig config = RuntimeConfig.of(Map.of(DockerConfigKeys.HOST, host));
    assertThatThrownBy(() -> provider.create(config, Owner.forCurrentProcess()))
        .isInstanceOf(RuntimeUnavailableException.class)
        .hasMessageStartingWith("no Docker engine answered at '" + host + "'");
  }
}
