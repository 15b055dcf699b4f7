package io.lambdarun.docker;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.model.Version;
import com.github.dockerjava.core.RemoteApiVersion;
import java.util.Locale;
import java.util.Objects;
import java.util.stream.Stream;

/**
 * What the runtime learned about the engine when it connected.
 *
 * @param version the engine version, e.g. {@code 20.10.24}
 * @param apiVersion the API version the engine speaks, e.g. {@code 1.41}
 * @param podman whether the engine is Podman's Docker-compatible service
 */
record Engine(String version, String apiVersion, boolean podman) {

  private static final RemoteApiVersion HOST_GATEWAY_API = RemoteApiVersion.create(1, 41);

  /**
   * Asks the engine for its version.
   *
   * @param docker a connected client
   * @return the engine description
   */
  static Engine probe(DockerClient docker) {
    return of(docker.versionCmd().exec());
  }

  /**
   * Reads an engine's version answer; Podman names itself in the components or the platform.
   *
   * @param version the answer of {@code GET /version}
   * @return the engine description
   */
  static Engine of(Version version) {
    Stream<String> names =
        Stream.concat(
            version.getComponents() == null
                ? Stream.empty()
                : version.getComponents().stream().map(component -> component.getName()),
            Stream.of(version.getPlatform() == null ? null : version.getPlatform().getName()));
    boolean podman =
        names
            .filter(Objects::nonNull)
            .anyMatch(name -> name.toLowerCase(Locale.ROOT).contains("podman"));
    return new Engine(
        Objects.requireNonNullElse(version.getVersion(), "unknown"),
        Objects.requireNonNullElse(version.getApiVersion(), "unknown"),
        podman);
  }

  /**
   * Returns the product name for messages.
   *
   * @return {@code Podman} or {@code Docker}
   */
  String product() {
    return podman ? "Podman" : "Docker";
  }

  /**
   * Tells whether the engine maps {@code host-gateway} in extra hosts (Docker 20.10, API 1.41).
   *
   * @return true when {@code host-gateway} is understood
   */
  boolean supportsHostGateway() {
    return RemoteApiVersion.parseConfigWithDefault(apiVersion).isGreaterOrEqual(HOST_GATEWAY_API);
  }
}
