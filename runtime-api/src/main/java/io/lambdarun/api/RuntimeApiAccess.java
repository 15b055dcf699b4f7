package io.lambdarun.api;

import java.util.Objects;

/**
 * How a backend's workloads reach a Lambda Runtime API that core hosts in the embedding process.
 *
 * <p>For each instance core opens one listener on {@link #bindAddress()} and an ephemeral port, and
 * hands the instance {@code workloadHost:port} as {@link LaunchSpec#runtimeApi()} (and as {@code
 * AWS_LAMBDA_RUNTIME_API}). The bind address is the narrowest one the workloads can reach: a
 * loopback address for processes on this host or containers in host network mode, the bridge's
 * gateway address for containers on a bridge network, never all interfaces when something narrower
 * works.
 *
 * @param bindAddress the local IP address core binds the instances' Runtime API listeners to, for
 *     example {@code 127.0.0.1}
 * @param workloadHost the host name or IP address (without port) under which workloads reach that
 *     address, for example {@code 127.0.0.1} or {@code host.docker.internal}
 */
public record RuntimeApiAccess(String bindAddress, String workloadHost) {

  /**
   * Validates the components.
   *
   * @param bindAddress the local IP address core binds the instances' Runtime API listeners to, for
   *     example {@code 127.0.0.1}
   * @param workloadHost the host name or IP address (without port) under which workloads reach that
   *     address, for example {@code 127.0.0.1} or {@code host.docker.internal}
   */
  public RuntimeApiAccess {
    Objects.requireNonNull(bindAddress, "bindAddress");
    Objects.requireNonNull(workloadHost, "workloadHost");
    if (!HostAccess.isRegistryHost(workloadHost)) {
      throw new IllegalArgumentException(
          "Runtime API workload host '"
              + workloadHost
              + "' is not a host name or IP address"
              + " without a port; give the host alone, core appends each instance's port");
    }
  }

  /**
   * Returns the access for workloads that share the host's loopback interface (local processes,
   * containers and pods in host network mode).
   *
   * @return {@code 127.0.0.1} for both components
   */
  public static RuntimeApiAccess loopback() {
    return new RuntimeApiAccess("127.0.0.1", "127.0.0.1");
  }
}
