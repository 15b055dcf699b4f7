package io.lambdarun.docker;

import io.lambdarun.api.LaunchSpec;
import io.lambdarun.api.PackageType;
import java.util.List;
import java.util.Map;

/**
 * Turns a launch spec into the settings of a container create call. Pure: the same spec always
 * yields the same request.
 */
final class ContainerRequestFactory {

  /** The port the RIE endpoint listens on inside the container. */
  static final int RIE_PORT = 8080;

  private static final long MIB = 1024L * 1024L;

  private final String bindAddress;
  private final List<String> extraHosts;

  /**
   * Creates a factory.
   *
   * @param bindAddress the host address RIE ports are published on
   * @param extraHosts {@code name:address} entries every workload gets, e.g. the host alias
   */
  ContainerRequestFactory(String bindAddress, List<String> extraHosts) {
    this.bindAddress = bindAddress;
    this.extraHosts = List.copyOf(extraHosts);
  }

  /**
   * Builds the request: the spec's image and platform, the handler as the command of a zip
   * function (the image config's command for an image function), the image config's entry point
   * and working directory, the final environment, the labels, the RIE port on the bind address,
   * the memory limit without swap, and {@code /tmp} as an executable tmpfs of the ephemeral size.
   *
   * @param spec the launch spec
   * @return the request
   */
  ContainerRequest create(LaunchSpec spec) {
    List<String> command =
        spec.packageType() == PackageType.ZIP
            ? List.of(spec.handler())
            : spec.imageConfig().command();
    List<String> environment =
        spec.environment().entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).toList();
    return new ContainerRequest(
        spec.image(),
        spec.architecture().platform(),
        spec.imageConfig().entryPoint(),
        command,
        spec.imageConfig().workingDirectory(),
        environment,
        spec.sensitiveKeys(),
        spec.labels(),
        RIE_PORT,
        bindAddress,
        spec.memoryMib() * MIB,
        Map.of("/tmp", "size=" + spec.ephemeralStorageMib() + "m,exec"),
        extraHosts);
  }
}
