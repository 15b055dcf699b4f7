package io.lambdarun.k8s;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodConditionBuilder;
import io.fabric8.kubernetes.api.model.PodStatus;
import io.fabric8.kubernetes.api.model.PodStatusBuilder;
import io.lambdarun.k8s.PodReadinessWatcher.Verdict;
import org.junit.jupiter.api.Test;

class PodReadinessWatcherTest {

  private static Pod pod(PodStatus status) {
    return new PodBuilder()
        .withNewMetadata()
        .withName("p")
        .endMetadata()
        .withStatus(status)
        .build();
  }

  private static PodStatusBuilder running(String ready) {
    return new PodStatusBuilder()
        .withPhase("Running")
        .withPodIP("10.0.0.7")
        .withConditions(new PodConditionBuilder().withType("Ready").withStatus(ready).build());
  }

  @Test
  void runningReadyWithIpIsReady() {
    assertThat(PodReadinessWatcher.assess(pod(running("True").build())))
        .isEqualTo(new Verdict.Ready("10.0.0.7"));
  }

  @Test
  void runningButNotReadyIsPending() {
    assertThat(PodReadinessWatcher.assess(pod(running("False").build())))
        .isInstanceOf(Verdict.Pending.class);
    assertThat(PodReadinessWatcher.assess(pod(running("True").withPodIP(null).build())))
        .isInstanceOf(Verdict.Pending.class);
    assertThat(PodReadinessWatcher.assess(pod(null))).isInstanceOf(Verdict.Pending.class);
  }

  @Test
  void aRuntimeApiPodIsReadyOnceRunningWithItsContainerStartedWithoutReadyOrIp() {
    PodStatusBuilder started =
        new PodStatusBuilder()
            .withPhase("Running")
            .withContainerStatuses(
                new ContainerStatusBuilder()
                    .withName("lambda")
                    .withNewState()
                    .withNewRunning()
                    .endRunning()
                    .endState()
                    .build());
    PodStatusBuilder notStarted =
        new PodStatusBuilder()
            .withPhase("Running")
            .withContainerStatuses(
                new ContainerStatusBuilder()
                    .withName("lambda")
                    .withNewState()
                    .withNewWaiting()
                    .withReason("ContainerCreating")
                    .endWaiting()
                    .endState()
                    .build());

    assertThat(PodReadinessWatcher.assessStarted(pod(started.build())))
        .isEqualTo(new Verdict.Ready(""));
    assertThat(PodReadinessWatcher.assessStarted(pod(started.withPodIP("10.0.0.7").build())))
        .isEqualTo(new Verdict.Ready("10.0.0.7"));
    assertThat(PodReadinessWatcher.assessStarted(pod(notStarted.build())))
        .isEqualTo(new Verdict.Pending("phase 'Running', container 'lambda' not started"));
    assertThat(PodReadinessWatcher.assess(pod(started.build())))
        .isInstanceOf(Verdict.Pending.class);
  }

  @Test
  void imagePullErrorsFailFastWithTheReason() {
    for (String reason : new String[] {"ErrImagePull", "ImagePullBackOff", "CrashLoopBackOff"}) {
      Pod pod =
          pod(
              new PodStatusBuilder()
                  .withPhase("Pending")
                  .withContainerStatuses(
                      new ContainerStatusBuilder()
                          .withName("lambda")
                          .withImage("no/such:1")
                          .withNewState()
                          .withNewWaiting()
                          .withReason(reason)
                          .withMessage("pull access denied")
                          .endWaiting()
                          .endState()
                          .build())
                  .build());
      assertThat(PodReadinessWatcher.assess(pod))
          .isEqualTo(
              new Verdict.Failed(
                  "container 'lambda' is waiting with reason '"
                      + reason
                      + "': pull access denied (image 'no/such:1')"));
    }
  }

  @Test
  void aFailedInitContainerFailsFast() {
    Pod pod =
        pod(
            new PodStatusBuilder()
                .withPhase("Failed")
                .withInitContainerStatuses(
                    new ContainerStatusBuilder()
                        .withName("lambdarun-init")
                        .withNewState()
                        .withNewTerminated()
                        .withExitCode(1)
                        .withReason("Error")
                        .endTerminated()
                        .endState()
                        .build())
                .build());
    assertThat(PodReadinessWatcher.assess(pod))
        .isEqualTo(
            new Verdict.Failed(
                "init container 'lambdarun-init' terminated with exit code 1 (Error)"));
  }

  @Test
  void aSuccessfulInitContainerIsNoFailure() {
    Pod pod =
        pod(
            running("False")
                .withInitContainerStatuses(
                    new ContainerStatusBuilder()
                        .withName("lambdarun-init")
                        .withNewState()
                        .withNewTerminated()
                        .withExitCode(0)
                        .endTerminated()
                        .endState()
                        .build())
                .build());
    assertThat(PodReadinessWatcher.assess(pod)).isInstanceOf(Verdict.Pending.class);
  }

  @Test
  void terminalPhasesFailFast() {
    assertThat(
            PodReadinessWatcher.assess(pod(new PodStatusBuilder().withPhase("Succeeded").build())))
        .isEqualTo(new Verdict.Failed("the pod reached terminal phase 'Succeeded'"));
    assertThat(
            PodReadinessWatcher.assess(
                pod(new PodStatusBuilder().withPhase("Failed").withReason("Evicted").build())))
        .isEqualTo(new Verdict.Failed("the pod reached terminal phase 'Failed' (Evicted)"));
  }

  @Test
  void aDeletedPodFails() {
    assertThat(PodReadinessWatcher.assess(null))
        .isEqualTo(new Verdict.Failed("the pod was deleted while it was starting"));
  }
}
