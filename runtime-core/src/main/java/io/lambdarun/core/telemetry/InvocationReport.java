package io.lambdarun.core.telemetry;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * What Lambda's {@code REPORT} line says about a finished invocation.
 *
 * @param functionName the function
 * @param version the function version
 * @param instanceId the instance that served it
 * @param requestId the invocation's request id
 * @param finished when the invocation ended
 * @param duration from the event being handed to the instance until its answer
 * @param billedDuration the duration rounded up to the millisecond, plus the init duration on a
 *     cold start (Lambda bills the init phase)
 * @param memorySizeMib the function's configured memory
 * @param maxMemoryUsedBytes the instance's peak memory, when the backend measures it
 * @param initDuration how long the instance took to start, on a cold start
 * @param status how the invocation ended
 * @param errorType the error type of an error, timeout or failure, e.g. {@code Runtime.ExitError}
 */
public record InvocationReport(
    String functionName,
    String version,
    String instanceId,
    String requestId,
    Instant finished,
    Duration duration,
    Duration billedDuration,
    int memorySizeMib,
    OptionalLong maxMemoryUsedBytes,
    Optional<Duration> initDuration,
    InvocationStatus status,
    Optional<String> errorType) {

  /**
   * Tells whether the instance was started for this invocation.
   *
   * @return true on a cold start
   */
  public boolean coldStart() {
    return initDuration.isPresent();
  }

  /**
   * Returns the peak memory in Lambda's unit, rounded up.
   *
   * @return MiB, when the backend measures it
   */
  public OptionalLong maxMemoryUsedMib() {
    return maxMemoryUsedBytes.isPresent()
        ? OptionalLong.of((maxMemoryUsedBytes.getAsLong() + (1 << 20) - 1) >> 20)
        : OptionalLong.empty();
  }
}
