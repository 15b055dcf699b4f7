package io.lambdarun.server;

import io.lambdarun.core.LambdaRuntime;
import io.lambdarun.core.model.InvocationResult;
import io.lambdarun.core.model.LambdaFunction;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs {@code Event} invocations in the background as Lambda does: up to 3 attempts, retried on a
 * function error or a failure after {@code retryDelay} and then twice that (Lambda waits 1 and 2
 * minutes), dropped once older than the maximum event age; an attempt refused by the function's
 * reserved concurrency counts as a failed one. The {@link AsyncInvocationListener} hears how each
 * event ended. Each attempt runs the function as it is then; an event of a deleted function or
 * version is dropped. Waiting events hold no thread.
 */
final class EventQueue {

  private static final Logger LOG = LoggerFactory.getLogger(EventQueue.class);
  private static final int MAX_ATTEMPTS = 3;

  private final LambdaRuntime runtime;
  private final ConcurrencyLimits limits;
  private final Function<FunctionRef, Optional<LambdaFunction>> functions;
  private final ExecutorService workers;
  private final ScheduledExecutorService timer;
  private final Duration retryDelay;
  private final Duration maxEventAge;
  private final AsyncInvocationListener listener;
  private final Clock clock;

  EventQueue(
      LambdaRuntime runtime,
      ConcurrencyLimits limits,
      Function<FunctionRef, Optional<LambdaFunction>> functions,
      ExecutorService workers,
      ScheduledExecutorService timer,
      ServerOptions options,
      Clock clock) {
    this.runtime = runtime;
    this.limits = limits;
    this.functions = functions;
    this.workers = workers;
    this.timer = timer;
    this.retryDelay = options.eventRetryDelay();
    this.maxEventAge = options.maxEventAge();
    this.listener = options.asyncInvocationListener();
    this.clock = clock;
  }

  /** Queues an event and returns the request id answered to the caller. */
  String submit(FunctionRef function, byte[] payload) {
    String requestId = UUID.randomUUID().toString();
    Event event = new Event(requestId, function, payload.clone(), clock.instant());
    workers.execute(() -> attempt(event, 1));
    return requestId;
  }

  private void attempt(Event event, int attempt) {
    Optional<LambdaFunction> function = functions.apply(event.function());
    if (function.isEmpty()) {
      LOG.warn(
          "dropped event {}: function '{}' was deleted", event.requestId(), event.function().arn());
      return;
    }
    String failure;
    Optional<InvocationResult> lastResult = Optional.empty();
    try {
      InvocationResult result =
          limits.run(
              event.function().name(),
              () -> runtime.reportThrottle(function.get()),
              () -> runtime.invoke(function.get(), event.payload()));
      if (result.functionError().isEmpty()) {
        LOG.debug(
            "event {} of function '{}' succeeded on attempt {}",
            event.requestId(),
            event.function().arn(),
            attempt);
        tell(() -> listener.onSuccess(event.seen(attempt), result));
        return;
      }
      failure = result.functionError().get().headerValue() + " function error";
      lastResult = Optional.of(result);
    } catch (IllegalStateException e) {
      LOG.debug("dropped event {}: the server is closing", event.requestId());
      return;
    } catch (RuntimeException e) {
      failure = e.getMessage();
    }
    retry(event, attempt, failure, lastResult);
  }

  private void retry(
      Event event, int attempt, String failure, Optional<InvocationResult> lastResult) {
    Duration delay = retryDelay.multipliedBy(attempt);
    Instant due = clock.instant().plus(delay);
    if (attempt >= MAX_ATTEMPTS || due.isAfter(event.received().plus(maxEventAge))) {
      LOG.warn(
          "event {} of function '{}' failed on attempt {} ({}); no retry left, dropped",
          event.requestId(),
          event.function().arn(),
          attempt,
          failure);
      String condition =
          attempt >= MAX_ATTEMPTS
              ? AsyncInvocationListener.RETRIES_EXHAUSTED
              : AsyncInvocationListener.EVENT_AGE_EXCEEDED;
      tell(() -> listener.onFailure(event.seen(attempt), condition, lastResult));
      return;
    }
    LOG.info(
        "event {} of function '{}' failed on attempt {} ({}); retrying in {}",
        event.requestId(),
        event.function().arn(),
        attempt,
        failure,
        delay);
    try {
      timer.schedule(
          () -> workers.execute(() -> attempt(event, attempt + 1)),
          delay.toMillis(),
          TimeUnit.MILLISECONDS);
    } catch (RejectedExecutionException e) {
      LOG.debug("dropped event {}: the server is closing", event.requestId());
    }
  }

  private void tell(Runnable call) {
    try {
      call.run();
    } catch (RuntimeException e) {
      LOG.warn("the asynchronous invocation listener failed", e);
    }
  }

  /** One queued event. */
  private record Event(String requestId, FunctionRef function, byte[] payload, Instant received) {

    AsyncInvocation seen(int attempts) {
      return new AsyncInvocation(requestId, function.arn(), payload, received, attempts);
    }
  }
}
