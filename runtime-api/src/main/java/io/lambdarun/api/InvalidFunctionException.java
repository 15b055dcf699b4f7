package io.lambdarun.api;

/**
 * A function definition or an invocation request is invalid; nothing was launched.
 *
 * <p>{@link #awsErrorCode()} names the error AWS Lambda returns for the same input, so an emulator
 * can answer exactly as AWS would.
 */
public class InvalidFunctionException extends LambdaRunException {

  private static final long serialVersionUID = 1L;

  /** AWS's error code for invalid parameters. */
  public static final String INVALID_PARAMETER_VALUE = "InvalidParameterValueException";

  /** The AWS error code this error maps to. */
  private final String awsErrorCode;

  /**
   * Creates an exception with AWS's {@value #INVALID_PARAMETER_VALUE} code.
   *
   * @param message one sentence naming the offending value, then the remedy
   */
  public InvalidFunctionException(String message) {
    this(INVALID_PARAMETER_VALUE, message);
  }

  /**
   * Creates an exception with a specific AWS error code.
   *
   * @param awsErrorCode the error code AWS Lambda uses, e.g. {@code RequestTooLargeException}
   * @param message one sentence naming the offending value, then the remedy
   */
  public InvalidFunctionException(String awsErrorCode, String message) {
    super(message);
    this.awsErrorCode = awsErrorCode;
  }

  /**
   * Returns the error code AWS Lambda returns for the same input.
   *
   * @return for example {@code InvalidParameterValueException}
   */
  public String awsErrorCode() {
    return awsErrorCode;
  }
}
