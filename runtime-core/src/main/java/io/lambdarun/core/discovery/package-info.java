/**
 * Finds the backends ({@link io.lambdarun.api.ContainerRuntimeProvider}s) on the class path and
 * chooses one, by name or automatically, reporting why each is or is not available. Internal: not
 * an API; may change without notice, except {@code NoRuntimeAvailableException}, which {@code
 * LambdaRuntime.Builder.build()} throws when no backend can be chosen. {@code BackendSelector} and
 * {@code BackendReport} are public for the command line's {@code backends} command.
 */
package io.lambdarun.core.discovery;
