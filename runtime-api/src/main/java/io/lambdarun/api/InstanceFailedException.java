package io.lambdarun.api;

/**
 * A launched instance failed underneath an invocation: its endpoint refused the connection, reset
 * it, or died before answering. This is an infrastructure error, not a function error; the instance
 * has been evicted.
 */
public class InstanceFailedException extends LambdaRunException {

  private static final long serialVersionUID = 1L;

  /** The id of the instance that failed. */
  private final String instanceId;

  /**
   * Creates an exception.
   *
   * @param instanceId the failed instance
   * @param message one sentence naming the instance and what happened
   * @param cause the underlying failure, may be {@code null}
   */
  public InstanceFailedException(String instanceId, String message, Throwable cause) {
    super(message, cause);
    this.instanceId = instanceId;
  }

  /**
   * Returns the failed instance's id.
   *
   * @return the instance id
   */
  public String instanceId() {
    return instanceId;
  }
}
