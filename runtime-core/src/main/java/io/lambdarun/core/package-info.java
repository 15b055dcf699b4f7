/**
 * The embedder's API of lambdarun's core: build a {@link io.lambdarun.core.LambdaRuntime} on a
 * backend, describe functions with {@link io.lambdarun.core.LambdaFunction} and invoke them into
 * {@link io.lambdarun.core.InvocationResult}s, with the options, credentials, logging and
 * provisioned-concurrency types these take and return.
 */
package io.lambdarun.core;
