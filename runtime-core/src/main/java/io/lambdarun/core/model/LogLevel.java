package io.lambdarun.core.model;

/**
 * A log level of Lambda's {@code LoggingConfig}, lowest first: records below a function's
 * configured level are dropped (JSON format only, as on Lambda).
 */
public enum LogLevel {
  /** Application only. */
  TRACE,
  /** Application and system. */
  DEBUG,
  /** Application and system; Lambda's default for both. */
  INFO,
  /** Application and system. */
  WARN,
  /** Application only. */
  ERROR,
  /** Application only. */
  FATAL;

  /**
   * Tells whether a record at this level passes a threshold.
   *
   * @param threshold the configured level
   * @return true when this level is at or above {@code threshold}
   */
  public boolean passes(LogLevel threshold) {
    return compareTo(threshold) >= 0;
  }
}
