package io.lambdarun.it.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.lambdarun.core.LambdaRuntime;
import io.lambdarun.core.WarmInstance;
import io.lambdarun.core.model.InvocationResult;
import io.lambdarun.core.model.LambdaFunction;
import io.lambdarun.core.model.ProvisionedConcurrency;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Provisioned concurrency on a real backend: the instance outlives the idle timeout while
 * provisioned, one killed while idle is replaced ahead of the next event, and after deprovisioning
 * it idles out as any other.
 */
class ProvisionedFaultsIT {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration IDLE = Duration.ofSeconds(1);

  private LambdaRuntime runtime;

  @AfterEach
  void closeAndCheckNothingLeft() {
    if (runtime != null) {
      runtime.close();
    }
    assertThat(
            Fixtures.eventually(
                Duration.ofSeconds(10), () -> Fixtures.localProcessesOfThisJvm().isEmpty()))
        .as("local processes of this JVM gone after close: %s", Fixtures.localProcessesOfThisJvm())
        .isTrue();
  }

  @Test
  void aProvisionedLocalInstanceKilledWhileIdleIsReplacedAheadOfTheNextEvent() throws Exception {
    // the reaper (idle timeout and provision upkeep) ticks every min(idle timeout, 30 s): 1 s
    runtime = Fixtures.runtime("local").maxInstancesPerFunction(2).idleTimeout(IDLE).build();
    LambdaFunction function = Fixtures.function("provisioned-killed-local", 30);
    ProvisionedConcurrency state = runtime.provision(function, 1).get(60, TimeUnit.SECONDS);
    assertThat(state.status()).isEqualTo(ProvisionedConcurrency.Status.READY);
    String launched = only(runtime.warmInstances()).instanceId();

    Thread.sleep(IDLE.multipliedBy(3).toMillis());
    assertThat(only(runtime.warmInstances()).instanceId())
        .as("kept past the idle timeout while provisioned")
        .isEqualTo(launched);
    InvocationResult first = runtime.invoke(function, Fixtures.event("echo", 1));
    assertThat(first.coldStart()).isFalse();
    long killedPid = json(first).get("pid").asLong();

    ProcessHandle victim = ProcessHandle.of(killedPid).orElseThrow();
    assertThat(victim.destroyForcibly()).isTrue();
    victim.onExit().get(10, TimeUnit.SECONDS);
    assertThat(
            Fixtures.eventually(
                Duration.ofSeconds(30),
                () ->
                    runtime.warmInstances().stream()
                            .anyMatch(instance -> !instance.instanceId().equals(launched))
                        && runtime.provisioned(function).orElseThrow().status()
                            == ProvisionedConcurrency.Status.READY))
        .as("a replacement launched ahead")
        .isTrue();
    InvocationResult second = runtime.invoke(function, Fixtures.event("echo", 2));

    assertThat(second.functionError()).as(second.payloadUtf8()).isEmpty();
    assertThat(second.coldStart()).as("answered by the replacement, launched ahead").isFalse();
    assertThat(json(second).get("pid").asLong()).isNotEqualTo(killedPid);
    assertThat(runtime.warmInstances()).hasSize(1);

    runtime.deprovision(function);
    assertThat(Fixtures.eventually(Duration.ofSeconds(30), () -> runtime.warmInstances().isEmpty()))
        .as("idled out once deprovisioned")
        .isTrue();
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
