package io.lambdarun.core.telemetry;

import java.time.Instant;

/**
 * An instance was torn down.
 *
 * @param functionName the function
 * @param version the function version
 * @param instanceId the backend's instance id
 * @param reason why
 * @param time when core began tearing it down
 */
public record InstanceStopped(
    String functionName, String version, String instanceId, StopReason reason, Instant time) {}
