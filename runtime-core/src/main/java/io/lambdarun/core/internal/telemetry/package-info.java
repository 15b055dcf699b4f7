/**
 * The engine behind the telemetry API: each instance's log stream with Lambda's platform lines,
 * each invocation's report, and the delivery to the embedder's sinks and listeners. Internal: not
 * an API; may change without notice.
 */
package io.lambdarun.core.internal.telemetry;
