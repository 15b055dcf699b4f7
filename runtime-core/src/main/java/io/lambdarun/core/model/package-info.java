/**
 * The function model embedders describe and receive: {@link io.lambdarun.core.model.LambdaFunction}
 * and the rules it is checked against, {@link io.lambdarun.core.model.InvokeOptions} and {@link
 * io.lambdarun.core.model.InvocationResult}, credentials, logging configuration and provisioned
 * concurrency. It depends on no other package of core, so that core's internal packages build on it
 * and {@link io.lambdarun.core.LambdaRuntime} on both without an import cycle.
 */
package io.lambdarun.core.model;
