package io.lambdarun.core.telemetry;

/** Why an instance was torn down. */
public enum StopReason {
  /** It stayed free longer than the idle timeout. */
  IDLE,
  /**
   * The function was evicted, stopped or changed (the instance became stale), or its credentials
   * neared their expiry.
   */
  EVICTED,
  /** Its runtime exited, could not take an event, or its backend failed underneath it. */
  FAILED,
  /** An invocation exceeded the function's timeout. */
  TIMED_OUT,
  /** The {@link io.lambdarun.core.LambdaRuntime} was closed. */
  CLOSED
}
