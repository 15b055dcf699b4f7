package io.lambdarun.api;

/**
 * An execution environment could not be started or did not become ready. Whatever the attempt
 * created has been removed.
 */
public class LaunchFailedException extends LambdaRunException {

  private static final long serialVersionUID = 1L;

  /** The name of the function whose launch failed. */
  private final String functionName;

  /**
   * Creates an exception.
   *
   * @param functionName the function whose instance failed to launch
   * @param message one sentence naming the function and the reason (with the instance's last log
   *     lines when available), then the remedy
   */
  public LaunchFailedException(String functionName, String message) {
    super(message);
    this.functionName = functionName;
  }

  /**
   * Creates an exception with a cause.
   *
   * @param functionName the function whose instance failed to launch
   * @param message one sentence naming the function and the reason, then the remedy
   * @param cause the underlying failure
   */
  public LaunchFailedException(String functionName, String message, Throwable cause) {
    super(message, cause);
    this.functionName = functionName;
  }

  /**
   * Returns the function whose instance failed to launch.
   *
   * @return the function name
   */
  public String functionName() {
    return functionName;
  }
}
