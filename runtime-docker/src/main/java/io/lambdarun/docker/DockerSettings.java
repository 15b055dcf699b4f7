package io.lambdarun.docker;

import io.lambdarun.api.ConfigurationException;
import io.lambdarun.api.HostAccess;
import io.lambdarun.api.RuntimeConfig;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/**
 * The backend's configuration, read once from a {@link RuntimeConfig} and the process environment.
 *
 * @param host the engine URI
 * @param dockerConfig the folder holding {@code config.json} for registry credentials
 * @param inContainer whether the embedding process runs in a container
 * @param hostAlias the configured host alias, empty for the engine's default
 * @param hostGateway the configured target of the host alias, empty for the engine's default
 * @param bindAddress the address RIE ports are published on
 * @param registryHost the configured registry host (no port), empty for the engine's default
 * @param hostNetwork whether instances run in host network mode ({@code lambdarun.docker.network}
 *     {@code host}) rather than on the engine's default bridge
 * @param rieOnly whether every instance runs in RIE-endpoint mode ({@code
 *     lambdarun.docker.instance-protocol} {@code rie}), never in Runtime API mode
 * @param readinessTimeout how long a launch waits for the endpoint
 * @param pingTimeout how long the availability check waits
 * @param apiTimeout how long one engine call may take
 * @param sandbox Lambda's sandbox: on or off, its user, whether the code can be mounted
 */
record DockerSettings(
    URI host,
    Path dockerConfig,
    boolean inContainer,
    Optional<String> hostAlias,
    Optional<String> hostGateway,
    String bindAddress,
    Optional<String> registryHost,
    boolean hostNetwork,
    boolean rieOnly,
    Duration readinessTimeout,
    Duration pingTimeout,
    Duration apiTimeout,
    SandboxSettings sandbox) {

  static final String DOCKER_SOCKET = "/var/run/docker.sock";
  private static final Set<String> SCHEMES = Set.of("unix", "tcp", "npipe");
  private static final List<String> NETWORKS = List.of("bridge", "host");
  private static final List<String> PROTOCOLS = List.of("runtime-api", "rie");

  /**
   * Reads the settings.
   *
   * @param config the backend configuration
   * @param environment the process environment ({@code DOCKER_HOST}, {@code DOCKER_CONFIG}, ...)
   * @return the settings
   * @throws ConfigurationException if a value is invalid
   */
  static DockerSettings from(RuntimeConfig config, Map<String, String> environment) {
    Function<String, Optional<String>> env =
        name -> Optional.ofNullable(environment.get(name)).filter(v -> !v.isBlank());
    String host =
        config
            .get(DockerConfigKeys.HOST)
            .or(() -> env.apply("DOCKER_HOST"))
            .orElseGet(() -> defaultSocket(env.apply("XDG_RUNTIME_DIR")));
    boolean inContainer = config.getBoolean(DockerConfigKeys.IN_CONTAINER, false);
    Path dockerConfig =
        Path.of(
            config
                .get(DockerConfigKeys.CONFIG)
                .or(() -> env.apply("DOCKER_CONFIG"))
                .orElseGet(() -> Path.of(System.getProperty("user.home"), ".docker").toString()));
    boolean hostNetwork =
        oneOf(config, DockerConfigKeys.NETWORK, NETWORKS, "bridge").equals("host");
    boolean rieOnly =
        oneOf(config, DockerConfigKeys.INSTANCE_PROTOCOL, PROTOCOLS, "runtime-api").equals("rie");
    if (hostNetwork && rieOnly) {
      throw new ConfigurationException(
          DockerConfigKeys.INSTANCE_PROTOCOL,
          "configuration key '"
              + DockerConfigKeys.INSTANCE_PROTOCOL
              + "' has value 'rie', whose"
              + " endpoint needs a published port, which '"
              + DockerConfigKeys.NETWORK
              + "' 'host' cannot give; set the network to 'bridge' or the protocol to"
              + " 'runtime-api'");
    }
    URI hostUri = hostUri(host);
    return new DockerSettings(
        hostUri,
        dockerConfig,
        inContainer,
        config.get(DockerConfigKeys.HOST_ALIAS).map(String::trim),
        config.get(DockerConfigKeys.HOST_GATEWAY).map(String::trim),
        config
            .get(DockerConfigKeys.BIND_ADDRESS)
            .map(String::trim)
            .orElse(inContainer ? "0.0.0.0" : "127.0.0.1"),
        registryHost(config),
        hostNetwork,
        rieOnly,
        config.getDuration(DockerConfigKeys.READINESS_TIMEOUT, Duration.ofSeconds(30)),
        config.getDuration(DockerConfigKeys.PING_TIMEOUT, Duration.ofSeconds(2)),
        config.getDuration(DockerConfigKeys.API_TIMEOUT, Duration.ofMinutes(5)),
        SandboxSettings.from(config, hostUri, inContainer));
  }

  /**
   * Returns the host the embedding process reaches published ports on.
   *
   * @param alias the effective host alias
   * @return the alias when running in a container, else the bind address (loopback for a wildcard)
   */
  String endpointHost(String alias) {
    if (inContainer) {
      return alias;
    }
    return bindAddress.equals("0.0.0.0") ? "127.0.0.1" : bindAddress;
  }

  private static String defaultSocket(Optional<String> runtimeDir) {
    List<Path> candidates = new ArrayList<>();
    candidates.add(Path.of(DOCKER_SOCKET));
    runtimeDir.ifPresent(dir -> candidates.add(Path.of(dir, "podman", "podman.sock")));
    candidates.add(Path.of("/run/podman/podman.sock"));
    Path socket =
        candidates.stream().filter(Files::exists).findFirst().orElse(Path.of(DOCKER_SOCKET));
    return "unix://" + socket;
  }

  private static String oneOf(
      RuntimeConfig config, String key, List<String> allowed, String defaultValue) {
    String value = config.get(key).map(v -> v.trim().toLowerCase(Locale.ROOT)).orElse(defaultValue);
    if (!allowed.contains(value)) {
      throw new ConfigurationException(
          key,
          "configuration key '"
              + key
              + "' has value '"
              + config.get(key).orElse("")
              + "', which"
              + " is not "
              + String.join(" or ", allowed.stream().map(v -> "'" + v + "'").toList())
              + "; use one of these (default '"
              + defaultValue
              + "')");
    }
    return value;
  }

  private static Optional<String> registryHost(RuntimeConfig config) {
    Optional<String> host = config.get(DockerConfigKeys.REGISTRY_HOST).map(String::trim);
    if (host.isPresent() && !HostAccess.isRegistryHost(host.get())) {
      throw new ConfigurationException(
          DockerConfigKeys.REGISTRY_HOST,
          "configuration key '"
              + DockerConfigKeys.REGISTRY_HOST
              + "' has value '"
              + host.get()
              + "', which is not a host name or IP address without a port; set the host alone (an"
              + " IPv6 address in brackets) and the port with 'lambdarun.ecr.registry-port'");
    }
    return host;
  }

  private static URI hostUri(String value) {
    try {
      URI uri = new URI(value.trim());
      if (uri.getScheme() != null && SCHEMES.contains(uri.getScheme())) {
        return uri;
      }
    } catch (URISyntaxException e) {
      // reported below
    }
    throw new ConfigurationException(
        DockerConfigKeys.HOST,
        "Docker host '"
            + value
            + "' (from "
            + DockerConfigKeys.HOST
            + " or DOCKER_HOST) is not an"
            + " engine URI; use 'unix:///var/run/docker.sock' or 'tcp://127.0.0.1:2375'");
  }
}
