package io.lambdarun.micrometer;

import io.lambdarun.core.telemetry.InstanceStarted;
import io.lambdarun.core.telemetry.InvocationReport;
import io.lambdarun.core.telemetry.InvocationStarted;
import io.lambdarun.core.telemetry.InvocationStatus;
import io.lambdarun.core.telemetry.LambdaRuntimeListener;
import io.lambdarun.core.telemetry.Throttled;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Lambda's {@code AWS/Lambda} metrics as Micrometer meters, fed by core's listener SPI: register
 * one with {@code LambdaRuntime.builder().addListener(new LambdaMetrics(registry))} (or bind it in
 * Guice's {@code LambdaRuntimeListener} set).
 *
 * <p>Meters carry CloudWatch's names and are tagged {@code FunctionName} and {@code
 * ExecutedVersion}: counters {@code Invocations}, {@code Errors} (function errors, timeouts and
 * failures underneath an invocation), {@code Throttles} and {@code ColdStarts}; timers {@code
 * Duration} (Lambda's {@code Duration}, without init) and {@code InitDuration}; the gauge {@code
 * ConcurrentExecutions} (events in flight).
 */
public final class LambdaMetrics implements LambdaRuntimeListener {

  private final MeterRegistry registry;
  private final Map<Tags, Set<String>> inFlight = new ConcurrentHashMap<>();

  /**
   * Creates the metrics.
   *
   * @param registry where the meters are registered
   */
  public LambdaMetrics(MeterRegistry registry) {
    this.registry = Objects.requireNonNull(registry, "registry");
  }

  @Override
  public void instanceStarted(InstanceStarted event) {
    Tags tags = tags(event.functionName(), event.version());
    Timer.builder("InitDuration").tags(tags).register(registry).record(event.initDuration());
    Counter.builder("ColdStarts").tags(tags).register(registry).increment();
  }

  @Override
  public void invocationStarted(InvocationStarted event) {
    inFlight(tags(event.functionName(), event.version())).add(event.requestId());
  }

  @Override
  public void invocationFinished(InvocationReport report) {
    Tags tags = tags(report.functionName(), report.version());
    inFlight(tags).remove(report.requestId());
    Counter.builder("Invocations").tags(tags).register(registry).increment();
    Counter errors = Counter.builder("Errors").tags(tags).register(registry);
    if (report.status() != InvocationStatus.SUCCESS) {
      errors.increment();
    }
    Timer.builder("Duration").tags(tags).register(registry).record(report.duration());
  }

  @Override
  public void throttled(Throttled event) {
    Counter.builder("Throttles")
        .tags(tags(event.functionName(), event.version()))
        .register(registry)
        .increment();
  }

  private Set<String> inFlight(Tags tags) {
    return inFlight.computeIfAbsent(
        tags,
        key -> {
          Set<String> requests = ConcurrentHashMap.newKeySet();
          Gauge.builder("ConcurrentExecutions", requests, Set::size).tags(key).register(registry);
          return requests;
        });
  }

  private static Tags tags(String functionName, String version) {
    return Tags.of("FunctionName", functionName, "ExecutedVersion", version);
  }
}
