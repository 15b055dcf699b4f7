package io.lambdarun.api;

/**
 * The root of every exception lambdarun throws. All are unchecked.
 *
 * <p>Messages are one sentence: what went wrong with the offending value quoted, then what to do.
 * They never contain credentials, tokens or other secrets.
 */
public class LambdaRunException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  /**
   * Creates an exception.
   *
   * @param message one sentence: the problem with the offending value quoted, then the remedy
   */
  public LambdaRunException(String message) {
    super(message);
  }

  /**
   * Creates an exception with a cause.
   *
   * @param message one sentence: the problem with the offending value quoted, then the remedy
   * @param cause the underlying failure
   */
  public LambdaRunException(String message, Throwable cause) {
    super(message, cause);
  }
}
