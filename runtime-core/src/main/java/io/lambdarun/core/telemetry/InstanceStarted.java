package io.lambdarun.core.telemetry;

import java.time.Duration;
import java.time.Instant;

/**
 * An instance became ready for its first event.
 *
 * @param functionName the function
 * @param version the function version
 * @param instanceId the backend's instance id
 * @param logStream the instance's log stream
 * @param initDuration how long the launch took, Lambda's {@code Init Duration}
 * @param time when it became ready
 */
public record InstanceStarted(
    String functionName,
    String version,
    String instanceId,
    String logStream,
    Duration initDuration,
    Instant time) {}
