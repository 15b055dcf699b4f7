package io.lambdarun.docker;

import io.lambdarun.api.LaunchSpec;
import io.lambdarun.api.PackageType;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;

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
  private final boolean hostNetwork;

  /**
   * Creates a factory.
   *
   * @param bindAddress the host address RIE ports are published on
   * @param extraHosts {@code name:address} entries every workload gets, e.g. the host alias
   * @param hostNetwork whether containers run in host network mode (then without extra hosts: they
   *     share the host's)
   */
  ContainerRequestFactory(String bindAddress, List<String> extraHosts, boolean hostNetwork) {
    this.bindAddress = bindAddress;
    this.extraHosts = hostNetwork ? List.of() : List.copyOf(extraHosts);
    this.hostNetwork = hostNetwork;
  }

  /**
   * Builds the request: the spec's image and platform, the handler as the command of a zip function
   * (the image config's command for an image function), the image config's entry point and working
   * directory, the final environment, the labels, the RIE port on the bind address (none in Runtime
   * API mode: the instance calls core instead), the network mode, the memory limit without swap,
   * and {@code /tmp} as an executable tmpfs of the ephemeral size. Both modes run the image's entry
   * point: AWS's base images and the test images run {@code /var/runtime/bootstrap} when {@code
   * AWS_LAMBDA_RUNTIME_API} is set, the RIE otherwise.
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
        spec.usesRuntimeApi() ? OptionalInt.empty() : OptionalInt.of(RIE_PORT),
        bindAddress,
        hostNetwork,
        spec.memoryMib() * MIB,
        Map.of("/tmp", "size=" + spec.ephemeralStorageMib() + "m,exec"),
        extraHosts);
  }
}
