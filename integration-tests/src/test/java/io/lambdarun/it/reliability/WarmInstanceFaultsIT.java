package io.lambdarun.it.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.dockerjava.api.exception.NotFoundException;
import io.lambdarun.core.LambdaRuntime;
import io.lambdarun.core.WarmInstance;
import io.lambdarun.core.model.FunctionError;
import io.lambdarun.core.model.InvocationResult;
import io.lambdarun.core.model.LambdaFunction;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A warm instance killed underneath the runtime: between invocations the next invoke succeeds on a
 * fresh instance (or process); during an invocation that one invocation fails with the outcome
 * below and the next succeeds. A handler exceeding its timeout gets Lambda's timeout error after
 * the timeout, and its instance is replaced.
 *
 * <p>Docker kills are {@code docker kill} of the container; local kills are {@code SIGKILL} of the
 * function's process (the local instance is an in-JVM endpoint hosting the Runtime API plus that
 * process).
 */
class WarmInstanceFaultsIT {

  private static final ObjectMapper JSON = new ObjectMapper();

  private LambdaRuntime runtime;

  @AfterEach
  void closeAndCheckNothingLeft() {
    if (runtime != null) {
      runtime.close();
    }
    assertThat(Fixtures.containersOfThisJvm()).isEmpty();
    assertThat(
            Fixtures.eventually(
                Duration.ofSeconds(10), () -> Fixtures.localProcessesOfThisJvm().isEmpty()))
        .as("local processes of this JVM gone after close: %s", Fixtures.localProcessesOfThisJvm())
        .isTrue();
  }

  @Test
  void dockerContainerKilledBetweenInvocationsIsReplacedTransparently() {
    runtime = Fixtures.runtime("docker").maxInstancesPerFunction(1).build();
    LambdaFunction function = Fixtures.function("killed-between-docker", 30);
    InvocationResult first = runtime.invoke(function, Fixtures.event("echo", 1));
    WarmInstance killed = only(runtime.warmInstances());

    Fixtures.docker().killContainerCmd(killed.details().get("containerId")).exec();
    InvocationResult second = runtime.invoke(function, Fixtures.event("echo", 2));

    assertThat(first.functionError()).isEmpty();
    assertThat(second.functionError()).isEmpty();
    assertThat(json(second).get("n").asInt()).isEqualTo(2);
    assertThat(second.coldStart()).isTrue();
    WarmInstance fresh = only(runtime.warmInstances());
    assertThat(fresh.instanceId()).isNotEqualTo(killed.instanceId());
    assertThat(containerExists(killed.details().get("containerId")))
        .as("killed container removed")
        .isFalse();
  }

  @Test
  void localProcessKilledBetweenInvocationsIsReplacedTransparently() throws Exception {
    runtime = Fixtures.runtime("local").maxInstancesPerFunction(1).build();
    LambdaFunction function = Fixtures.function("killed-between-local", 30);
    InvocationResult first = runtime.invoke(function, Fixtures.event("echo", 1));
    long killedPid = json(first).get("pid").asLong();

    sigkill(killedPid);
    InvocationResult second = runtime.invoke(function, Fixtures.event("echo", 2));

    assertThat(first.functionError()).isEmpty();
    assertThat(second.functionError()).as(second.payloadUtf8()).isEmpty();
    assertThat(json(second).get("n").asInt()).isEqualTo(2);
    assertThat(json(second).get("pid").asLong()).isNotEqualTo(killedPid);
    assertThat(runtime.warmInstances()).hasSize(1);
  }

  /**
   * Core hosts the container's Runtime API and asks the engine whether it exited, so a container
   * killed under an event answers it as Lambda answers a runtime that died: an Unhandled {@code
   * Runtime.ExitError} naming the request and the status; the next event starts a new container.
   */
  @Test
  void dockerContainerKilledDuringAnInvocationAnswersItRuntimeExitError() throws Exception {
    runtime = Fixtures.runtime("docker").maxInstancesPerFunction(1).build();
    LambdaFunction function = Fixtures.function("killed-during-docker", 60);
    runtime.invoke(function, Fixtures.event("echo", 1));
    WarmInstance victim = only(runtime.warmInstances());

    CompletableFuture<InvocationResult> inFlight =
        CompletableFuture.supplyAsync(() -> runtime.invoke(function, Fixtures.sleepEvent(50)));
    awaitBusy(victim.instanceId());
    // the handler logs when the event reached it
    String containerId = victim.details().get("containerId");
    assertThat(
            Fixtures.eventually(
                Duration.ofSeconds(30),
                () -> Fixtures.count(Fixtures.dockerLog(containerId), "handling sleep") >= 1))
        .as("the event reached the container")
        .isTrue();
    Fixtures.docker().killContainerCmd(containerId).exec();
    InvocationResult failed = inFlight.get(30, TimeUnit.SECONDS);
    InvocationResult next = runtime.invoke(function, Fixtures.event("echo", 3));

    assertThat(failed.functionError()).contains(FunctionError.UNHANDLED);
    assertThat(json(failed).get("errorType").asText()).isEqualTo("Runtime.ExitError");
    assertThat(json(failed).get("errorMessage").asText())
        .isEqualTo(
            "RequestId: "
                + failed.requestId()
                + " Error: Runtime exited with error: exit status 137");
    assertThat(next.functionError()).isEmpty();
    assertThat(json(next).get("n").asInt()).isEqualTo(3);
    assertThat(next.coldStart()).isTrue();
    assertThat(only(runtime.warmInstances()).instanceId()).isNotEqualTo(victim.instanceId());
    assertThat(containerExists(victim.details().get("containerId"))).isFalse();
  }

  /**
   * The local instance hosts the Runtime API, so it sees the process die and answers as Lambda
   * answers a crashed runtime: an Unhandled {@code Runtime.ExitError} for that request; the next
   * event starts a fresh process.
   */
  @Test
  void localProcessKilledDuringAnInvocationFailsThatOneAsRuntimeExit() throws Exception {
    runtime = Fixtures.runtime("local").maxInstancesPerFunction(1).build();
    LambdaFunction function = Fixtures.function("killed-during-local", 60);
    long victimPid = json(runtime.invoke(function, Fixtures.event("echo", 1))).get("pid").asLong();
    WarmInstance victim = only(runtime.warmInstances());

    CompletableFuture<InvocationResult> inFlight =
        CompletableFuture.supplyAsync(() -> runtime.invoke(function, Fixtures.sleepEvent(50)));
    awaitBusy(victim.instanceId());
    Thread.sleep(300); // let the event reach the handler, not just the instance
    long start = System.nanoTime();
    sigkill(victimPid);
    InvocationResult failed = inFlight.get(30, TimeUnit.SECONDS);
    Duration afterKill = Duration.ofNanos(System.nanoTime() - start);
    InvocationResult next = runtime.invoke(function, Fixtures.event("echo", 3));

    assertThat(failed.functionError()).contains(FunctionError.UNHANDLED);
    assertThat(json(failed).get("errorType").asText()).isEqualTo("Runtime.ExitError");
    // the id is the local Runtime API's own, not InvocationResult.requestId (see RELIABILITY.md)
    assertThat(json(failed).get("errorMessage").asText())
        .matches("RequestId: [0-9a-f-]{36} Error: Runtime exited with error: exit status 137");
    assertThat(afterKill)
        .as("answered when the process died, not at the timeout")
        .isLessThan(Duration.ofSeconds(20));
    assertThat(next.functionError()).as(next.payloadUtf8()).isEmpty();
    assertThat(json(next).get("n").asInt()).isEqualTo(3);
    assertThat(json(next).get("pid").asLong()).isNotEqualTo(victimPid);
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"local", "docker"})
  void handlerExceedingItsTimeoutGetsTheTimeoutErrorAndItsInstanceIsReplaced(String backend) {
    runtime = Fixtures.runtime(backend).maxInstancesPerFunction(1).build();
    LambdaFunction function = Fixtures.function("timeout-" + backend, 2);
    runtime.invoke(function, Fixtures.event("echo", 1));
    WarmInstance slow = only(runtime.warmInstances());

    long start = System.nanoTime();
    InvocationResult timedOut = runtime.invoke(function, Fixtures.sleepEvent(60));
    Duration elapsed = Duration.ofNanos(System.nanoTime() - start);
    List<WarmInstance> afterTimeout = runtime.warmInstances();
    InvocationResult next = runtime.invoke(function, Fixtures.event("echo", 2));

    assertThat(timedOut.functionError()).contains(FunctionError.UNHANDLED);
    assertThat(json(timedOut).get("errorType").asText()).isEqualTo("Sandbox.Timedout");
    assertThat(json(timedOut).get("errorMessage").asText())
        .isEqualTo(timedOut.requestId() + " Task timed out after 2.00 seconds");
    // at least the function's timeout, and far below the 60 s the handler would take
    assertThat(elapsed)
        .isGreaterThanOrEqualTo(Duration.ofSeconds(2))
        .isLessThan(Duration.ofSeconds(20));
    assertThat(afterTimeout).extracting(WarmInstance::instanceId).doesNotContain(slow.instanceId());
    assertThat(next.functionError()).isEmpty();
    assertThat(next.coldStart()).isTrue();
    assertThat(json(next).get("n").asInt()).isEqualTo(2);
    assertThat(only(runtime.warmInstances()).instanceId()).isNotEqualTo(slow.instanceId());
    if (backend.equals("docker")) {
      assertThat(containerExists(slow.details().get("containerId"))).isFalse();
    }
  }

  private void awaitBusy(String instanceId) {
    assertThat(
            Fixtures.eventually(
                Duration.ofSeconds(30),
                () ->
                    runtime.warmInstances().stream()
                        .anyMatch(
                            instance ->
                                instance.instanceId().equals(instanceId) && instance.busy())))
        .as("instance '%s' busy", instanceId)
        .isTrue();
  }

  private static void sigkill(long pid) throws Exception {
    ProcessHandle handle =
        ProcessHandle.of(pid).orElseThrow(() -> new AssertionError("no process " + pid));
    assertThat(handle.destroyForcibly()).isTrue();
    handle.onExit().get(10, TimeUnit.SECONDS);
  }

  private static boolean containerExists(String id) {
    try {
      Fixtures.docker().inspectContainerCmd(id).exec();
      return true;
    } catch (NotFoundException e) {
      return false;
    }
  }

  private static WarmInstance only(List<WarmInstance> instances) {
    assertThat(instances).hasSize(1);
    return instances.get(0);
  }

  private static JsonNode json(InvocationResult result) {
    try {
      return JSON.readTree(result.payload());
    } catch (IOException e) {
      throw new AssertionError("not JSON: " + result.payloadUtf8(), e);
    }
  }
}
