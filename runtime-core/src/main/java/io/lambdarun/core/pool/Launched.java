package io.lambdarun.core.pool;

import io.lambdarun.api.Instance;
import io.lambdarun.core.model.SessionCredentials;
import io.lambdarun.core.runtimeapi.RuntimeApiInstance;
import java.time.Duration;
import java.util.Optional;

/**
 * A freshly launched instance with the credentials issued for it.
 *
 * @param instance the backend's instance
 * @param credentials the credentials it holds, if any were issued
 * @param launchTime how long the launch took
 * @param runtimeApi the instance's port on core's Runtime API in Runtime API mode, empty in
 *     RIE-endpoint mode
 */
record Launched(
    Instance instance,
    Optional<SessionCredentials> credentials,
    Duration launchTime,
    Optional<RuntimeApiInstance> runtimeApi) {}
