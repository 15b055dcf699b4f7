package io.lambdarun.core.internal.telemetry;

import io.lambdarun.api.LogLine;
import io.lambdarun.api.LogLineListener;
import io.lambdarun.core.model.LambdaFunction;
import io.lambdarun.core.model.LogFormat;
import io.lambdarun.core.model.LogLevel;
import io.lambdarun.core.model.LoggingConfig;
import io.lambdarun.core.telemetry.InvocationReport;
import io.lambdarun.core.telemetry.LogRecord;
import io.lambdarun.core.telemetry.StopReason;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The log stream of one instance: attributes each line the instance writes to the invocation in
 * flight, writes Lambda's platform lines around each invocation, passes every record to the sinks
 * and keeps the invocation's lines for its log tail.
 *
 * <p>A line belongs to the last invocation started on the instance (lines read after an
 * invocation's answer, before the next event, are late lines of that invocation and go to the
 * sinks, not into its tail); lines before the first event have no request id. In JSON format,
 * application records whose {@code level} is below the function's application level, and the
 * platform records (INFO) when the system level is WARN, are dropped, as on Lambda.
 *
 * <p>An invocation's closing lines ({@code END}, {@code REPORT}) may be held until the stream has
 * settled, so that the lines an engine delivers just after the answer reach the sinks before them,
 * stamped no later than the answer, as on Lambda; the next {@code START} and the instance's stop
 * write them at once.
 */
public final class InstanceLog implements LogLineListener {

  /** The most text kept for an invocation's tail; the tail itself is the last 4 KB of it. */
  private static final int TAIL_KEEP_CHARS = 16_384;

  /**
   * How long the stream must have been silent before an invocation's lines count as complete: an
   * engine may deliver an invocation's last lines just after its answer (the local backend a line
   * without newline after two of its 10 ms passes). Bounded by {@link #SETTLE_AT_MOST_NANOS}.
   */
  private static final long SETTLE_QUIET_NANOS = Duration.ofMillis(30).toNanos();

  private static final long SETTLE_AT_MOST_NANOS = Duration.ofMillis(500).toNanos();

  private static final Pattern LEVEL = Pattern.compile("\"level\"\\s*:\\s*\"([A-Za-z]+)\"");

  private final LambdaFunction function;
  private final String logStream;
  private final Sinks sinks;
  private final Clock clock;
  private final LoggingConfig config;
  private String requestId;
  private StringBuilder tail;
  private long lastLineNanos;
  private List<String> held = List.of();
  private Instant heldAt;
  private long heldSinceNanos;
  private volatile boolean streaming;
  private volatile StopReason stopReason;

  InstanceLog(LambdaFunction function, String logStream, Sinks sinks, Clock clock) {
    this.function = function;
    this.logStream = logStream;
    this.sinks = sinks;
    this.clock = clock;
    this.config = function.loggingConfig();
  }

  /**
   * Returns the stream's name.
   *
   * @return {@code YYYY/MM/DD/[<version>]<32 hex>}
   */
  public String logStream() {
    return logStream;
  }

  /**
   * Tells whether the backend streams this instance's output (otherwise core polls it).
   *
   * @return true when {@link io.lambdarun.api.ContainerRuntime#followLogs} accepted the stream
   */
  public boolean streaming() {
    return streaming;
  }

  void streaming(boolean value) {
    streaming = value;
  }

  /**
   * Records why the instance is about to be torn down, unless a reason was recorded before.
   *
   * @param reason the reason the instance-stopped event will carry
   */
  public void stopReason(StopReason reason) {
    if (stopReason == null) {
      stopReason = reason;
    }
  }

  Optional<StopReason> stopReason() {
    return Optional.ofNullable(stopReason);
  }

  @Override
  public void onLine(LogLine line) {
    if (!passesApplicationLevel(line.text())) {
      return;
    }
    synchronized (this) {
      lastLineNanos = System.nanoTime();
      boolean late = !held.isEmpty() && line.timestamp().isAfter(heldAt);
      write(late ? heldAt : line.timestamp(), line.text());
    }
  }

  /**
   * Adds text read by polling {@link io.lambdarun.api.ContainerRuntime#logs}, line by line.
   *
   * @param text the instance's output since the invocation started
   */
  public void polled(String text) {
    if (text.isEmpty()) {
      return;
    }
    Instant now = clock.instant();
    for (String line : text.split("\r?\n", -1)) {
      if (!line.isEmpty()) {
        onLine(new LogLine(now, line));
      }
    }
  }

  /**
   * Waits until the stream has settled: no line for 30 ms since this call or since the last line,
   * whichever is later, 500 ms at most.
   */
  public void awaitQuiet() {
    long since = System.nanoTime();
    long wait;
    while ((wait = untilSettled(since)) > 0) {
      try {
        TimeUnit.NANOSECONDS.sleep(wait);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }

  /**
   * How long until the stream counts as settled for a wait that began at {@code since}.
   *
   * @return nanoseconds, 0 or less when settled
   */
  private synchronized long untilSettled(long since) {
    long now = System.nanoTime();
    long quietAt = Math.max(since, lastLineNanos) + SETTLE_QUIET_NANOS;
    return Math.min(quietAt, since + SETTLE_AT_MOST_NANOS) - now;
  }

  /**
   * Starts an invocation: writes {@code START}, and keeps the invocation's lines when its caller
   * asked for a log tail. Without a sink and without a tail nobody reads the platform lines, and
   * they are not formatted.
   */
  synchronized void start(String id, boolean keepTail) {
    writeHeld();
    requestId = id;
    tail = keepTail ? new StringBuilder() : null;
    if (unread()) {
      return;
    }
    Instant now = clock.instant();
    platform(now, PlatformLines.start(config.logFormat(), now, id, function.version()));
  }

  private boolean unread() {
    return tail == null && sinks.isEmpty();
  }

  /**
   * Writes the lines that end the invocation, or holds them until {@link #settle}, and returns its
   * lines for the log tail ({@code START} to {@code REPORT}; without the closing lines when held).
   */
  synchronized String finish(InvocationReport report, String errorMessage, boolean hold) {
    if (unread()) {
      return "";
    }
    Instant now = report.finished();
    List<String> closing =
        new ArrayList<>(
            PlatformLines.failure(
                config.logFormat(), now, report, function.timeout(), errorMessage));
    closing.add(PlatformLines.end(config.logFormat(), now, report));
    closing.add(PlatformLines.report(config.logFormat(), now, report));
    if (hold) {
      held = closing;
      heldAt = now;
      heldSinceNanos = System.nanoTime();
    } else {
      closing.forEach(line -> platform(now, line));
    }
    String text = tail == null ? "" : tail.toString();
    tail = null;
    return text;
  }

  /**
   * Writes the held closing lines once the stream has settled since they were held.
   *
   * @return nanoseconds until the stream can have settled; 0 when no lines are held any more
   */
  synchronized long settle() {
    if (held.isEmpty()) {
      return 0;
    }
    long wait = untilSettled(heldSinceNanos);
    if (wait > 0) {
      return wait;
    }
    writeHeld();
    return 0;
  }

  /** Writes the held closing lines, if any, now. */
  synchronized void writeHeld() {
    List<String> lines = held;
    held = List.of();
    lines.forEach(line -> platform(heldAt, line));
  }

  private void platform(Instant time, String text) {
    if (config.logFormat() == LogFormat.JSON
        && !LogLevel.INFO.passes(config.effectiveSystemLogLevel())) {
      return;
    }
    write(time, text);
  }

  private void write(Instant time, String text) {
    sinks.accept(
        new LogRecord(
            time,
            function.functionName(),
            function.version(),
            function.effectiveLogGroup(),
            logStream,
            Optional.ofNullable(requestId),
            text));
    if (tail != null) {
      tail.append(text).append('\n');
      if (tail.length() > TAIL_KEEP_CHARS * 2) {
        tail.delete(0, tail.length() - TAIL_KEEP_CHARS);
      }
    }
  }

  private boolean passesApplicationLevel(String text) {
    if (config.logFormat() != LogFormat.JSON || !text.startsWith("{")) {
      return true;
    }
    Matcher level = LEVEL.matcher(text);
    if (!level.find()) {
      return true;
    }
    String name = level.group(1).toUpperCase(Locale.ROOT);
    for (LogLevel known : LogLevel.values()) {
      if (known.name().equals(name)) {
        return known.passes(config.effectiveApplicationLogLevel());
      }
    }
    return true;
  }

  /** The function this stream belongs to. */
  LambdaFunction function() {
    return function;
  }
}
