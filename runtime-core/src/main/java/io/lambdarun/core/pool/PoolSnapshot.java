package io.lambdarun.core.pool;

import io.lambdarun.api.Instance;
import io.lambdarun.core.model.LambdaFunction;
import java.time.Duration;

/**
 * One pooled instance at the moment it was listed.
 *
 * @param function the function it was launched for
 * @param instance the backend's instance
 * @param busy whether it is serving an event
 * @param idle how long it has been free; zero while busy
 */
public record PoolSnapshot(
    LambdaFunction function, Instance instance, boolean busy, Duration idle) {}
