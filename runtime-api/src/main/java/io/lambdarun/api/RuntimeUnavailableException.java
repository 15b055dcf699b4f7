package io.lambdarun.api;

/**
 * A backend cannot be used: it is not on the class path, its engine or cluster does not answer, or
 * no backend is available at all.
 */
public class RuntimeUnavailableException extends LambdaRunException {

  private static final long serialVersionUID = 1L;

  /**
   * Creates an exception.
   *
   * @param message what is unavailable and how to fix it; may span lines to list candidates
   */
  public RuntimeUnavailableException(String message) {
    super(message);
  }

  /**
   * Creates an exception with a cause.
   *
   * @param message what is unavailable and how to fix it
   * @param cause the underlying failure
   */
  public RuntimeUnavailableException(String message, Throwable cause) {
    super(message, cause);
  }
}
