package io.lambdarun.server;

import java.time.Instant;
import java.util.Objects;

/**
 * One {@code Event} invocation as an {@link AsyncInvocationListener} sees it.
 *
 * @param requestId the request id answered with the 202
 * @param functionArn the function's ARN, qualified when a version was invoked
 * @param payload the event
 * @param received when the 202 was answered
 * @param attempts how many times the function ran for it, 1 to 3
 */
public record AsyncInvocation(
    String requestId, String functionArn, byte[] payload, Instant received, int attempts) {

  /** Copies the payload. */
  public AsyncInvocation {
    Objects.requireNonNull(requestId, "requestId");
    Objects.requireNonNull(functionArn, "functionArn");
    payload = payload.clone();
    Objects.requireNonNull(received, "received");
  }

  /**
   * Returns a copy of the event.
   *
   * @return the payload bytes
   */
  @Override
  public byte[] payload() {
    return payload.clone();
  }
}
