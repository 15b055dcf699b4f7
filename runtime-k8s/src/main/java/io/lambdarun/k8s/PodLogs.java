package io.lambdarun.k8s;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.lambdarun.api.LaunchSpec;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Reads a pod's logs from the API server: since a time, or a masked tail for an error message. */
final class PodLogs {

  private static final Logger LOG = LoggerFactory.getLogger(PodLogs.class);
  private static final int TAIL_LINES = 20;
  private static final int TAIL_CHARS = 2_000;

  private final KubernetesClient client;
  private final String namespace;
  private final String token;

  /**
   * Creates a reader.
   *
   * @param client the client
   * @param namespace the pods' namespace
   * @param token the artifact server's bearer token, masked in every tail
   */
  PodLogs(KubernetesClient client, String namespace, String token) {
    this.client = client;
    this.namespace = namespace;
    this.token = token;
  }

  /** Returns the main container's log since a time; empty if it cannot be read. */
  String since(String podName, Instant since) {
    try {
      String log =
          client
              .pods()
              .inNamespace(namespace)
              .withName(podName)
              .inContainer(PodSpecFactory.MAIN_CONTAINER)
              .sinceTime(since.toString())
              .getLog();
      return log == null ? "" : log;
    } catch (KubernetesClientException e) {
      if (e.getCode() != 404) {
        LOG.warn("could not read the log of pod '{}' ({})", podName, ApiFailures.describe(e));
      }
      return "";
    }
  }

  /**
   * Returns the last lines of the pod's containers for an exception message, with the token and the
   * sensitive values (and their base64 forms) masked, since a container may print anything.
   */
  String tail(String podName, LaunchSpec spec) {
    StringBuilder out = new StringBuilder();
    for (String container : List.of(PodSpecFactory.INIT_CONTAINER, PodSpecFactory.MAIN_CONTAINER)) {
      try {
        String log =
            client
                .pods()
                .inNamespace(namespace)
                .withName(podName)
                .inContainer(container)
                .tailingLines(TAIL_LINES)
                .getLog();
        if (log != null && !log.isBlank()) {
          String text = mask(log.strip(), spec);
          if (text.length() > TAIL_CHARS) {
            text = "..." + text.substring(text.length() - TAIL_CHARS);
          }
          out.append("; last lines of container '").append(container).append("':\n").append(text);
        }
      } catch (KubernetesClientException e) {
        // no log for a container that never started
      }
    }
    return out.toString();
  }

  private String mask(String text, LaunchSpec spec) {
    List<String> secrets = new ArrayList<>();
    secrets.add(token);
    for (String key : spec.sensitiveKeys()) {
      String value = spec.environment().get(key);
      if (value != null) {
        secrets.add(value);
      }
    }
    return mask(text, secrets);
  }

  /**
   * Replaces each secret of at least 4 characters, and its base64 form, by {@code ***}.
   *
   * @param text any text
   * @param secrets the values to hide
   * @return the masked text
   */
  static String mask(String text, List<String> secrets) {
    String masked = text;
    for (String secret : secrets) {
      if (secret.length() < 4) {
        continue;
      }
      masked = masked.replace(secret, "***");
      masked =
          masked.replace(
              Base64.getEncoder().encodeToString(secret.getBytes(StandardCharsets.UTF_8)), "***");
    }
    return masked;
  }
}
