package io.lambdarun.core.model;

/** The format of a function's log records, Lambda's {@code LoggingConfig.LogFormat}. */
public enum LogFormat {
  /**
   * Lines as the function writes them, platform lines as plain text ({@code START RequestId: …}).
   */
  TEXT("Text"),
  /** Platform records as JSON ({@code {"time":…,"type":"platform.report","record":{…}}}). */
  JSON("JSON");

  private final String awsName;

  LogFormat(String awsName) {
    this.awsName = awsName;
  }

  /**
   * Returns the name Lambda's API and {@code AWS_LAMBDA_LOG_FORMAT} use.
   *
   * @return {@code Text} or {@code JSON}
   */
  public String awsName() {
    return awsName;
  }
}
