package io.lambdarun.core.pool;

import io.lambdarun.api.ContainerRuntime;
import io.lambdarun.api.InstanceFailedException;
import io.lambdarun.api.InvalidFunctionException;
import io.lambdarun.api.LambdaRunException;
import io.lambdarun.core.internal.telemetry.InvocationTrace;
import io.lambdarun.core.internal.telemetry.Telemetry;
import io.lambdarun.core.model.FunctionError;
import io.lambdarun.core.model.InvocationResult;
import io.lambdarun.core.model.InvokeOptions;
import io.lambdarun.core.model.LambdaFunction;
import io.lambdarun.core.model.ResponseStreamListener;
import io.lambdarun.core.runtimeapi.RuntimeApiAnswer;
import io.lambdarun.core.runtimeapi.RuntimeApiInstance;
import io.lambdarun.core.telemetry.StopReason;
import java.io.IOException;
import java.net.ConnectException;
import java.net.SocketTimeoutException;
import java.net.http.HttpConnectTimeoutException;
import java.nio.channels.ClosedByInterruptException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

// Split once (the log side is InvocationLogs); what remains stays together because the RIE-endpoint
// and Runtime API paths share each attempt's lease, trace, timeout and retry handling.

/**
 * Invokes functions on pooled instances: leases an instance, hands it the event (through core's
 * Runtime API, or posted to its RIE endpoint), classifies the answer, and replaces dead instances,
 * retrying only when the event provably never reached one.
 */
public final class FunctionInvoker {

  /** The largest synchronous request and response payload Lambda accepts, in bytes. */
  static final int MAX_PAYLOAD_BYTES = 6_291_456;

  /** How many instances an invocation tries when they refuse connections. */
  static final int MAX_ATTEMPTS = 5;

  private static final Logger LOG = LoggerFactory.getLogger(FunctionInvoker.class);

  private final ContainerRuntime runtime;
  private final WarmPool pool;
  private final LaunchSpecFactory specs;
  private final HttpInvoker http;
  private final Duration grace;
  private final Clock clock;
  private final Telemetry telemetry;
  private final InvocationLogs logs;

  /**
   * Creates an invoker that posts events with an {@link HttpInvoker}.
   *
   * @param runtime the backend, for logs
   * @param pool the warm pool
   * @param specs computes deploy ids
   * @param grace added to the function timeout before the client gives up
   * @param clock the time source for log reads
   * @param telemetry writes each invocation's platform lines and reports it
   */
  public FunctionInvoker(
      ContainerRuntime runtime,
      WarmPool pool,
      LaunchSpecFactory specs,
      Duration grace,
      Clock clock,
      Telemetry telemetry) {
    this(runtime, pool, specs, new HttpInvoker(), grace, clock, telemetry);
  }

  /**
   * Creates an invoker.
   *
   * @param runtime the backend, for logs
   * @param pool the warm pool
   * @param specs computes deploy ids
   * @param http posts events
   * @param grace added to the function timeout before the client gives up
   * @param clock the time source for log reads
   * @param telemetry writes each invocation's platform lines and reports it
   */
  FunctionInvoker(
      ContainerRuntime runtime,
      WarmPool pool,
      LaunchSpecFactory specs,
      HttpInvoker http,
      Duration grace,
      Clock clock,
      Telemetry telemetry) {
    this.runtime = runtime;
    this.pool = pool;
    this.specs = specs;
    this.http = http;
    this.grace = grace;
    this.clock = clock;
    this.telemetry = telemetry;
    this.logs = new InvocationLogs(runtime, telemetry);
  }

  /**
   * Invokes a function synchronously.
   *
   * @param function the function
   * @param payload the event
   * @param options the invocation options
   * @return the result, a function error included
   * @throws InvalidFunctionException with {@code RequestTooLargeException} above 6 MB
   * @throws InstanceFailedException if an instance failed underneath the event
   */
  public InvocationResult invoke(LambdaFunction function, byte[] payload, InvokeOptions options) {
    return run(function, payload, options, null);
  }

  /**
   * Invokes a function synchronously and passes its response to {@code listener} as the function
   * writes it (Runtime API mode with a runtime that streams); a response that is not streamed is
   * passed whole once the function ends. The result carries no payload on success and the error
   * document on a function error, which the listener does not receive.
   *
   * @param function the function
   * @param payload the event
   * @param options the invocation options
   * @param listener receives the request id, then the response's bytes, on this thread
   * @return the result, a function error included, without the streamed payload
   * @throws InvalidFunctionException with {@code RequestTooLargeException} above 6 MB
   * @throws InstanceFailedException if an instance failed underneath the event
   */
  public InvocationResult invokeStreaming(
      LambdaFunction function,
      byte[] payload,
      InvokeOptions options,
      ResponseStreamListener listener) {
    return run(function, payload, options, listener);
  }

  private InvocationResult run(
      LambdaFunction function,
      byte[] payload,
      InvokeOptions options,
      ResponseStreamListener listener) {
    if (payload.length > MAX_PAYLOAD_BYTES) {
      throw new InvalidFunctionException(
          "RequestTooLargeException",
          "request payload of '"
              + payload.length
              + "' bytes for function '"
              + function.functionName()
              + "' exceeds Lambda's limit of "
              + MAX_PAYLOAD_BYTES
              + " bytes; send a smaller event");
    }
    String requestId = UUID.randomUUID().toString();
    Consumer<byte[]> chunks = listener == null ? null : new StartedOnce(requestId, listener);
    String deployId = specs.deployId(function);
    long start = System.nanoTime();
    String lastInstance = "";
    for (int attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
      Lease lease = pool.acquire(function, deployId);
      try {
        Optional<InvocationResult> result =
            attempt(function, payload, options, requestId, lease, start, chunks);
        if (result.isPresent()) {
          return chunks == null ? result.get() : passOn(result.get(), chunks);
        }
        lastInstance = lease.instance().id();
      } catch (RuntimeException | Error e) {
        telemetry.log(lease.instance()).ifPresent(log -> log.stopReason(StopReason.FAILED));
        lease.discard();
        throw e;
      }
    }
    throw new InstanceFailedException(
        lastInstance,
        "no reachable instance of function '"
            + function.functionName()
            + "' after "
            + MAX_ATTEMPTS
            + " attempts (last: '"
            + lastInstance
            + "'); check that the backend"
            + " can start it",
        null);
  }

  /** Sends the event once; empty when the instance refused it and another should be tried. */
  private Optional<InvocationResult> attempt(
      LambdaFunction function,
      byte[] payload,
      InvokeOptions options,
      String requestId,
      Lease lease,
      long start,
      Consumer<byte[]> chunks) {
    Instant since = clock.instant();
    InvocationTrace trace =
        telemetry.begin(
            function,
            lease.instance(),
            requestId,
            lease.initDuration(),
            runtime,
            options.logTail());
    Optional<RuntimeApiInstance> runtimeApi = lease.runtimeApi();
    if (runtimeApi.isPresent()) {
      RuntimeApiAnswer answer;
      try {
        answer =
            chunks == null
                ? runtimeApi.get().invoke(requestId, payload, options)
                : runtimeApi.get().invokeStreaming(requestId, payload, options, chunks);
      } catch (RuntimeException | Error e) {
        trace.failed();
        throw e;
      }
      return outcome(function, requestId, lease, answer, options, since, start, trace);
    }
    InstanceResponse response;
    try {
      response =
          http.post(
              lease.connection(),
              lease.instance(),
              payload,
              requestId,
              options,
              function.timeout().plus(grace));
    } catch (IOException e) {
      if (e instanceof ClosedByInterruptException || Thread.currentThread().isInterrupted()) {
        trace.failed();
        lease.discard();
        Thread.currentThread().interrupt();
        throw new LambdaRunException(
            "invocation '"
                + requestId
                + "' of function '"
                + function.functionName()
                + "' was interrupted; retry it",
            e);
      }
      if (neverReached(e)) {
        LOG.warn(
            "instance '{}' of function '{}' is unreachable ({}); replacing it",
            lease.instance().id(),
            function.functionName(),
            e.toString());
        trace.instanceFailed();
        lease.discard();
        return Optional.empty();
      }
      if (e instanceof SocketTimeoutException) {
        return Optional.of(timedOut(function, requestId, lease, options, since, start, trace));
      }
      trace.failed();
      lease.discard();
      throw new InstanceFailedException(
          lease.instance().id(),
          "instance '"
              + lease.instance().id()
              + "' of function '"
              + function.functionName()
              + "' failed after the event was sent ("
              + e
              + "); it was replaced, so retry if"
              + " the function is idempotent",
          e);
    }
    return Optional.of(
        classify(function, requestId, lease, response, options, since, start, trace));
  }

  /** Turns a Runtime API outcome into the result; empty when another instance should be tried. */
  private Optional<InvocationResult> outcome(
      LambdaFunction function,
      String requestId,
      Lease lease,
      RuntimeApiAnswer answer,
      InvokeOptions options,
      Instant since,
      long start,
      InvocationTrace trace) {
    switch (answer.outcome()) {
      case NOT_DELIVERED -> {
        LOG.warn(
            "instance '{}' of function '{}' could not take the event ({}); replacing it",
            lease.instance().id(),
            function.functionName(),
            answer.bodyText());
        trace.instanceFailed();
        lease.discard();
        return Optional.empty();
      }
      case TIMEOUT -> {
        return Optional.of(timedOut(function, requestId, lease, options, since, start, trace));
      }
      case LOST -> {
        trace.failed();
        lease.discard();
        throw new InstanceFailedException(
            lease.instance().id(),
            "instance '"
                + lease.instance().id()
                + "' of function '"
                + function.functionName()
                + "' was stopped while serving invocation '"
                + requestId
                + "'; retry if the"
                + " function is idempotent",
            null);
      }
      default -> {
        Optional<String> logResult =
            logs.logResult(
                lease,
                options,
                since,
                trace,
                answer.functionError().isPresent()
                    ? ended -> ended.erred(answer.body())
                    : InvocationTrace::succeeded);
        if (answer.instanceReusable()) {
          lease.release();
        } else {
          trace.instanceFailed();
          lease.discard();
        }
        return Optional.of(
            new InvocationResult(
                answer.body(),
                answer.functionError(),
                requestId,
                lease.coldStart(),
                lease.initDuration(),
                elapsed(start),
                logResult));
      }
    }
  }

  private InvocationResult classify(
      LambdaFunction function,
      String requestId,
      Lease lease,
      InstanceResponse response,
      InvokeOptions options,
      Instant since,
      long start,
      InvocationTrace trace) {
    byte[] body = response.body();
    if (ResponseClassifier.isRieTimeout(body)
        && response.headers().firstValue(ContainerRuntime.FUNCTION_ERROR_HEADER).isEmpty()) {
      return timedOut(function, requestId, lease, options, since, start, trace);
    }
    Optional<FunctionError> error = ResponseClassifier.functionError(response.headers(), body);
    boolean ok = response.statusCode() / 100 == 2;
    if (!ok && error.isEmpty()) {
      trace.failed();
      lease.discard();
      throw new InstanceFailedException(
          lease.instance().id(),
          "instance '"
              + lease.instance().id()
              + "' of function '"
              + function.functionName()
              + "' answered HTTP '"
              + response.statusCode()
              + "' without an error document; it"
              + " was replaced, check the instance's log",
          null);
    }
    if (response.oversized()) {
      body = ResponseClassifier.responseTooLargeDocument();
      error = Optional.of(FunctionError.UNHANDLED);
    }
    byte[] document = body;
    Optional<String> logResult =
        logs.logResult(
            lease,
            options,
            since,
            trace,
            error.isPresent() ? ended -> ended.erred(document) : InvocationTrace::succeeded);
    if (ok) {
      lease.release();
    } else {
      trace.instanceFailed();
      lease.discard();
    }
    return new InvocationResult(
        body, error, requestId, lease.coldStart(), lease.initDuration(), elapsed(start), logResult);
  }

  private InvocationResult timedOut(
      LambdaFunction function,
      String requestId,
      Lease lease,
      InvokeOptions options,
      Instant since,
      long start,
      InvocationTrace trace) {
    LOG.info(
        "invocation '{}' of function '{}' timed out after {} s; replacing instance '{}'",
        requestId,
        function.functionName(),
        function.timeout().toSeconds(),
        lease.instance().id());
    Optional<String> logResult =
        logs.logResult(lease, options, since, trace, InvocationTrace::timedOut);
    lease.discard();
    return new InvocationResult(
        ResponseClassifier.timeoutDocument(requestId, function.timeout()),
        Optional.of(FunctionError.UNHANDLED),
        requestId,
        lease.coldStart(),
        lease.initDuration(),
        elapsed(start),
        logResult);
  }

  /** Passes a buffered success's payload to a streaming caller, whose result then has none. */
  private static InvocationResult passOn(InvocationResult result, Consumer<byte[]> chunks) {
    if (result.isFunctionError()) {
      return result;
    }
    byte[] payload = result.payload();
    if (payload.length > 0) {
      chunks.accept(payload);
    }
    return new InvocationResult(
        new byte[0],
        result.functionError(),
        result.requestId(),
        result.coldStart(),
        result.initDuration(),
        result.duration(),
        result.logResult());
  }

  /** Tells a listener the request id before its first chunk. */
  private static final class StartedOnce implements Consumer<byte[]> {
    private final String requestId;
    private final ResponseStreamListener listener;
    private boolean started;

    StartedOnce(String requestId, ResponseStreamListener listener) {
      this.requestId = requestId;
      this.listener = listener;
    }

    @Override
    public void accept(byte[] bytes) {
      if (!started) {
        started = true;
        listener.started(requestId);
      }
      listener.chunk(bytes);
    }
  }

  static boolean neverReached(IOException e) {
    return e instanceof HttpConnectTimeoutException
        || e instanceof ConnectException
        || e.getCause() instanceof ConnectException;
  }

  private static Duration elapsed(long start) {
    return Duration.ofNanos(System.nanoTime() - start);
  }
}
