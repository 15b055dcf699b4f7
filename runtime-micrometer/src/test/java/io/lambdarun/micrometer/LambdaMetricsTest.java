package io.lambdarun.micrometer;

import static org.assertj.core.api.Assertions.assertThat;

import io.lambdarun.core.telemetry.InstanceStarted;
import io.lambdarun.core.telemetry.InvocationReport;
import io.lambdarun.core.telemetry.InvocationStarted;
import io.lambdarun.core.telemetry.InvocationStatus;
import io.lambdarun.core.telemetry.Throttled;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class LambdaMetricsTest {

  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private final LambdaMetrics metrics = new LambdaMetrics(registry);

  private void invoke(String fn, String id, InvocationStatus status, long millis, boolean cold) {
    metrics.invocationStarted(new InvocationStarted(fn, "$LATEST", "i", id, cold, Instant.EPOCH));
    finish(fn, id, status, millis, cold);
  }

  private void finish(String fn, String id, InvocationStatus status, long millis, boolean cold) {
    metrics.invocationFinished(
        new InvocationReport(
            fn,
            "$LATEST",
            "i",
            id,
            Instant.EPOCH,
            Duration.ofMillis(millis),
            Duration.ofMillis(millis),
            128,
            OptionalLong.empty(),
            cold ? Optional.of(Duration.ofMillis(300)) : Optional.empty(),
            status,
            status == InvocationStatus.SUCCESS ? Optional.empty() : Optional.of("E")));
  }

  private double counter(String name, String fn) {
    return registry
        .get(name)
        .tag("FunctionName", fn)
        .tag("ExecutedVersion", "$LATEST")
        .counter()
        .count();
  }

  private double concurrent(String fn) {
    return registry.get("ConcurrentExecutions").tag("FunctionName", fn).gauge().value();
  }

  @Test
  void aScriptedSequenceProducesLambdasCounts() {
    metrics.instanceStarted(
        new InstanceStarted("a", "$LATEST", "i", "s", Duration.ofMillis(300), Instant.EPOCH));
    invoke("a", "r1", InvocationStatus.SUCCESS, 10, true);
    invoke("a", "r2", InvocationStatus.ERROR, 20, false);
    invoke("a", "r3", InvocationStatus.TIMEOUT, 30, false);
    metrics.invocationStarted(
        new InvocationStarted("a", "$LATEST", "i", "r4", false, Instant.EPOCH));
    metrics.invocationStarted(
        new InvocationStarted("a", "$LATEST", "j", "r5", false, Instant.EPOCH));
    metrics.invocationStarted(
        new InvocationStarted("a", "$LATEST", "k", "r5", false, Instant.EPOCH));
    double busy = concurrent("a");
    finish("a", "r4", InvocationStatus.SUCCESS, 40, false);
    finish("a", "r5", InvocationStatus.FAILURE, 50, false);
    metrics.throttled(new Throttled("a", "$LATEST", Instant.EPOCH));
    metrics.throttled(new Throttled("a", "$LATEST", Instant.EPOCH));
    invoke("b", "r6", InvocationStatus.SUCCESS, 5, false);

    assertThat(counter("Invocations", "a")).isEqualTo(5);
    assertThat(counter("Errors", "a")).isEqualTo(3);
    assertThat(counter("Throttles", "a")).isEqualTo(2);
    assertThat(counter("ColdStarts", "a")).isEqualTo(1);
    assertThat(counter("Invocations", "b")).isEqualTo(1);
    assertThat(counter("Errors", "b")).isZero();
    assertThat(busy).isEqualTo(2);
    assertThat(concurrent("a")).isZero();
    assertThat(registry.get("Duration").tag("FunctionName", "a").timer().count()).isEqualTo(5);
    assertThat(
            registry
                .get("Duration")
                .tag("FunctionName", "a")
                .timer()
                .totalTime(TimeUnit.MILLISECONDS))
        .isEqualTo(150);
    assertThat(
            registry
                .get("InitDuration")
                .tag("FunctionName", "a")
                .timer()
                .max(TimeUnit.MILLISECONDS))
        .isEqualTo(300);
  }
}
