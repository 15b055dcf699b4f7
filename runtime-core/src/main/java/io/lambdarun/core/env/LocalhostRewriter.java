package io.lambdarun.core.env;

/**
 * Rewrites {@code http(s)://localhost:PORT} and {@code http(s)://127.0.0.1:PORT} in environment
 * values so that a workload reaches services on the embedding host through its host alias.
 *
 * <p>Only these four exact prefixes are rewritten, everywhere they occur in a value; bare host
 * names, URLs without a port, other schemes and keys are left alone.
 */
final class LocalhostRewriter {

  private static final String[] HOSTS = {"127.0.0.1", "localhost"};
  private static final String[] SCHEMES = {"http://", "https://"};

  private final String targetHost;

  /**
   * Creates a rewriter.
   *
   * @param targetHost the host alias to put in place of the loopback host
   */
  LocalhostRewriter(String targetHost) {
    this.targetHost = targetHost;
  }

  /**
   * Rewrites one value.
   *
   * @param value an environment value
   * @return the value with every loopback URL pointing at the target host
   */
  String rewrite(String value) {
    String result = value;
    for (String host : HOSTS) {
      for (String scheme : SCHEMES) {
        result = result.replace(scheme + host + ":", scheme + targetHost + ":");
      }
    }
    return result;
  }
}
