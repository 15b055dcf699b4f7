/**
 * Finds the backends ({@link io.lambdarun.api.ContainerRuntimeProvider}s) on the class path and
 * chooses one, by name or automatically, reporting why each is or is not available. Public for the
 * command line's {@code backends} command and the Guice module; {@code NoRuntimeAvailableException}
 * is what {@code LambdaRuntime.Builder.build()} throws when none can be chosen.
 */
package io.lambdarun.core.discovery;
