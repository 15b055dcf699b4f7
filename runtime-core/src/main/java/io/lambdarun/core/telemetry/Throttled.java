package io.lambdarun.core.telemetry;

import java.time.Instant;

/**
 * An invocation was refused because the function's concurrency was exhausted (HTTP 429 {@code
 * TooManyRequestsException}); reported by the embedder through {@link
 * io.lambdarun.core.LambdaRuntime#reportThrottle}.
 *
 * @param functionName the function
 * @param version the function version
 * @param time when it was refused
 */
public record Throttled(String functionName, String version, Instant time) {}
