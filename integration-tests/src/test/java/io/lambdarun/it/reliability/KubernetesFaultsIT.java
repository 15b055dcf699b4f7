package io.lambdarun.it.reliability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.lambdarun.api.LaunchFailedException;
import io.lambdarun.api.PackageType;
import io.lambdarun.core.LambdaRuntime;
import io.lambdarun.core.WarmInstance;
import io.lambdarun.core.model.FunctionError;
import io.lambdarun.core.model.InvocationResult;
import io.lambdarun.core.model.LambdaFunction;
import io.lambdarun.k8s.KubernetesConfigKeys;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Kubernetes faults through the CRUD API server and the test kubelet: a pod deleted out of band
 * between and during invocations, a pod that stays Pending, an image that cannot be pulled, and a
 * handler exceeding its timeout. Launch failures are fast and name the reason; nothing is left
 * behind.
 */
class KubernetesFaultsIT {

  /** The label the test kubelet puts on a pod's Docker containers, naming the pod. */
  private static final String KUBELET_POD_LABEL = "io.lambdarun.test-kubelet.pod";

  private static Cluster cluster;
  private LambdaRuntime runtime;

  @BeforeAll
  static void startCluster() {
    cluster = new Cluster();
  }

  @AfterAll
  static void stopCluster() {
    if (cluster != null) {
      cluster.close();
    }
  }

  @AfterEach
  void closeAndCheckNothingLeft() {
    if (runtime != null) {
      runtime.close();
    }
    assertThat(cluster.podsOfThisJvm()).isEmpty();
    assertThat(cluster.secretsOfPid(Cluster.NAMESPACE, Fixtures.PID)).isZero();
    assertThat(
            Fixtures.eventually(
                Duration.ofSeconds(20), () -> cluster.server().kubelet().containersHeld() == 0))
        .as("kubelet containers after close")
        .isTrue();
  }

  @Test
  void podDeletedOutOfBandBetweenInvocationsIsReplaced() {
    runtime = cluster.runtime().maxInstancesPerFunction(1).build();
    LambdaFunction function = Fixtures.function("k8s-deleted-between", 30);
    runtime.invoke(function, Fixtures.event("echo", 1));
    WarmInstance deleted = runtime.warmInstances().get(0);

    deletePod(deleted.instanceId());
    awaitContainersGone(deleted.instanceId());
    InvocationResult next = runtime.invoke(function, Fixtures.event("echo", 2));

    assertThat(next.functionError()).as(next.payloadUtf8()).isEmpty();
    assertThat(next.payloadUtf8()).contains("\"n\": 2");
    assertThat(next.coldStart()).isTrue();
    assertThat(runtime.warmInstances())
        .singleElement()
        .extracting(WarmInstance::instanceId)
        .isNotEqualTo(deleted.instanceId());
  }

  /**
   * Core hosts the pod's Runtime API and watches its container's status, so a pod deleted under an
   * event answers it as Lambda answers a runtime that died: an Unhandled {@code Runtime.ExitError};
   * the next event starts a new pod.
   */
  @Test
  void podDeletedDuringAnInvocationAnswersItRuntimeExitError() throws Exception {
    runtime = cluster.runtime().maxInstancesPerFunction(1).build();
    LambdaFunction function = Fixtures.function("k8s-deleted-during", 60);
    runtime.invoke(function, Fixtures.event("echo", 1));
    WarmInstance victim = runtime.warmInstances().get(0);

    CompletableFuture<InvocationResult> inFlight =
        CompletableFuture.supplyAsync(() -> runtime.invoke(function, Fixtures.sleepEvent(50)));
    // the handler logs when the event reached it
    assertThat(
            Fixtures.eventually(
                Duration.ofSeconds(30),
                () ->
                    Fixtures.count(
                            cluster
                                .server()
                                .client()
                                .pods()
                                .inNamespace(Cluster.NAMESPACE)
                                .withName(victim.instanceId())
                                .getLog(),
                            "handling sleep")
                        >= 1))
        .as("the event reached the pod")
        .isTrue();
    deletePod(victim.instanceId());
    InvocationResult failed = inFlight.get(30, TimeUnit.SECONDS);
    InvocationResult next = runtime.invoke(function, Fixtures.event("echo", 3));

    assertThat(failed.functionError()).contains(FunctionError.UNHANDLED);
    assertThat(failed.payloadUtf8())
        .contains("\"errorType\":\"Runtime.ExitError\"")
        .contains(
            "RequestId: " + failed.requestId() + " Error: Runtime exited with error: exit status ");
    assertThat(next.functionError()).as(next.payloadUtf8()).isEmpty();
    assertThat(next.payloadUtf8()).contains("\"n\": 3");
    assertThat(next.coldStart()).isTrue();
  }

  /** A namespace no kubelet serves: the pod is never scheduled, so it stays Pending. */
  @Test
  void podStuckPendingFailsTheLaunchAtThePodReadyTimeoutWithTheReason() {
    String unserved = "lambdarun-unscheduled";
    Map<String, String> config = cluster.config(unserved);
    config.put(KubernetesConfigKeys.POD_READY_TIMEOUT, "3s");
    runtime = Cluster.runtime(config).build();

    long start = System.nanoTime();
    LaunchFailedException e =
        catchThrowableOfType(
            LaunchFailedException.class,
            () -> runtime.invoke(Fixtures.function("k8s-pending", 30), Fixtures.event("echo", 1)));
    Duration elapsed = Duration.ofNanos(System.nanoTime() - start);

    assertThat(e).isNotNull();
    assertThat(e.functionName()).isEqualTo("k8s-pending");
    assertThat(e.getMessage())
        .startsWith("function 'k8s-pending' could not start: pod 'lambdarun-k8s-pending-")
        .contains(
            "in namespace '" + unserved + "' was not Running with its container started within 3s")
        .contains("(last seen: no status yet (not scheduled))");
    assertThat(elapsed)
        .as("the launch waited out the 3 s pod-ready timeout")
        .isGreaterThanOrEqualTo(Duration.ofSeconds(3));
    assertThat(runtime.warmInstances()).isEmpty();
    assertThat(cluster.podsOfPid(unserved, Fixtures.PID)).isEmpty();
    assertThat(cluster.secretsOfPid(unserved, Fixtures.PID)).isZero();
  }

  @Test
  void imageThatCannotBePulledFailsFastWithErrImagePull() {
    runtime = cluster.runtime().build();
    String image = "lambdarun-test/no-such-image:" + UUID.randomUUID();
    LambdaFunction function =
        LambdaFunction.builder()
            .functionName("k8s-no-image")
            .packageType(PackageType.IMAGE)
            .imageUri(image)
            .build();

    LaunchFailedException e =
        catchThrowableOfType(
            LaunchFailedException.class, () -> runtime.invoke(function, Fixtures.event("echo", 1)));

    assertThat(e).isNotNull();
    // the reason ends the wait, not the pod-ready timeout (whose message says "within <timeout>")
    assertThat(e.getMessage())
        .startsWith("function 'k8s-no-image' could not start: pod 'lambdarun-k8s-no-image-")
        .contains("container 'lambda' is waiting with reason 'ErrImagePull'")
        .contains(image)
        .doesNotContain(" within ");
    assertThat(runtime.warmInstances()).isEmpty();
  }

  @Test
  void handlerExceedingItsTimeoutGetsTheTimeoutErrorAndItsPodIsReplaced() {
    runtime = cluster.runtime().maxInstancesPerFunction(1).build();
    LambdaFunction function = Fixtures.function("k8s-timeout", 2);
    runtime.invoke(function, Fixtures.event("echo", 1));
    String slow = runtime.warmInstances().get(0).instanceId();

    long start = System.nanoTime();
    InvocationResult timedOut = runtime.invoke(function, Fixtures.sleepEvent(60));
    Duration elapsed = Duration.ofNanos(System.nanoTime() - start);
    InvocationResult next = runtime.invoke(function, Fixtures.event("echo", 2));

    assertThat(timedOut.functionError()).contains(io.lambdarun.core.model.FunctionError.UNHANDLED);
    assertThat(timedOut.payloadUtf8())
        .isEqualTo(
            "{\"errorType\":\"Sandbox.Timedout\",\"errorMessage\":\""
                + timedOut.requestId()
                + " Task timed out after 2.00 seconds\"}");
    assertThat(elapsed)
        .isGreaterThanOrEqualTo(Duration.ofSeconds(2))
        .isLessThan(Duration.ofSeconds(20));
    assertThat(next.functionError()).isEmpty();
    assertThat(next.coldStart()).isTrue();
    assertThat(runtime.warmInstances())
        .singleElement()
        .extracting(WarmInstance::instanceId)
        .isNotEqualTo(slow);
    assertThat(cluster.server().client().pods().inNamespace(Cluster.NAMESPACE).withName(slow).get())
        .isNull();
  }

  /** Deletes a pod as an operator would. */
  private static void deletePod(String podName) {
    assertThat(
            cluster
                .server()
                .client()
                .pods()
                .inNamespace(Cluster.NAMESPACE)
                .withName(podName)
                .delete())
        .as("deleted pod %s", podName)
        .isNotEmpty();
  }

  /** Waits until the kubelet removed the pod's containers from the engine. */
  private static void awaitContainersGone(String podName) {
    assertThat(
            Fixtures.eventually(
                Duration.ofSeconds(30),
                () ->
                    Fixtures.docker()
                        .listContainersCmd()
                        .withShowAll(true)
                        .withLabelFilter(Map.of(KUBELET_POD_LABEL, podName))
                        .exec()
                        .isEmpty()))
        .as("kubelet removed the containers of pod %s", podName)
        .isTrue();
  }
}
