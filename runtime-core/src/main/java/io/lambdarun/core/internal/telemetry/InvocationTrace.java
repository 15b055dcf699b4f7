package io.lambdarun.core.internal.telemetry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.lambdarun.api.ContainerRuntime;
import io.lambdarun.api.Instance;
import io.lambdarun.core.model.LambdaFunction;
import io.lambdarun.core.telemetry.InvocationReport;
import io.lambdarun.core.telemetry.InvocationStatus;
import io.lambdarun.core.telemetry.StopReason;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.OptionalLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** One invocation in flight on an instance, from its {@code START} to its {@code REPORT}. */
public final class InvocationTrace {

  private static final Logger LOG = LoggerFactory.getLogger(InvocationTrace.class);

  private static final ObjectMapper JSON = new ObjectMapper();

  private final Telemetry telemetry;
  private final ContainerRuntime runtime;
  private final LambdaFunction function;
  private final Instance instance;
  private final InstanceLog log;
  private final String requestId;
  private final Optional<Duration> initDuration;
  private final boolean reportRead;
  private final boolean holdClosingLines;
  private final Clock clock;
  private final long startNanos = System.nanoTime();

  InvocationTrace(
      Telemetry telemetry,
      ContainerRuntime runtime,
      LambdaFunction function,
      Instance instance,
      InstanceLog log,
      String requestId,
      Optional<Duration> initDuration,
      boolean reportRead,
      boolean holdClosingLines,
      Clock clock) {
    this.telemetry = telemetry;
    this.runtime = runtime;
    this.function = function;
    this.instance = instance;
    this.log = log;
    this.requestId = requestId;
    this.initDuration = initDuration;
    this.reportRead = reportRead;
    this.holdClosingLines = holdClosingLines;
    this.clock = clock;
  }

  /**
   * Returns the instance's log stream.
   *
   * @return the stream
   */
  public InstanceLog log() {
    return log;
  }

  /**
   * Ends an invocation the function answered with a result.
   *
   * @return the invocation's lines for its log tail, {@code START} to {@code REPORT}
   */
  public String succeeded() {
    return finish(InvocationStatus.SUCCESS, Optional.empty(), "");
  }

  /**
   * Ends an invocation the function answered with an error document (a {@code Runtime.ExitError}
   * included, whose message Lambda repeats in the log).
   *
   * @param errorDocument the {@code errorType}/{@code errorMessage} document
   * @return the invocation's lines for its log tail
   */
  public String erred(byte[] errorDocument) {
    String type = "";
    String message = "";
    try {
      JsonNode document = JSON.readTree(errorDocument);
      if (document != null) {
        type = document.path("errorType").asText("");
        message = document.path("errorMessage").asText("");
      }
    } catch (IOException e) {
      LOG.debug("the error document of invocation '{}' is not JSON", requestId);
    }
    return finish(InvocationStatus.ERROR, Optional.of(type).filter(t -> !t.isEmpty()), message);
  }

  /**
   * Ends an invocation that exceeded the function's timeout; its instance is to be replaced ({@link
   * StopReason#TIMED_OUT}).
   *
   * @return the invocation's lines for its log tail, the {@code Task timed out} line included
   */
  public String timedOut() {
    log.stopReason(StopReason.TIMED_OUT);
    return finish(InvocationStatus.TIMEOUT, Optional.of("Sandbox.Timedout"), "");
  }

  /**
   * Ends an invocation whose instance or backend failed underneath it; the instance is to be
   * replaced ({@link StopReason#FAILED}).
   */
  public void failed() {
    log.stopReason(StopReason.FAILED);
    finish(InvocationStatus.FAILURE, Optional.empty(), "");
  }

  /** Records that the instance is to be replaced because it failed ({@link StopReason#FAILED}). */
  public void instanceFailed() {
    log.stopReason(StopReason.FAILED);
  }

  private String finish(InvocationStatus status, Optional<String> errorType, String errorMessage) {
    Duration duration = hundredthsOfAMillisecond(Duration.ofNanos(System.nanoTime() - startNanos));
    Duration billed =
        duration.plus(
            initDuration.map(InvocationTrace::hundredthsOfAMillisecond).orElse(Duration.ZERO));
    long billedMillis = (billed.toNanos() + 999_999) / 1_000_000;
    InvocationReport report =
        new InvocationReport(
            function.functionName(),
            function.version(),
            instance.id(),
            requestId,
            clock.instant(),
            duration,
            Duration.ofMillis(billedMillis),
            function.memoryMib(),
            maxMemoryUsed(),
            initDuration,
            status,
            errorType);
    boolean hold = holdClosingLines && log.streaming();
    String tail = log.finish(report, errorMessage, hold);
    telemetry.finished(report);
    if (hold) {
      telemetry.settleLater(log);
    }
    return tail;
  }

  /**
   * Rounds to the 0.01 ms the REPORT line shows, so that the billed duration is the shown durations
   * rounded up, never a millisecond more (140.003 ms is shown as 140.00 and billed as 140).
   */
  private static Duration hundredthsOfAMillisecond(Duration duration) {
    return Duration.ofNanos((duration.toNanos() + 5_000) / 10_000 * 10_000);
  }

  /**
   * Asks the backend for the peak memory only when a sink, a listener or a log tail reads the
   * report: on the local backend the question reads two files per process, a tenth of a warm
   * invoke.
   */
  private OptionalLong maxMemoryUsed() {
    if (!reportRead) {
      return OptionalLong.empty();
    }
    try {
      return runtime.maxMemoryUsedBytes(instance);
    } catch (RuntimeException e) {
      LOG.warn("reading the peak memory of instance '{}' failed", instance.id(), e);
      return OptionalLong.empty();
    }
  }
}
