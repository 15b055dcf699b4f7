package io.lambdarun.core.pool;

import io.lambdarun.api.ContainerRuntime;
import io.lambdarun.core.internal.telemetry.InvocationTrace;
import io.lambdarun.core.internal.telemetry.Telemetry;
import io.lambdarun.core.model.InvokeOptions;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Base64;
import java.util.Optional;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The log side of {@link FunctionInvoker}'s invocations: waits for an invocation's lines (reading
 * the log of a backend that cannot stream it), ends its trace, and cuts the log tail the caller
 * asked for.
 */
final class InvocationLogs {

  /** How much of the log a log tail returns, in bytes. */
  static final int LOG_TAIL_BYTES = 4096;

  /**
   * How long a log tail may wait for the backend's log to catch up: Docker's log driver and a pod's
   * log receive an instance's output asynchronously, so the lines of an event may land just after
   * its answer. The tail is read again every {@link #LOG_POLL} until it is non-empty and no longer
   * grows, or this much time has passed.
   */
  private static final Duration LOG_SETTLE = Duration.ofMillis(500);

  private static final Duration LOG_POLL = Duration.ofMillis(25);

  private static final Logger LOG = LoggerFactory.getLogger(FunctionInvoker.class);

  private final ContainerRuntime runtime;
  private final Telemetry telemetry;

  InvocationLogs(ContainerRuntime runtime, Telemetry telemetry) {
    this.runtime = runtime;
    this.telemetry = telemetry;
  }

  /**
   * Ends the invocation's trace once its lines are in (polling a backend that cannot stream), and
   * returns its log tail when asked for: the last 4 KB of its lines, {@code START} to {@code
   * REPORT}.
   */
  Optional<String> logResult(
      Lease lease,
      InvokeOptions options,
      Instant since,
      InvocationTrace trace,
      Function<InvocationTrace, String> end) {
    if (!trace.log().streaming()) {
      if (options.logTail()) {
        trace.log().polled(settledLog(lease, since));
      } else if (telemetry.hasSinks()) {
        trace.log().polled(readLog(lease, since));
      }
    } else if (options.logTail()) {
      trace.log().awaitQuiet();
    }
    String log = end.apply(trace);
    if (!options.logTail()) {
      return Optional.empty();
    }
    byte[] bytes = log.getBytes(StandardCharsets.UTF_8);
    byte[] tail =
        Arrays.copyOfRange(bytes, Math.max(0, bytes.length - LOG_TAIL_BYTES), bytes.length);
    return Optional.of(Base64.getEncoder().encodeToString(tail));
  }

  private String settledLog(Lease lease, Instant since) {
    long deadline = System.nanoTime() + LOG_SETTLE.toNanos();
    String log = readLog(lease, since);
    while (System.nanoTime() < deadline) {
      try {
        Thread.sleep(LOG_POLL.toMillis());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return log;
      }
      String again = readLog(lease, since);
      if (!again.isEmpty() && again.equals(log)) {
        return again;
      }
      log = again;
    }
    return log;
  }

  private String readLog(Lease lease, Instant since) {
    try {
      return runtime.logs(lease.instance(), since);
    } catch (RuntimeException e) {
      LOG.warn("reading the log of instance '{}' failed", lease.instance().id(), e);
      return "";
    }
  }
}
