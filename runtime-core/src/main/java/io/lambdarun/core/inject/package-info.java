/** Binds a {@link io.lambdarun.core.LambdaRuntime} for Guice applications. */
package io.lambdarun.core.inject;
