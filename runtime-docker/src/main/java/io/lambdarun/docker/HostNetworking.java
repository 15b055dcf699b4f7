package io.lambdarun.docker;

import io.lambdarun.api.HostAccess;
import io.lambdarun.api.RuntimeApiAccess;
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
        settings
            .registryHost()
            .orElse(engine.podman() && !linuxClient ? PODMAN_ALIAS : "127.0.0.1");
    Optional<String> gateway =
        settings
            .hostGateway()
            .or(
                () ->
                    engine.podman()
                        ? Optional.empty()
                        : Optional.of(
                            engine.supportsHostGateway() ? "host-gateway" : DEFAULT_BRIDGE_GATEWAY))
            .filter(target -> !target.equalsIgnoreCase("none"));
    return new HostNetworking(
        new HostAccess(alias, registryHost),
        settings.endpointHost(alias),
        gateway.map(target -> List.of(alias + ":" + target)).orElse(List.of()));
  }

  /**
   * Works out how instances reach core's Runtime API: none with the {@code rie} protocol; {@code
   * 127.0.0.1} for both sides in host network mode; on the bridge, core listens on the bridge's
   * gateway (never on all interfaces) and workloads call it through the host alias, or through the
   * gateway address itself when the alias is not mapped ({@code host-gateway} {@code none} on
   * Docker).
   *
   * @param settings the backend settings
   * @param podman whether the engine is Podman, which maps its alias itself
   * @param bridgeGateway the default bridge's gateway address, when it is one of this machine
   * @return the access, or empty for RIE-endpoint mode only
   */
  Optional<RuntimeApiAccess> runtimeApiAccess(
      DockerSettings settings, boolean podman, Optional<String> bridgeGateway) {
    if (settings.rieOnly()) {
      return Optional.empty();
    }
    if (settings.hostNetwork()) {
      return Optional.of(RuntimeApiAccess.loopback());
    }
    boolean aliasMapped = podman || !extraHosts.isEmpty();
    return bridgeGateway.map(
        address -> new RuntimeApiAccess(address, aliasMapped ? hostAccess.hostAlias() : address));
  }
}
