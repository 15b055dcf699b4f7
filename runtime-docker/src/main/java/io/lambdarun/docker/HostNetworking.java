package io.lambdarun.docker;

import io.lambdarun.api.HostAccess;
import java.util.List;
import java.util.Optional;

/**
 * How workloads and the embedding process reach each other on one engine. Pure: derived from the
 * settings and the engine alone.
 *
 * @param hostAccess the host alias workloads use to reach the embedding host, and the registry host
 *     the engine pulls local images from
 * @param endpointHost the host the embedding process reaches published ports on
 * @param extraHosts {@code name:address} entries every workload gets in {@code /etc/hosts}
 */
record HostNetworking(HostAccess hostAccess, String endpointHost, List<String> extraHosts) {

  static final String DOCKER_ALIAS = "host.docker.internal";
  static final String PODMAN_ALIAS = "host.containers.internal";
  static final String DEFAULT_BRIDGE_GATEWAY = "172.17.0.1";

  /** Copies the list. */
  HostNetworking {
    extraHosts = List.copyOf(extraHosts);
  }

  /**
   * Works out the networking: Docker maps its alias to {@code host-gateway} (20.10 and later, else
   * the default bridge gateway); Podman provides {@code host.containers.internal} itself and, on
   * macOS and Windows, pulls local images through it; inside a container, endpoints are reached
   * through the alias.
   *
   * @param settings the backend settings
   * @param engine the engine
   * @param linuxClient whether the embedding process runs on Linux
   * @return the networking
   */
  static HostNetworking of(DockerSettings settings, Engine engine, boolean linuxClient) {
    String alias = settings.hostAlias().orElse(engine.podman() ? PODMAN_ALIAS : DOCKER_ALIAS);
    String registryHost =
        settings.registryHost().orElse(engine.podman() && !linuxClient ? PODMAN_ALIAS : "127.0.0.1");
    Optional<String> gateway =
        settings.hostGateway()
            .or(() -> engine.podman()
                ? Optional.empty()
                : Optional.of(engine.supportsHostGateway() ? "host-gateway" : DEFAULT_BRIDGE_GATEWAY))
            .filter(target -> !target.equalsIgnoreCase("none"));
    return new HostNetworking(
        new HostAccess(alias, registryHost),
        settings.endpointHost(alias),
        gateway.map(target -> List.of(alias + ":" + target)).orElse(List.of()));
  }
}
