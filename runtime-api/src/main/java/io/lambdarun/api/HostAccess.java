package io.lambdarun.api;

import java.util.Objects;
import java.util.regex.Pattern;

/**
 * How workloads on a backend reach the embedding host.
 *
 * @param hostAlias the host name or address a workload uses to reach services on the embedding
 *     host, for example {@code host.docker.internal}; core rewrites {@code http://localhost:PORT}
 *     and {@code http://127.0.0.1:PORT} in function environments to it. A loopback value ({@code
 *     127.0.0.1} or {@code localhost}) means workloads share the host's network and no rewriting
 *     happens.
 * @param registryHost the host the backend's image puller uses to reach the embedder's local image
 *     registry, the target of private-ECR URI translation. It is a host only, never with a port: a
 *     DNS name, an IPv4 address, or an IPv6 address in brackets, exactly as it appears in an image
 *     reference before the port. Core appends the registry port the embedder configured and
 *     translates {@code <account>.dkr.ecr.<region>.amazonaws.com/<repository>:<tag>} to {@code
 *     <registryHost>:<port>/<repository>:<tag>} (digests kept); see {@link #isRegistryHost}.
 */
public record HostAccess(String hostAlias, String registryHost) {

  private static final String DNS_LABEL = "[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?";
  private static final Pattern REGISTRY_HOST =
      Pattern.compile(
          DNS_LABEL + "(?:\\." + DNS_LABEL + ")*" + "|\\[[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*\\]");

  /**
   * Checks both hosts.
   *
   * @param hostAlias the host name or address workloads reach the host by
   * @param registryHost the registry host, without a port
   * @throws IllegalArgumentException if {@code registryHost} is not a host as {@link
   *     #isRegistryHost} defines it, for example because it carries a port
   */
  public HostAccess {
    Objects.requireNonNull(hostAlias, "hostAlias");
    Objects.requireNonNull(registryHost, "registryHost");
    if (!isRegistryHost(registryHost)) {
      throw new IllegalArgumentException(
          "registry host '"
              + registryHost
              + "' is not a host name or IP address without a port;"
              + " give the host alone (an IPv6 address in brackets), core appends the port");
    }
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
   * Tells whether a value can be a {@link #registryHost()}: a DNS name or IPv4 address (labels of
   * letters, digits and inner hyphens, separated by dots) or an IPv6 address in brackets, with no
   * port, path, user or scheme. Backends use it to check a configured registry host.
   *
   * @param value a candidate host
   * @return true when {@code value:port/repository} is an image reference on that host
   */
  public static boolean isRegistryHost(String value) {
    return REGISTRY_HOST.matcher(value).matches();
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
