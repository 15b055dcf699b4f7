package io.lambdarun.core.telemetry;

import java.util.Locale;

/** How an invocation ended, as Lambda's {@code platform.report} record's {@code status}. */
public enum InvocationStatus {
  /** The function answered with a result. */
  SUCCESS,
  /** The function answered with an error, or its runtime exited under the event. */
  ERROR,
  /** The function exceeded its timeout. */
  TIMEOUT,
  /** The instance or backend failed underneath the event; the caller got an exception. */
  FAILURE;

  /**
   * Returns the status as Lambda's JSON records write it.
   *
   * @return for example {@code success}
   */
  public String awsName() {
    return name().toLowerCase(Locale.ROOT);
  }
}
