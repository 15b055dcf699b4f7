package io.lambdarun.docker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lambdarun.api.ConfigurationException;
import io.lambdarun.api.RuntimeConfig;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DockerSettingsTest {

  @Test
  void defaultsPublishOnLoopbackAndWaitThirtySeconds() {
    DockerSettings settings =
        DockerSettings.from(RuntimeConfig.empty(), Map.of("DOCKER_HOST", "tcp://127.0.0.1:2375"));

    assertThat(settings.host()).isEqualTo(URI.create("tcp://127.0.0.1:2375"));
    assertThat(settings.bindAddress()).isEqualTo("127.0.0.1");
    assertThat(settings.inContainer()).isFalse();
    assertThat(settings.endpointHost("host.docker.internal")).isEqualTo("127.0.0.1");
    assertThat(settings.readinessTimeout()).isEqualTo(Duration.ofSeconds(30));
    assertThat(settings.pingTimeout()).isEqualTo(Duration.ofSeconds(2));
    assertThat(settings.hostAlias()).isEmpty();
    assertThat(settings.registryHost()).isEmpty();
    assertThat(settings.hostNetwork()).isFalse();
    assertThat(settings.rieOnly()).isFalse();
  }

  @Test
  void networkAndProtocolAreReadIgnoringCase() {
    DockerSettings host =
        DockerSettings.from(RuntimeConfig.of(Map.of(DockerConfigKeys.NETWORK, " Host ")), Map.of());
    DockerSettings rie =
        DockerSettings.from(
            RuntimeConfig.of(
                Map.of(
                    DockerConfigKeys.NETWORK, "bridge", DockerConfigKeys.INSTANCE_PROTOCOL, "RIE")),
            Map.of());

    assertThat(host.hostNetwork()).isTrue();
    assertThat(host.rieOnly()).isFalse();
    assertThat(rie.hostNetwork()).isFalse();
    assertThat(rie.rieOnly()).isTrue();
  }

  @Test
  void aNetworkOtherThanBridgeOrHostIsRefusedNamingTheKeyAndValue() {
    RuntimeConfig config = RuntimeConfig.of(Map.of(DockerConfigKeys.NETWORK, "overlay"));
    assertThatThrownBy(() -> DockerSettings.from(config, Map.of()))
        .isInstanceOf(ConfigurationException.class)
        .hasMessage(
            "configuration key 'lambdarun.docker.network' has value 'overlay', which is not"
                + " 'bridge' or 'host'; use one of these (default 'bridge')")
        .extracting(e -> ((ConfigurationException) e).key())
        .isEqualTo(DockerConfigKeys.NETWORK);
  }

  @Test
  void aProtocolOtherThanRuntimeApiOrRieIsRefusedNamingTheKeyAndValue() {
    RuntimeConfig config = RuntimeConfig.of(Map.of(DockerConfigKeys.INSTANCE_PROTOCOL, "http"));
    assertThatThrownBy(() -> DockerSettings.from(config, Map.of()))
        .isInstanceOf(ConfigurationException.class)
        .hasMessage(
            "configuration key 'lambdarun.docker.instance-protocol' has value 'http', which is"
                + " not 'runtime-api' or 'rie'; use one of these (default 'runtime-api')")
        .extracting(e -> ((ConfigurationException) e).key())
        .isEqualTo(DockerConfigKeys.INSTANCE_PROTOCOL);
  }

  @Test
  void theRieProtocolInHostNetworkModeIsRefusedForItCannotPublishThePort() {
    RuntimeConfig config =
        RuntimeConfig.of(
            Map.of(DockerConfigKeys.NETWORK, "host", DockerConfigKeys.INSTANCE_PROTOCOL, "rie"));
    assertThatThrownBy(() -> DockerSettings.from(config, Map.of()))
        .isInstanceOf(ConfigurationException.class)
        .hasMessage(
            "configuration key 'lambdarun.docker.instance-protocol' has value 'rie', whose"
                + " endpoint needs a published port, which 'lambdarun.docker.network' 'host'"
                + " cannot give; set the network to 'bridge' or the protocol to 'runtime-api'");
  }

  @Test
  void configKeysWinOverTheEcosystemVariables() {
    RuntimeConfig config =
        RuntimeConfig.of(
            Map.of(
                DockerConfigKeys.HOST, "unix:///run/user/1000/podman/podman.sock",
                DockerConfigKeys.CONFIG, "/etc/lambdarun/docker",
                DockerConfigKeys.HOST_ALIAS, "host.containers.internal",
                DockerConfigKeys.REGISTRY_HOST, "registry.local",
                DockerConfigKeys.READINESS_TIMEOUT, "750ms"));
    DockerSettings settings =
        DockerSettings.from(
            config, Map.of("DOCKER_HOST", "tcp://10.0.0.1:2375", "DOCKER_CONFIG", "/elsewhere"));

    assertThat(settings.host()).isEqualTo(URI.create("unix:///run/user/1000/podman/podman.sock"));
    assertThat(settings.dockerConfig()).isEqualTo(Path.of("/etc/lambdarun/docker"));
    assertThat(settings.hostAlias()).contains("host.containers.internal");
    assertThat(settings.registryHost()).contains("registry.local");
    assertThat(settings.readinessTimeout()).isEqualTo(Duration.ofMillis(750));
  }

  @Test
  void aRegistryHostWithAPortIsRefusedNamingThePortKey() {
    RuntimeConfig config =
        RuntimeConfig.of(Map.of(DockerConfigKeys.REGISTRY_HOST, "registry.local:5000"));
    assertThatThrownBy(() -> DockerSettings.from(config, Map.of()))
        .isInstanceOf(ConfigurationException.class)
        .hasMessage(
            "configuration key 'lambdarun.docker.registry-host' has value 'registry.local:5000',"
                + " which is not a host name or IP address without a port; set the host alone (an"
                + " IPv6 address in brackets) and the port with 'lambdarun.ecr.registry-port'");
  }

  @Test
  void dockerConfigVariableLocatesRegistryCredentials() {
    DockerSettings settings =
        DockerSettings.from(RuntimeConfig.empty(), Map.of("DOCKER_CONFIG", "/ci/docker-auth"));
    assertThat(settings.dockerConfig()).isEqualTo(Path.of("/ci/docker-auth"));
  }

  @Test
  void insideAContainerEndpointsUseTheHostAliasAndPortsEveryInterface() {
    DockerSettings settings =
        DockerSettings.from(
            RuntimeConfig.of(Map.of(DockerConfigKeys.IN_CONTAINER, "true")), Map.of());

    assertThat(settings.bindAddress()).isEqualTo("0.0.0.0");
    assertThat(settings.endpointHost("host.docker.internal")).isEqualTo("host.docker.internal");
  }

  @Test
  void aWildcardBindAddressIsReachedOnLoopback() {
    DockerSettings settings =
        DockerSettings.from(
            RuntimeConfig.of(Map.of(DockerConfigKeys.BIND_ADDRESS, "0.0.0.0")), Map.of());
    assertThat(settings.endpointHost("host.docker.internal")).isEqualTo("127.0.0.1");
  }

  @Test
  void aHostThatIsNoEngineUriIsRefusedNamingTheKeyAndValue() {
    RuntimeConfig config = RuntimeConfig.of(Map.of(DockerConfigKeys.HOST, "/var/run/docker.sock"));
    assertThatThrownBy(() -> DockerSettings.from(config, Map.of()))
        .isInstanceOf(ConfigurationException.class)
        .hasMessage(
            "Docker host '/var/run/docker.sock' (from lambdarun.docker.host or DOCKER_HOST) is not"
                + " an engine URI; use 'unix:///var/run/docker.sock' or 'tcp://127.0.0.1:2375'")
        .extracting(e -> ((ConfigurationException) e).key())
        .isEqualTo(DockerConfigKeys.HOST);
  }

  @Test
  void aBadDurationIsRefused() {
    RuntimeConfig config = RuntimeConfig.of(Map.of(DockerConfigKeys.READINESS_TIMEOUT, "soon"));
    assertThatThrownBy(() -> DockerSettings.from(config, Map.of()))
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("'" + DockerConfigKeys.READINESS_TIMEOUT + "'")
        .hasMessageContaining("'soon'");
  }
}
