package io.lambdarun.core.model;

import io.lambdarun.api.InvalidFunctionException;
import java.util.Objects;
import java.util.Optional;

/**
 * A function's logging configuration, Lambda's {@code LoggingConfig}: the format of its records,
 * the levels below which records are dropped (JSON format only, as on Lambda) and its log group.
 *
 * <p>Core passes the format to the runtime as {@code AWS_LAMBDA_LOG_FORMAT} and, in JSON format,
 * the application level as {@code AWS_LAMBDA_LOG_LEVEL}; it writes the platform lines in the format
 * and drops platform records below the system level.
 *
 * @param logFormat Text (the default) or JSON
 * @param applicationLogLevel the application's level; JSON format only, INFO when unset
 * @param systemLogLevel the platform's level, DEBUG, INFO or WARN; JSON format only, INFO when
 *     unset
 * @param logGroup the log group, when not the default {@code /aws/lambda/<name>}
 */
public record LoggingConfig(
    LogFormat logFormat,
    Optional<LogLevel> applicationLogLevel,
    Optional<LogLevel> systemLogLevel,
    Optional<String> logGroup) {

  /** Lambda's default: Text format, the default log group. */
  public static final LoggingConfig DEFAULT =
      new LoggingConfig(LogFormat.TEXT, Optional.empty(), Optional.empty(), Optional.empty());

  /**
   * Checks the levels and normalises a blank log group to the default.
   *
   * @param logFormat Text or JSON
   * @param applicationLogLevel the application's level, JSON format only
   * @param systemLogLevel the platform's level, JSON format only
   * @param logGroup the log group, empty for the default
   * @throws InvalidFunctionException with {@code InvalidParameterValueException} when a level is
   *     set with the Text format or the system level is not DEBUG, INFO or WARN
   */
  public LoggingConfig {
    Objects.requireNonNull(logFormat, "logFormat");
    Objects.requireNonNull(applicationLogLevel, "applicationLogLevel");
    Objects.requireNonNull(systemLogLevel, "systemLogLevel");
    logGroup = Objects.requireNonNull(logGroup, "logGroup").filter(group -> !group.isBlank());
    if (logFormat == LogFormat.TEXT
        && (applicationLogLevel.isPresent() || systemLogLevel.isPresent())) {
      throw new InvalidFunctionException(
          "InvalidParameterValueException",
          "log levels '"
              + applicationLogLevel.map(Enum::name).orElse("")
              + "'/'"
              + systemLogLevel.map(Enum::name).orElse("")
              + "' need the 'JSON' log format, not"
              + " 'Text'; set LogFormat to JSON or leave the levels out");
    }
    if (systemLogLevel
        .filter(
            level -> level != LogLevel.DEBUG && level != LogLevel.INFO && level != LogLevel.WARN)
        .isPresent()) {
      throw new InvalidFunctionException(
          "InvalidParameterValueException",
          "system log level '"
              + systemLogLevel.get()
              + "' is not one of DEBUG, INFO, WARN; set"
              + " one of those");
    }
  }

  /**
   * Returns the application level in effect.
   *
   * @return the configured level, INFO when unset
   */
  public LogLevel effectiveApplicationLogLevel() {
    return applicationLogLevel.orElse(LogLevel.INFO);
  }

  /**
   * Returns the system level in effect.
   *
   * @return the configured level, INFO when unset
   */
  public LogLevel effectiveSystemLogLevel() {
    return systemLogLevel.orElse(LogLevel.INFO);
  }

  /**
   * Returns a copy with another log group.
   *
   * @param value the log group, empty or blank for the default
   * @return the changed configuration
   */
  public LoggingConfig withLogGroup(Optional<String> value) {
    return new LoggingConfig(logFormat, applicationLogLevel, systemLogLevel, value);
  }
}
