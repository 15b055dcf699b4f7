/**
 * What core reports to embedders: {@link io.lambdarun.core.telemetry.LambdaRuntimeListener}s
 * receive instance and invocation events, {@link io.lambdarun.core.telemetry.LogSink}s receive
 * every function's log records, named as Lambda names them.
 */
package io.lambdarun.core.telemetry;
