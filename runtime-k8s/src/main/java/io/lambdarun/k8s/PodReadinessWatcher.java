package io.lambdarun.k8s;

import io.fabric8.kubernetes.api.model.ContainerStateTerminated;
import io.fabric8.kubernetes.api.model.ContainerStateWaiting;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.api.model.PodStatus;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientTimeoutException;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Waits, event-driven (an informer on the one pod, no polling), until a pod is Running and Ready
 * with an IP (RIE-endpoint mode) or Running with its main container started (Runtime API mode,
 * where the pod serves no port and core waits for the runtime client's first call), and fails fast
 * when it cannot get there: an image that cannot be pulled, a crashing or failed container, a
 * failed init container, a terminal phase, or the pod's deletion.
 */
public final class PodReadinessWatcher {

  /** Waiting reasons that mean the pod will not start without a change. */
  static final Set<String> FATAL_WAITING_REASONS =
      Set.of(
          "ErrImagePull",
          "ImagePullBackOff",
          "ErrImageNeverPull",
          "InvalidImageName",
          "CrashLoopBackOff",
          "CreateContainerConfigError",
          "CreateContainerError",
          "RunContainerError");

  /** What the pod's status says about startup. */
  sealed interface Verdict {
    /**
     * The pod is Running, Ready and has an IP; in Runtime API mode, Running with its main container
     * started (the IP is then empty when the status has none yet).
     */
    record Ready(String podIp) implements Verdict {}

    /** The pod cannot start; the reason says why. */
    record Failed(String reason) implements Verdict {}

    /** Still starting. */
    record Pending(String state) implements Verdict {}
  }

  private PodReadinessWatcher() {}

  /**
   * Judges a pod's status.
   *
   * @param pod the pod, or {@code null} when it is gone
   * @return ready, failed with a reason, or still pending
   */
  static Verdict assess(Pod pod) {
    return assess(pod, false);
  }

  /**
   * Judges a Runtime API pod's status: it has no port and no readiness probe, so it is ready once
   * Running with its main container started.
   *
   * @param pod the pod, or {@code null} when it is gone
   * @return ready, failed with a reason, or still pending
   */
  static Verdict assessStarted(Pod pod) {
    return assess(pod, true);
  }

  private static Verdict assess(Pod pod, boolean startedIsReady) {
    if (pod == null) {
      return new Verdict.Failed("the pod was deleted while it was starting");
    }
    if (pod.getMetadata() != null && pod.getMetadata().getDeletionTimestamp() != null) {
      return new Verdict.Failed("the pod is being deleted");
    }
    PodStatus status = pod.getStatus();
    if (status == null) {
      return new Verdict.Pending("no status yet (not scheduled)");
    }
    Optional<String> failure =
        containerFailure(status.getInitContainerStatuses(), true)
            .or(() -> containerFailure(status.getContainerStatuses(), false));
    if (failure.isPresent()) {
      return new Verdict.Failed(failure.get());
    }
    String phase = status.getPhase();
    if ("Failed".equals(phase) || "Succeeded".equals(phase)) {
      return new Verdict.Failed(
          "the pod reached terminal phase '"
              + phase
              + "'"
              + (status.getReason() == null ? "" : " (" + status.getReason() + ")")
              + (status.getMessage() == null ? "" : ": " + status.getMessage()));
    }
    boolean ready =
        status.getConditions() != null
            && status.getConditions().stream()
                .anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus()));
    String ip = status.getPodIP();
    if (startedIsReady) {
      boolean started =
          status.getContainerStatuses() != null
              && status.getContainerStatuses().stream()
                  .anyMatch(
                      c ->
                          PodSpecFactory.MAIN_CONTAINER.equals(c.getName())
                              && c.getState() != null
                              && c.getState().getRunning() != null);
      return "Running".equals(phase) && started
          ? new Verdict.Ready(ip == null ? "" : ip)
          : new Verdict.Pending(
              "phase '"
                  + phase
                  + "', container '"
                  + PodSpecFactory.MAIN_CONTAINER
                  + "' "
                  + (started ? "running" : "not started"));
    }
    if ("Running".equals(phase) && ready && ip != null && !ip.isBlank()) {
      return new Verdict.Ready(ip);
    }
    return new Verdict.Pending(
        "phase '"
            + phase
            + "', ready "
            + ready
            + ", podIP '"
            + (ip == null ? "" : ip)
            + "'"
            + conditionSummary(status.getConditions()));
  }

  /**
   * Waits for the pod to become ready or fail.
   *
   * @param client the client
   * @param namespace the pod's namespace
   * @param name the pod's name
   * @param timeout the deadline
   * @param runtimeApi whether the pod runs in Runtime API mode ({@link #assessStarted})
   * @return the final verdict: ready, failed, or pending when the deadline passed
   */
  static Verdict await(
      KubernetesClient client,
      String namespace,
      String name,
      Duration timeout,
      boolean runtimeApi) {
    AtomicReference<Verdict> last = new AtomicReference<>(new Verdict.Pending("not seen yet"));
    try {
      client
          .pods()
          .inNamespace(namespace)
          .withName(name)
          .waitUntilCondition(
              pod -> {
                Verdict verdict = assess(pod, runtimeApi);
                last.set(verdict);
                return !(verdict instanceof Verdict.Pending);
              },
              timeout.toMillis(),
              TimeUnit.MILLISECONDS);
    } catch (KubernetesClientTimeoutException e) {
      return last.get();
    }
    return last.get();
  }

  private static Optional<String> containerFailure(List<ContainerStatus> statuses, boolean init) {
    if (statuses == null) {
      return Optional.empty();
    }
    for (ContainerStatus status : statuses) {
      String what = (init ? "init container '" : "container '") + status.getName() + "'";
      if (status.getState() == null) {
        continue;
      }
      ContainerStateWaiting waiting = status.getState().getWaiting();
      if (waiting != null && FATAL_WAITING_REASONS.contains(waiting.getReason())) {
        return Optional.of(
            what
                + " is waiting with reason '"
                + waiting.getReason()
                + "'"
                + (waiting.getMessage() == null ? "" : ": " + waiting.getMessage())
                + " (image '"
                + status.getImage()
                + "')");
      }
      ContainerStateTerminated terminated = status.getState().getTerminated();
      if (terminated != null && (!init || !Integer.valueOf(0).equals(terminated.getExitCode()))) {
        return Optional.of(
            what
                + " terminated with exit code "
                + terminated.getExitCode()
                + (terminated.getReason() == null ? "" : " (" + terminated.getReason() + ")")
                + (terminated.getMessage() == null ? "" : ": " + terminated.getMessage()));
      }
    }
    return Optional.empty();
  }

  private static String conditionSummary(List<PodCondition> conditions) {
    if (conditions == null) {
      return "";
    }
    StringBuilder out = new StringBuilder();
    for (PodCondition condition : conditions) {
      if (!"True".equals(condition.getStatus()) && condition.getReason() != null) {
        out.append(", ").append(condition.getType()).append(" ").append(condition.getReason());
      }
    }
    return out.toString();
  }

  /**
   * Formats a deadline for messages.
   *
   * @param timeout the deadline
   * @return e.g. {@code 60s}
   */
  static String seconds(Duration timeout) {
    return timeout.toMillis() % 1000 == 0 ? timeout.toSeconds() + "s" : timeout.toMillis() + "ms";
  }
}
