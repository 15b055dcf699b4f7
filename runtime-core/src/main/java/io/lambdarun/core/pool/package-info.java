/**
 * The engine behind {@link io.lambdarun.core.LambdaRuntime}: warm pools per function version,
 * provisioned concurrency, launching instances and invoking them over HTTP or core's Runtime API.
 * Internal: not an API; may change without notice.
 */
package io.lambdarun.core.pool;
