package io.lambdarun.core.pool;

import io.lambdarun.api.ContainerRuntime;
import io.lambdarun.api.InstanceFailedException;
import io.lambdarun.api.InvalidFunctionException;
import io.lambdarun.api.LambdaRunException;
import io.lambdarun.core.FunctionError;
import io.lambdarun.core.InvocationResult;
import io.lambdarun.core.InvokeOptions;
import io.lambdarun.core.LambdaFunction;
import io.lambdarun.core.runtimeapi.RuntimeApiAnswer;
import io.lambdarun.core.runtimeapi.RuntimeApiInstance;
import java.io.IOException;
import java.net.ConnectException;
import java.net.http.HttpConnectTimeoutException;
import java.net.SocketTimeoutException;
import java.nio.channels.ClosedByInterruptException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Base64;
import java.util.Optional;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Invokes functions on pooled instances: leases an instance, hands it the event (through core's
 * Runtime API, or posted to its RIE endpoint), classifies the answer, and replaces dead instances,
 * retrying only when the event provably never reached one.
 */
public final class FunctionInvoker {

  /** The largest synchronous request and response payload Lambda accepts, in bytes. */
  public static final int MAX_PAYLOAD_BYTES = 6_291_456;

  /** How many instances an invocation tries when they refuse connections. */
  public static final int MAX_ATTEMPTS = 5;

  /** How much of the log a log tail returns, in bytes. */
  public static final int LOG_TAIL_BYTES = 4096;

  /**
   * How long apart a log tail reads the log again, and for how long at most, until two reads agree:
   * the engines' log drivers take an instance's output asynchronously, so a line written just
   * before the answer may be missing from the first read.
   */
  private static final Duration LOG_SETTLE_PAUSE = Duration.ofMillis(25);

  private static final Duration LOG_SETTLE_LIMIT = Duration.ofMillis(250);

  private static final Logger LOG = LoggerFactory.getLogger(FunctionInvoker.class);

  private final ContainerRuntime runtime;
  private final WarmPool pool;
  private final LaunchSpecFactory specs;
  private final HttpInvoker http;
  private final Duration grace;
  private final Clock clock;

  /**
   * Creates an invoker.
   *
   * @param runtime the backend, for logs
   * @param pool the warm pool
   * @param specs computes deploy ids
   * @param http posts events
   * @param grace added to the function timeout before the client gives up
   * @param clock the time source for log reads
   */
  public FunctionInvoker(
      ContainerRuntime runtime,
      WarmPool pool,
      LaunchSpecFactory specs,
      HttpInvoker http,
      Duration grace,
      Clock clock) {
    this.runtime = runtime;
    this.pool = pool;
    this.specs = specs;
    this.http = http;
    this.grace = grace;
    this.clock = clock;
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
    if (payload.length > MAX_PAYLOAD_BYTES) {
      throw new InvalidFunctionException(
          "RequestTooLargeException",
          "request payload of '" + payload.length + "' bytes for function '"
              + function.functionName() + "' exceeds Lambda's limit of " + MAX_PAYLOAD_BYTES
              + " bytes; send a smaller event");
    }
    String requestId = UUID.randomUUID().toString();
    String deployId = specs.deployId(function);
    long start = System.nanoTime();
    String lastInstance = "";
    for (int attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
      Lease lease = pool.acquire(function, deployId);
      try {
        Optional<InvocationResult> result =
            attempt(function, payload, options, requestId, lease, start);
        if (result.isPresent()) {
          return result.get();
        }
        lastInstance = lease.instance().id();
      } catch (RuntimeException | Error e) {
        lease.discard();
        throw e;
      }
    }
    throw new InstanceFailedException(
        lastInstance,
        "no reachable instance of function '" + function.functionName() + "' after "
            + MAX_ATTEMPTS + " attempts (last: '" + lastInstance + "'); check that the backend"
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
      long start) {
    Instant since = clock.instant();
    Optional<RuntimeApiInstance> runtimeApi = lease.runtimeApi();
    if (runtimeApi.isPresent()) {
      RuntimeApiAnswer answer = runtimeApi.get().invoke(requestId, payload, options);
      return outcome(function, requestId, lease, answer, options, since, start);
    }
    InstanceResponse response;
    try {
      response =
          http.post(
              lease.connection(), lease.instance(), payload, requestId, options,
              function.timeout().plus(grace));
    } catch (IOException e) {
      if (e instanceof ClosedByInterruptException || Thread.currentThread().isInterrupted()) {
        lease.discard();
        Thread.currentThread().interrupt();
        throw new LambdaRunException(
            "invocation '" + requestId + "' of function '" + function.functionName()
                + "' was interrupted; retry it",
            e);
      }
      if (neverReached(e)) {
        LOG.warn(
            "instance '{}' of function '{}' is unreachable ({}); replacing it",
            lease.instance().id(), function.functionName(), e.toString());
        lease.discard();
        return Optional.empty();
      }
      if (e instanceof SocketTimeoutException) {
        return Optional.of(timedOut(function, requestId, lease, options, since, start));
      }
      lease.discard();
      throw new InstanceFailedException(
          lease.instance().id(),
          "instance '" + lease.instance().id() + "' of function '" + function.functionName()
              + "' failed after the event was sent (" + e + "); it was replaced, so retry if"
              + " the function is idempotent",
          e);
    }
    return Optional.of(classify(function, requestId, lease, response, options, since, start));
  }

  /** Turns a Runtime API outcome into the result; empty when another instance should be tried. */
  private Optional<InvocationResult> outcome(
      LambdaFunction function,
      String requestId,
      Lease lease,
      RuntimeApiAnswer answer,
      InvokeOptions options,
      Instant since,
      long start) {
    switch (answer.outcome()) {
      case NOT_DELIVERED -> {
        LOG.warn(
            "instance '{}' of function '{}' could not take the event ({}); replacing it",
            lease.instance().id(), function.functionName(), answer.bodyText());
        lease.discard();
        return Optional.empty();
      }
      case TIMEOUT -> {
        return Optional.of(timedOut(function, requestId, lease, options, since, start));
      }
      case LOST -> {
        lease.discard();
        throw new InstanceFailedException(
            lease.instance().id(),
            "instance '" + lease.instance().id() + "' of function '" + function.functionName()
                + "' was stopped while serving invocation '" + requestId + "'; retry if the"
                + " function is idempotent",
            null);
      }
      default -> {
        Optional<String> logResult = logTail(lease, options, since);
        if (answer.instanceReusable()) {
          lease.release();
        } else {
          lease.discard();
        }
        return Optional.of(
            new InvocationResult(
                answer.body(), answer.functionError(), requestId, lease.coldStart(),
                lease.initDuration(), elapsed(start), logResult));
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
      long start) {
    byte[] body = response.body();
    if (ResponseClassifier.isRieTimeout(body)
        && response.headers().firstValue(ContainerRuntime.FUNCTION_ERROR_HEADER).isEmpty()) {
      return timedOut(function, requestId, lease, options, since, start);
    }
    Optional<FunctionError> error = ResponseClassifier.functionError(response.headers(), body);
    boolean ok = response.statusCode() / 100 == 2;
    if (!ok && error.isEmpty()) {
      lease.discard();
      throw new InstanceFailedException(
          lease.instance().id(),
          "instance '" + lease.instance().id() + "' of function '" + function.functionName()
              + "' answered HTTP '" + response.statusCode() + "' without an error document; it"
              + " was replaced, check the instance's log",
          null);
    }
    if (response.oversized()) {
      body = ResponseClassifier.responseTooLargeDocument();
      error = Optional.of(FunctionError.UNHANDLED);
    }
    Optional<String> logResult = logTail(lease, options, since);
    if (ok) {
      lease.release();
    } else {
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
      long start) {
    LOG.info(
        "invocation '{}' of function '{}' timed out after {} s; replacing instance '{}'",
        requestId, function.functionName(), function.timeout().toSeconds(), lease.instance().id());
    Optional<String> logResult = logTail(lease, options, since);
    lease.discard();
    return new InvocationResult(
        ResponseClassifier.timeoutDocument(requestId, function.timeout()),
        Optional.of(FunctionError.UNHANDLED), requestId, lease.coldStart(), lease.initDuration(),
        elapsed(start), logResult);
  }

  private Optional<String> logTail(Lease lease, InvokeOptions options, Instant since) {
    if (!options.logTail()) {
      return Optional.empty();
    }
    String log;
    try {
      log = settledLog(lease, since);
    } catch (RuntimeException e) {
      LOG.warn("reading the log of instance '{}' failed", lease.instance().id(), e);
      log = "";
    }
    byte[] bytes = log.getBytes(StandardCharsets.UTF_8);
    byte[] tail = Arrays.copyOfRange(bytes, Math.max(0, bytes.length - LOG_TAIL_BYTES), bytes.length);
    return Optional.of(Base64.getEncoder().encodeToString(tail));
  }

  private String settledLog(Lease lease, Instant since) {
    String log = runtime.logs(lease.instance(), since);
    long deadline = System.nanoTime() + LOG_SETTLE_LIMIT.toNanos();
    while (System.nanoTime() < deadline) {
      try {
        Thread.sleep(LOG_SETTLE_PAUSE.toMillis());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return log;
      }
      String again = runtime.logs(lease.instance(), since);
      if (again.equals(log)) {
        return log;
      }
      log = again;
    }
    return log;
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
