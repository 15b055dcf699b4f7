package io.lambdarun.core.telemetry;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lambdarun.api.RuntimeConfig;
import io.lambdarun.core.LambdaRuntime;
import io.lambdarun.core.TestFunctions;
import io.lambdarun.core.model.InvocationResult;
import io.lambdarun.core.model.LambdaFunction;
import io.lambdarun.core.testing.LoggingBackend;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/**
 * Listeners see every start, stop (with its reason), invocation and throttle, and cannot break one.
 */
class LambdaRuntimeListenerTest {

  /** Records every event as one line. */
  private static final class Recorder implements LambdaRuntimeListener {
    final List<String> events = new CopyOnWriteArrayList<>();
    final List<InvocationReport> reports = new CopyOnWriteArrayList<>();

    @Override
    public void instanceStarted(InstanceStarted event) {
      events.add("started " + event.instanceId() + " " + !event.initDuration().isNegative());
    }

    @Override
    public void instanceStopped(InstanceStopped event) {
      events.add("stopped " + event.instanceId() + " " + event.reason());
    }

    @Override
    public void invocationStarted(InvocationStarted event) {
      events.add("invoke " + event.instanceId() + " cold=" + event.coldStart());
    }

    @Override
    public void invocationFinished(InvocationReport report) {
      reports.add(report);
      events.add("finished " + report.instanceId() + " " + report.status());
    }

    @Override
    public void throttled(Throttled event) {
      events.add("throttled " + event.functionName());
    }
  }

  /** Throws from every method. */
  private static final class Broken implements LambdaRuntimeListener {
    @Override
    public void instanceStarted(InstanceStarted event) {
      throw new IllegalStateException("broken");
    }

    @Override
    public void invocationStarted(InvocationStarted event) {
      throw new IllegalStateException("broken");
    }

    @Override
    public void invocationFinished(InvocationReport report) {
      throw new IllegalStateException("broken");
    }

    @Override
    public void instanceStopped(InstanceStopped event) {
      throw new IllegalStateException("broken");
    }
  }

  @Test
  void coreRunsItsListenersWithoutMicrometerOnTheClassPath() {
    assertThatThrownBy(() -> Class.forName("io.micrometer.core.instrument.MeterRegistry"))
        .isInstanceOf(ClassNotFoundException.class);
  }

  @Test
  void aScriptedSequenceReportsEveryEventWithItsReasonAndAThrowingListenerBreaksNothing()
      throws Exception {
    LoggingBackend backend = new LoggingBackend(true);
    Recorder recorder = new Recorder();
    LambdaRuntime runtime =
        LambdaRuntime.builder()
            .config(RuntimeConfig.empty())
            .addProvider(backend)
            .backend(backend.name())
            .sweepOrphansOnStart(false)
            .idleTimeout(Duration.ofMillis(300))
            .addListener(new Broken())
            .addListener(recorder)
            .build();
    LambdaFunction fn = TestFunctions.python("listened").timeout(Duration.ofSeconds(1)).build();
    InvocationResult ok;
    try {
      ok = runtime.invoke(fn, "\"fine\"".getBytes(UTF_8));
      runtime.invoke(fn, "\"handled\"".getBytes(UTF_8));
      runtime.invoke(fn, "\"hang\"".getBytes(UTF_8));
      runtime.invoke(fn, "\"exit\"".getBytes(UTF_8));
      runtime.invoke(fn, "\"fine\"".getBytes(UTF_8));
      long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
      while (!recorder.events.contains("stopped logging-3 IDLE") && System.nanoTime() < deadline) {
        Thread.sleep(20);
      }
      runtime.invoke(fn, "\"fine\"".getBytes(UTF_8));
      runtime.evict("listened");
      runtime.invoke(fn, "\"fine\"".getBytes(UTF_8));
      runtime.reportThrottle(fn);
    } finally {
      runtime.close();
    }

    assertThat(ok.payloadUtf8()).isEqualTo("\"fine\"");
    assertThat(recorder.events)
        .containsExactly(
            "started logging-1 true",
            "invoke logging-1 cold=true",
            "finished logging-1 SUCCESS",
            "invoke logging-1 cold=false",
            "finished logging-1 ERROR",
            "invoke logging-1 cold=false",
            "finished logging-1 TIMEOUT",
            "stopped logging-1 TIMED_OUT",
            "started logging-2 true",
            "invoke logging-2 cold=true",
            "finished logging-2 ERROR",
            "stopped logging-2 FAILED",
            "started logging-3 true",
            "invoke logging-3 cold=true",
            "finished logging-3 SUCCESS",
            "stopped logging-3 IDLE",
            "started logging-4 true",
            "invoke logging-4 cold=true",
            "finished logging-4 SUCCESS",
            "stopped logging-4 EVICTED",
            "started logging-5 true",
            "invoke logging-5 cold=true",
            "finished logging-5 SUCCESS",
            "throttled listened",
            "stopped logging-5 CLOSED");
    assertThat(recorder.reports.get(3).errorType()).contains("Runtime.ExitError");
    assertThat(recorder.reports.get(2).errorType()).contains("Sandbox.Timedout");
    assertThat(recorder.reports.get(1).errorType()).contains("E");
    assertThat(recorder.reports)
        .allSatisfy(
            report -> {
              assertThat(report.functionName()).isEqualTo("listened");
              assertThat(report.maxMemoryUsedMib()).hasValue(41);
              assertThat(report.billedDuration()).isGreaterThanOrEqualTo(report.duration());
            });
  }
}
