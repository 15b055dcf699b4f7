package io.lambdarun.server;

import io.lambdarun.core.model.InvocationResult;
import java.util.Optional;

/**
 * Told how each {@code Event} invocation ended, as Lambda's on-success and on-failure destinations
 * are; an embedder forwards the outcome to a queue, a topic or another function. Called on the
 * server's event threads; an exception it throws is logged and dropped.
 */
public interface AsyncInvocationListener {

  /** Lambda's failure condition when every attempt failed. */
  String RETRIES_EXHAUSTED = "RetriesExhausted";

  /** Lambda's failure condition when the event grew older than the maximum event age. */
  String EVENT_AGE_EXCEEDED = "EventAgeExceeded";

  /** Listens to nothing. */
  AsyncInvocationListener NONE = new AsyncInvocationListener() {};

  /**
   * The function answered without a function error.
   *
   * @param invocation the event and its attempts
   * @param result the function's answer
   */
  default void onSuccess(AsyncInvocation invocation, InvocationResult result) {}

  /**
   * The event is dropped: every attempt failed, or it grew too old to retry.
   *
   * @param invocation the event and its attempts
   * @param condition {@link #RETRIES_EXHAUSTED} or {@link #EVENT_AGE_EXCEEDED}
   * @param lastResult the last attempt's error answer; empty when lambdarun itself failed
   */
  default void onFailure(
      AsyncInvocation invocation, String condition, Optional<InvocationResult> lastResult) {}
}
