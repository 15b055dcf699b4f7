package io.lambdarun.core.telemetry;

import java.time.Instant;

/**
 * An event is being handed to an instance. An event an instance provably never received (its
 * runtime had died while idle) is handed to another with the same request id, so a request id can
 * start twice; it finishes once.
 *
 * @param functionName the function
 * @param version the function version
 * @param instanceId the instance
 * @param requestId the request id
 * @param coldStart whether the instance was started for this event
 * @param time when the event was handed over
 */
public record InvocationStarted(
    String functionName,
    String version,
    String instanceId,
    String requestId,
    boolean coldStart,
    Instant time) {}
