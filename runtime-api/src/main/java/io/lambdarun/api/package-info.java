/**
 * The contract between lambdarun and its execution backends.
 *
 * <p>Two audiences read this package:
 *
 * <ul>
 *   <li><b>Backend authors</b> implement {@link io.lambdarun.api.ContainerRuntimeProvider} (a
 *       cheap, stateless factory found by {@link java.util.ServiceLoader}) and {@link
 *       io.lambdarun.api.ContainerRuntime} (the stateful, closeable service it creates). A backend
 *       receives a fully resolved {@link io.lambdarun.api.LaunchSpec}: every Lambda rule
 *       (environment precedence, reserved keys, localhost rewriting, image mapping, deploy
 *       fingerprints) has already been applied by lambdarun's core, so a backend only translates
 *       the spec into infrastructure calls and returns an {@link io.lambdarun.api.Instance} whose
 *       endpoint speaks the Runtime Interface Emulator protocol. The {@code runtime-tck} module
 *       holds the test suites a backend must pass.
 *   <li><b>Embedders</b> rarely touch this package directly; they use {@code
 *       io.lambdarun.core.LambdaRuntime}. They meet the exception types declared here, all
 *       unchecked and rooted at {@link io.lambdarun.api.LambdaRunException}.
 * </ul>
 *
 * <p>This module depends on nothing but the JDK, so a third-party backend never inherits a library
 * version from lambdarun through it.
 */
package io.lambdarun.api;
