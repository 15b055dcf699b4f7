/**
 * The embedder's entry point of lambdarun's core: build a {@link io.lambdarun.core.LambdaRuntime}
 * on a backend, configure it by {@link io.lambdarun.core.CoreConfigKeys} and list its {@link
 * io.lambdarun.core.WarmInstance}s. The functions it runs and what it returns are in {@link
 * io.lambdarun.core.model}.
 */
package io.lambdarun.core;
