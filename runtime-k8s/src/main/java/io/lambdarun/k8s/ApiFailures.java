package io.lambdarun.k8s;

import io.fabric8.kubernetes.client.KubernetesClientException;

/**
 * Words the Kubernetes client's failures for messages: the HTTP code and the API server's reason.
 */
final class ApiFailures {

  private ApiFailures() {}

  /** {@code HTTP <code>: <reason>} when the server answered, else just the reason. */
  static String describe(KubernetesClientException e) {
    return (e.getCode() > 0 ? "HTTP " + e.getCode() + ": " : "") + reason(e);
  }

  /** The API server's status message of a failure, else the exception's message. */
  private static String reason(KubernetesClientException e) {
    if (e.getStatus() != null && e.getStatus().getMessage() != null) {
      return e.getStatus().getMessage();
    }
    return String.valueOf(e.getMessage());
  }
}
