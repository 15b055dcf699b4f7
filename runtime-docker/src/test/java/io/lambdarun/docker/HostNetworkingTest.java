package io.lambdarun.docker;

import static org.assertj.core.api.Assertions.assertThat;

import io.lambdarun.api.HostAccess;
import io.lambdarun.api.RuntimeApiAccess;
import io.lambdarun.api.RuntimeConfig;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class HostNetworkingTest {

  private static final Engine DOCKER = new Engine("20.10.24", "1.41", false);
  private static final Engine OLD_DOCKER = new Engine("19.03.15", "1.40", false);
  private static final Engine PODMAN = new Engine("4.9.3", "1.41", true);

  @Test
  void dockerMapsItsAliasToTheHostGateway() {
    HostNetworking networking = HostNetworking.of(settings(Map.of()), DOCKER, true);

    assertThat(networking)
        .isEqualTo(
            new HostNetworking(
                new HostAccess("host.docker.internal", "127.0.0.1"),
                "127.0.0.1",
                List.of("host.docker.internal:host-gateway")));
  }

  @Test
  void dockerBefore2010MapsItsAliasToTheBridgeGateway() {
    assertThat(HostNetworking.of(settings(Map.of()), OLD_DOCKER, true).extraHosts())
        .containsExactly("host.docker.internal:172.17.0.1");
  }

  @Test
  void podmanProvidesItsOwnAlias() {
    HostNetworking networking = HostNetworking.of(settings(Map.of()), PODMAN, true);

    assertThat(networking.hostAccess())
        .isEqualTo(new HostAccess("host.containers.internal", "127.0.0.1"));
    assertThat(networking.extraHosts()).isEmpty();
  }

  @Test
  void podmanInAVmPullsLocalImagesThroughItsAlias() {
    assertThat(HostNetworking.of(settings(Map.of()), PODMAN, false).hostAccess().registryHost())
        .isEqualTo("host.containers.internal");
  }

  @Test
  void insideAContainerEndpointsAreReachedThroughTheAlias() {
    HostNetworking networking =
        HostNetworking.of(settings(Map.of(DockerConfigKeys.IN_CONTAINER, "true")), DOCKER, true);
    assertThat(networking.endpointHost()).isEqualTo("host.docker.internal");
  }

  @Test
  void configuredAliasGatewayAndRegistryWin() {
    HostNetworking networking =
        HostNetworking.of(
            settings(
                Map.of(
                    DockerConfigKeys.HOST_ALIAS, "gateway.test",
                    DockerConfigKeys.HOST_GATEWAY, "10.1.2.3",
                    DockerConfigKeys.REGISTRY_HOST, "registry.test")),
            PODMAN,
            true);

    assertThat(networking.hostAccess()).isEqualTo(new HostAccess("gateway.test", "registry.test"));
    assertThat(networking.extraHosts()).containsExactly("gateway.test:10.1.2.3");
  }

  @Test
  void gatewayNoneAddsNoMapping() {
    assertThat(
            HostNetworking.of(settings(Map.of(DockerConfigKeys.HOST_GATEWAY, "none")), DOCKER, true)
                .extraHosts())
        .isEmpty();
  }

  @Test
  void onTheBridgeTheRuntimeApiListensOnTheGatewayAndWorkloadsCallTheAlias() {
    DockerSettings settings = settings(Map.of());
    HostNetworking networking = HostNetworking.of(settings, DOCKER, true);

    assertThat(networking.runtimeApiAccess(settings, false, Optional.of("172.17.0.1")))
        .contains(new RuntimeApiAccess("172.17.0.1", "host.docker.internal"));
    assertThat(
            HostNetworking.of(settings, PODMAN, true)
                .runtimeApiAccess(settings, true, Optional.of("10.88.0.1")))
        .contains(new RuntimeApiAccess("10.88.0.1", "host.containers.internal"));
  }

  @Test
  void withoutAnAliasMappingWorkloadsCallTheGatewayAddress() {
    DockerSettings settings = settings(Map.of(DockerConfigKeys.HOST_GATEWAY, "none"));

    assertThat(
            HostNetworking.of(settings, DOCKER, true)
                .runtimeApiAccess(settings, false, Optional.of("172.17.0.1")))
        .contains(new RuntimeApiAccess("172.17.0.1", "172.17.0.1"));
  }

  @Test
  void withoutALocalGatewayThereIsNoRuntimeApiMode() {
    DockerSettings settings = settings(Map.of());

    assertThat(
            HostNetworking.of(settings, DOCKER, true)
                .runtimeApiAccess(settings, false, Optional.empty()))
        .isEmpty();
  }

  @Test
  void inHostNetworkModeBothSidesUseLoopback() {
    DockerSettings settings = settings(Map.of(DockerConfigKeys.NETWORK, "host"));

    assertThat(
            HostNetworking.of(settings, DOCKER, true)
                .runtimeApiAccess(settings, false, Optional.empty()))
        .contains(RuntimeApiAccess.loopback());
  }

  @Test
  void theRieProtocolKeepsEveryInstanceInRieEndpointMode() {
    DockerSettings settings = settings(Map.of(DockerConfigKeys.INSTANCE_PROTOCOL, "rie"));

    assertThat(
            HostNetworking.of(settings, DOCKER, true)
                .runtimeApiAccess(settings, false, Optional.of("172.17.0.1")))
        .isEmpty();
  }

  private static DockerSettings settings(Map<String, String> config) {
    return DockerSettings.from(
        RuntimeConfig.of(config), Map.of("DOCKER_HOST", "unix:///var/run/docker.sock"));
  }
}
