package io.lambdarun.k8s;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.lambdarun.api.LaunchFailedException;
import io.lambdarun.api.LaunchSpec;
import io.lambdarun.api.ReadinessProbe;
import java.time.Duration;
import java.util.Optional;

/** Waits for a created pod to start and, in RIE-endpoint mode, for its endpoint to answer. */
final class PodStartWait {

  private final KubernetesClient client;
  private final String namespace;
  private final Duration podReadyTimeout;
  private final Duration endpointReadyTimeout;
  private final PodLogs logs;

  /**
   * Creates the wait.
   *
   * @param client the client
   * @param namespace the pods' namespace
   * @param podReadyTimeout how long a pod may take to start (or get Ready)
   * @param endpointReadyTimeout how long a Ready pod's endpoint may take to answer
   * @param logs appends the pod's log tail to a failure
   */
  PodStartWait(
      KubernetesClient client,
      String namespace,
      Duration podReadyTimeout,
      Duration endpointReadyTimeout,
      PodLogs logs) {
    this.client = client;
    this.namespace = namespace;
    this.podReadyTimeout = podReadyTimeout;
    this.endpointReadyTimeout = endpointReadyTimeout;
    this.logs = logs;
  }

  /**
   * Waits until the pod is Running with its container started (Runtime API mode) or Running and
   * Ready with an IP (RIE-endpoint mode).
   *
   * @return the pod's IP
   * @throws LaunchFailedException if the pod failed, did not get there in time, or could not be
   *     watched
   */
  String awaitPod(LaunchSpec spec, String podName) {
    PodReadinessWatcher.Verdict verdict;
    try {
      verdict =
          PodReadinessWatcher.await(
              client, namespace, podName, podReadyTimeout, spec.usesRuntimeApi());
    } catch (KubernetesClientException e) {
      throw new LaunchFailedException(
          spec.functionName(),
          "function '"
              + spec.functionName()
              + "' could not start: watching pod '"
              + podName
              + "' in namespace '"
              + namespace
              + "' failed ("
              + ApiFailures.describe(e)
              + "); check that the service account may list and watch pods there",
          e);
    }
    if (verdict instanceof PodReadinessWatcher.Verdict.Failed failed) {
      throw new LaunchFailedException(
          spec.functionName(),
          "function '"
              + spec.functionName()
              + "' could not start: pod '"
              + podName
              + "' in namespace '"
              + namespace
              + "' failed: "
              + failed.reason()
              + "; check the image and the pod's events"
              + logs.tail(podName, spec));
    }
    if (verdict instanceof PodReadinessWatcher.Verdict.Pending pending) {
      throw new LaunchFailedException(
          spec.functionName(),
          "function '"
              + spec.functionName()
              + "' could not start: pod '"
              + podName
              + "' in namespace '"
              + namespace
              + "' was not "
              + (spec.usesRuntimeApi()
                  ? "Running with its container started"
                  : "Running and Ready with an IP")
              + " within "
              + PodReadinessWatcher.seconds(podReadyTimeout)
              + " (last seen: "
              + pending.state()
              + "); raise '"
              + KubernetesConfigKeys.POD_READY_TIMEOUT
              + "' or check the pod's events");
    }
    return ((PodReadinessWatcher.Verdict.Ready) verdict).podIp();
  }

  /**
   * Waits until the RIE port of a Ready pod answers HTTP.
   *
   * @throws LaunchFailedException if it does not in time, or the thread is interrupted
   */
  void awaitEndpoint(LaunchSpec spec, String podName, String podIp) {
    ReadinessProbe.Outcome outcome =
        ReadinessProbe.await(podIp, PodSpecFactory.RIE_PORT, endpointReadyTimeout, Optional::empty);
    if (outcome == ReadinessProbe.Outcome.READY) {
      return;
    }
    throw new LaunchFailedException(
        spec.functionName(),
        "function '"
            + spec.functionName()
            + "' could not start: pod '"
            + podName
            + "' is Ready but '"
            + podIp
            + ":"
            + PodSpecFactory.RIE_PORT
            + "' "
            + (outcome == ReadinessProbe.Outcome.INTERRUPTED
                ? "was abandoned: the launching thread was interrupted"
                : "did not answer HTTP within "
                    + PodReadinessWatcher.seconds(endpointReadyTimeout)
                    + "; make sure this process can route to pod IPs (run it inside the cluster)")
            + logs.tail(podName, spec));
  }
}
