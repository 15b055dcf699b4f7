package io.lambdarun.core.internal.telemetry;

import io.lambdarun.api.ContainerRuntime;
import io.lambdarun.api.Instance;
import io.lambdarun.api.LaunchSpec;
import io.lambdarun.core.env.FunctionEnvironment;
import io.lambdarun.core.model.LambdaFunction;
import io.lambdarun.core.telemetry.InstanceStarted;
import io.lambdarun.core.telemetry.InstanceStopped;
import io.lambdarun.core.telemetry.InvocationReport;
import io.lambdarun.core.telemetry.InvocationStarted;
import io.lambdarun.core.telemetry.LambdaRuntimeListener;
import io.lambdarun.core.telemetry.LogSink;
import io.lambdarun.core.telemetry.StopReason;
import io.lambdarun.core.telemetry.Throttled;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What core reports about its instances and invocations: the log stream of every live instance, the
 * embedder's {@link LogSink}s and {@link LambdaRuntimeListener}s. One per {@link
 * io.lambdarun.core.LambdaRuntime}; thread-safe.
 */
public final class Telemetry {

  private static final Logger LOG = LoggerFactory.getLogger(Telemetry.class);

  private final Sinks sinks;
  private final Listeners listeners;
  private final Clock clock;
  private final Map<String, InstanceLog> logs = new ConcurrentHashMap<>();
  private ScheduledExecutorService settler; // guarded by this; started on first use
  private boolean closed; // guarded by this

  /**
   * Creates the telemetry of one runtime.
   *
   * @param sinks receive every log record
   * @param listeners receive the lifecycle events
   * @param clock the time source of records and events
   */
  public Telemetry(List<LogSink> sinks, List<LambdaRuntimeListener> listeners, Clock clock) {
    this.sinks = new Sinks(sinks);
    this.listeners = new Listeners(listeners);
    this.clock = clock;
  }

  /**
   * Tells whether any sink receives records, so that a backend that cannot stream is polled.
   *
   * @return true when at least one sink is registered
   */
  public boolean hasSinks() {
    return !sinks.isEmpty();
  }

  /**
   * Opens the log stream of an instance about to be launched, named by the spec's {@code
   * AWS_LAMBDA_LOG_STREAM_NAME}.
   *
   * @param function the function
   * @param spec the instance's launch spec
   * @return the stream, not yet attached to an instance
   */
  public InstanceLog open(LambdaFunction function, LaunchSpec spec) {
    String stream =
        Optional.ofNullable(spec.environment().get("AWS_LAMBDA_LOG_STREAM_NAME"))
            .orElseGet(FunctionEnvironment::newStreamId);
    return new InstanceLog(function, stream, sinks, clock);
  }

  /**
   * Attaches a stream to its launched instance: asks the backend to stream the instance's output
   * into it (core polls otherwise) and reports the start.
   *
   * @param log the stream opened for the launch
   * @param instance the ready instance
   * @param initDuration how long the launch took
   * @param runtime the backend
   */
  public void started(
      InstanceLog log, Instance instance, Duration initDuration, ContainerRuntime runtime) {
    logs.put(instance.id(), log);
    boolean streaming;
    try {
      streaming = runtime.followLogs(instance, log);
    } catch (RuntimeException e) {
      LOG.warn(
          "backend '{}' failed to stream the log of instance '{}'; polling it instead",
          runtime.name(),
          instance.id(),
          e);
      streaming = false;
    }
    log.streaming(streaming);
    LambdaFunction function = log.function();
    InstanceStarted event =
        new InstanceStarted(
            function.functionName(),
            function.version(),
            instance.id(),
            log.logStream(),
            initDuration,
            clock.instant());
    listeners.each("instanceStarted", listener -> listener.instanceStarted(event));
  }

  /**
   * Returns the stream of a live instance.
   *
   * @param instance the instance
   * @return its stream, empty when it was not launched through this telemetry
   */
  public Optional<InstanceLog> log(Instance instance) {
    return Optional.ofNullable(logs.get(instance.id()));
  }

  /**
   * Reports that an instance is being torn down and forgets its stream.
   *
   * @param instance the instance
   * @param fallback the reason when none was recorded on its stream
   */
  public void stopped(Instance instance, StopReason fallback) {
    InstanceLog log = logs.remove(instance.id());
    if (log == null) {
      return;
    }
    log.writeHeld();
    LambdaFunction function = log.function();
    InstanceStopped event =
        new InstanceStopped(
            function.functionName(),
            function.version(),
            instance.id(),
            log.stopReason().orElse(fallback),
            clock.instant());
    listeners.each("instanceStopped", listener -> listener.instanceStopped(event));
  }

  /**
   * Starts an invocation on an instance: writes {@code START} and reports it.
   *
   * @param function the function
   * @param instance the instance
   * @param requestId the request id
   * @param initDuration the launch time on a cold start
   * @param runtime the backend, asked for the instance's peak memory when the invocation ends
   * @param logTail whether the caller wants the invocation's log tail
   * @return the invocation, to finish once
   */
  public InvocationTrace begin(
      LambdaFunction function,
      Instance instance,
      String requestId,
      Optional<Duration> initDuration,
      ContainerRuntime runtime,
      boolean logTail) {
    InstanceLog log =
        logs.computeIfAbsent(
            instance.id(),
            id -> new InstanceLog(function, FunctionEnvironment.newStreamId(), sinks, clock));
    log.start(requestId, logTail);
    InvocationStarted event =
        new InvocationStarted(
            function.functionName(),
            function.version(),
            instance.id(),
            requestId,
            initDuration.isPresent(),
            clock.instant());
    listeners.each("invocationStarted", listener -> listener.invocationStarted(event));
    boolean reportRead = logTail || !sinks.isEmpty() || !listeners.isEmpty();
    boolean holdClosingLines = !logTail && !sinks.isEmpty();
    return new InvocationTrace(
        this,
        runtime,
        function,
        instance,
        log,
        requestId,
        initDuration,
        reportRead,
        holdClosingLines,
        clock);
  }

  /**
   * Writes a stream's held closing lines once it has settled, from the settler's thread, which
   * wakes when the stream can first have settled and again after each later line.
   */
  void settleLater(InstanceLog log) {
    settleIn(log, log.settle());
  }

  private void settleIn(InstanceLog log, long nanos) {
    if (nanos <= 0) {
      return;
    }
    try {
      settler().schedule(() -> settleIn(log, log.settle()), nanos, TimeUnit.NANOSECONDS);
    } catch (RejectedExecutionException e) {
      log.writeHeld();
    }
  }

  private synchronized ScheduledExecutorService settler() {
    if (closed) {
      throw new RejectedExecutionException("telemetry closed");
    }
    if (settler == null) {
      settler =
          Executors.newSingleThreadScheduledExecutor(
              task -> {
                Thread thread = new Thread(task, "lambdarun-log-settle");
                thread.setDaemon(true);
                return thread;
              });
    }
    return settler;
  }

  /** Writes every held closing line and stops the settler's thread. Idempotent. */
  public void close() {
    synchronized (this) {
      closed = true;
      if (settler != null) {
        settler.shutdownNow();
      }
    }
    logs.values().forEach(InstanceLog::writeHeld);
  }

  /**
   * Reports a refused invocation.
   *
   * @param function the function
   */
  public void throttled(LambdaFunction function) {
    Throttled event = new Throttled(function.functionName(), function.version(), clock.instant());
    listeners.each("throttled", listener -> listener.throttled(event));
  }

  void finished(InvocationReport report) {
    listeners.each("invocationFinished", listener -> listener.invocationFinished(report));
  }
}
