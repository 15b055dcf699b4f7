package io.lambdarun.api;

import java.util.Objects;

/**
 * How workloads on a backend reach the embedding host.
 *
 * @param hostAlias the host name or address a workload uses to reach services on the embedding
 *     host, for example {@code host.docker.internal}; core rewrites {@code http://localhost:PORT}
 *     and {@code http://127.0.0.1:PORT} in function environments to it. A loopback value ({@code
 *     127.0.0.1} or {@code localhost}) means workloads share the host's network and no rewriting
 *     happens.
 * @param registryHost the host the backend's image puller uses to reach the embedder's local image
 *     registry, the target of private-ECR URI translation
 */
public record HostAccess(String hostAlias, String registryHost) {

  /** Validates both hosts. */
  public HostAccess {
    Objects.requireNonNull(hostAlias, "hostAlias");
    Objects.requireNonNull(registryHost, "registryHost");
  }

  /**
   * Returns a host access for workloads that run on the host's own network (local processes).
   *
   * @return host access with loopback for both hosts
   */
  public static HostAccess loopback() {
    return new HostAccess("127.0.0.1", "127.0.0.1");
  }

  /**
   * Tells whether workloads already share the host's loopback, so no rewriting is needed.
   *
   * @return true when {@link #hostAlias()} is a loopback name or address
   */
  public boolean isLoopback() {
    return hostAlias.equals("localhost") || hostAlias.startsWith("127.") || hostAlias.equals("::1");
  }
}
