package io.lambdarun.k8s;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.lambdarun.api.LogLineListener;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The {@link PodLogStream}s of the followed pods: at most one per launched pod, until it ends. */
final class FollowedLogs {

  private static final Logger LOG = LoggerFactory.getLogger(FollowedLogs.class);

  /** How much of a followed pod's latest output {@link #since} returns. */
  private static final int TAIL_BYTES = 64 * 1024;

  private final KubernetesClient client;
  private final String namespace;
  private final Predicate<String> launched;
  private final Map<String, PodLogStream> streams = new ConcurrentHashMap<>();

  /**
   * Creates the bookkeeping, following nothing.
   *
   * @param client the client
   * @param namespace the pods' namespace
   * @param launched tells which pod names the runtime holds; only those are followed
   */
  FollowedLogs(KubernetesClient client, String namespace, Predicate<String> launched) {
    this.client = client;
    this.namespace = namespace;
    this.launched = launched;
  }

  /**
   * Opens one stream on the pod's main container, from its first line, unless the pod is not
   * launched or already followed; nor if the pod stopped being launched meanwhile.
   *
   * @return whether this call started following the pod
   */
  boolean follow(String podName, LogLineListener listener) {
    if (!launched.test(podName) || streams.containsKey(podName)) {
      return false;
    }
    PodLogStream stream;
    try {
      stream = PodLogStream.open(client, namespace, podName, listener, TAIL_BYTES);
    } catch (KubernetesClientException e) {
      LOG.warn(
          "cannot follow the log of pod '{}' ({}); its logs are read on demand",
          podName,
          ApiFailures.describe(e));
      return false;
    }
    if (streams.putIfAbsent(podName, stream) != null || !launched.test(podName)) {
      streams.remove(podName, stream);
      stream.close();
      return false;
    }
    return true;
  }

  /** Returns the followed lines received since a time, or empty when the pod is not followed. */
  Optional<String> since(String podName, Instant since) {
    return Optional.ofNullable(streams.get(podName)).map(stream -> stream.since(since));
  }

  /** Ends the pod's stream, if any. */
  void stop(String podName) {
    PodLogStream stream = streams.remove(podName);
    if (stream != null) {
      stream.close();
    }
  }
}
