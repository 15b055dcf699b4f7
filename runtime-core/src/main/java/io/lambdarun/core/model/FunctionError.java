package io.lambdarun.core.model;

/** The kind of a function error, as Lambda reports it in {@code X-Amz-Function-Error}. */
public enum FunctionError {
  /** The function returned an error itself (a runtime that reports handled errors). */
  HANDLED("Handled"),
  /** The function threw, crashed or timed out. */
  UNHANDLED("Unhandled");

  private final String headerValue;

  FunctionError(String headerValue) {
    this.headerValue = headerValue;
  }

  /**
   * Returns the value of Lambda's {@code X-Amz-Function-Error} header.
   *
   * @return {@code Handled} or {@code Unhandled}
   */
  public String headerValue() {
    return headerValue;
  }
}
