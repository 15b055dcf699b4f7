package io.lambdarun.core.model;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.Objects;
import java.util.Optional;

/**
 * The outcome of one synchronous invocation: the function's response, or its error document when
 * {@link #functionError()} is present.
 *
 * @param payload the response body: the function's result, or AWS's error JSON
 * @param functionError present when the function failed (including a timeout)
 * @param requestId the request id lambdarun assigned to the invocation
 * @param coldStart whether a new instance was launched for it
 * @param initDuration how long the launch took, on a cold start
 * @param duration the whole invocation, including any launch
 * @param logResult base64 of the last 4 KB of the instance's log, when requested
 */
public record InvocationResult(
    byte[] payload,
    Optional<FunctionError> functionError,
    String requestId,
    boolean coldStart,
    Optional<Duration> initDuration,
    Duration duration,
    Optional<String> logResult) {

  /**
   * Copies the payload and validates the components.
   *
   * @param payload the response body: the function's result, or AWS's error JSON
   * @param functionError present when the function failed (including a timeout)
   * @param requestId the request id lambdarun assigned to the invocation
   * @param coldStart whether a new instance was launched for it
   * @param initDuration how long the launch took, on a cold start
   * @param duration the whole invocation, including any launch
   * @param logResult base64 of the last 4 KB of the instance's log, when requested
   */
  public InvocationResult {
    payload = payload.clone();
    Objects.requireNonNull(functionError, "functionError");
    Objects.requireNonNull(requestId, "requestId");
    Objects.requireNonNull(initDuration, "initDuration");
    Objects.requireNonNull(duration, "duration");
    Objects.requireNonNull(logResult, "logResult");
  }

  /**
   * Returns a copy of the response body.
   *
   * @return the payload bytes
   */
  @Override
  public byte[] payload() {
    return payload.clone();
  }

  /**
   * Decodes the response body as UTF-8.
   *
   * @return the payload as text
   */
  public String payloadUtf8() {
    return new String(payload, StandardCharsets.UTF_8);
  }

  /**
   * Tells whether the function failed.
   *
   * @return true when {@link #functionError()} is present
   */
  public boolean isFunctionError() {
    return functionError.isPresent();
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof InvocationResult that
        && Arrays.equals(payload, that.payload)
        && functionError.equals(that.functionError)
        && requestId.equals(that.requestId)
        && coldStart == that.coldStart
        && initDuration.equals(that.initDuration)
        && duration.equals(that.duration)
        && logResult.equals(that.logResult);
  }

  @Override
  public int hashCode() {
    return Objects.hash(
        Arrays.hashCode(payload),
        functionError,
        requestId,
        coldStart,
        initDuration,
        duration,
        logResult);
  }

  @Override
  public String toString() {
    return "InvocationResult[requestId="
        + requestId
        + ", functionError="
        + functionError
        + ", payloadBytes="
        + payload.length
        + ", coldStart="
        + coldStart
        + ", initDuration="
        + initDuration
        + ", duration="
        + duration
        + ", logResult="
        + logResult.isPresent()
        + "]";
  }
}
