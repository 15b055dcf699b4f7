package io.lambdarun.docker;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.model.Network;
import java.io.IOException;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Finds the gateway address of the engine's default bridge network, the address containers on it
 * reach this host at and core's Runtime API listens on in bridge mode.
 */
final class BridgeGateway {

  private static final Logger LOG = LoggerFactory.getLogger(BridgeGateway.class);

  private BridgeGateway() {}

  /**
   * Finds the gateway core's Runtime API listens on for containers in bridge mode; warns when there
   * is none, since instances then run in RIE-endpoint mode only.
   *
   * @param docker a connected client
   * @param settings the backend's settings
   * @param engine the engine
   * @return the gateway address; empty in RIE-only or host network mode, or when there is none
   */
  static Optional<String> forRuntimeApi(
      DockerClient docker, DockerSettings settings, Engine engine) {
    if (settings.rieOnly() || settings.hostNetwork()) {
      return Optional.empty();
    }
    Lookup gateway = find(docker, engine);
    if (gateway.address().isEmpty()) {
      LOG.warn(
          "instances run in RIE-endpoint mode only: {}; set '{}' to 'host' to run them in"
              + " Runtime API mode on loopback",
          gateway.whyNot(),
          DockerConfigKeys.NETWORK);
    }
    return gateway.address();
  }

  /**
   * Asks the engine for its default bridge's gateway and keeps it only when it is an address of
   * this machine, which it is not when the engine runs elsewhere (a remote {@code DOCKER_HOST}, a
   * VM of Docker Desktop, rootless Podman's own network namespace).
   *
   * @param docker a connected client
   * @param engine the engine
   * @return the gateway address, or a sentence saying why there is none
   */
  static Lookup find(DockerClient docker, Engine engine) {
    String name = engine.podman() ? "podman" : "bridge";
    Optional<String> gateway;
    try {
      Network network = docker.inspectNetworkCmd().withNetworkId(name).exec();
      List<Network.Ipam.Config> configs =
          network.getIpam() == null || network.getIpam().getConfig() == null
              ? List.of()
              : network.getIpam().getConfig();
      gateway =
          configs.stream()
              .map(Network.Ipam.Config::getGateway)
              .filter(Objects::nonNull)
              .filter(address -> !address.contains(":"))
              .findFirst();
    } catch (RuntimeException e) {
      return new Lookup(
          Optional.empty(),
          "the engine's network '" + name + "' could not be inspected (" + e.getMessage() + ")");
    }
    if (gateway.isEmpty()) {
      return new Lookup(
          Optional.empty(), "the engine's network '" + name + "' has no IPv4 gateway");
    }
    try {
      if (NetworkInterface.getByInetAddress(InetAddress.getByName(gateway.get())) == null) {
        return new Lookup(
            Optional.empty(),
            "the gateway '"
                + gateway.get()
                + "' of the engine's"
                + " network '"
                + name
                + "' is not an address of this machine (a remote engine?)");
      }
    } catch (IOException e) {
      return new Lookup(
          Optional.empty(),
          "the gateway '" + gateway.get() + "' could not be checked (" + e.getMessage() + ")");
    }
    return new Lookup(gateway, "");
  }

  /**
   * The result of {@link #find}.
   *
   * @param address the gateway address, when it is one of this machine
   * @param whyNot why there is none, empty when there is
   */
  record Lookup(Optional<String> address, String whyNot) {}
}
