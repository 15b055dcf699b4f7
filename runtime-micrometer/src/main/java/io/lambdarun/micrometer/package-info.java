/**
 * Lambda's {@code AWS/Lambda} metrics as Micrometer meters: register a {@link
 * io.lambdarun.micrometer.LambdaMetrics} as a listener of a {@link
 * io.lambdarun.core.LambdaRuntime}.
 */
package io.lambdarun.micrometer;
