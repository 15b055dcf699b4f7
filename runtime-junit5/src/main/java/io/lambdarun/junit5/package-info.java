/**
 * A JUnit 5 extension that runs your handler under Lambda's semantics: {@link
 * io.lambdarun.junit5.LambdaTest} on a test class starts one {@link
 * io.lambdarun.core.LambdaRuntime} for the class's tests, {@link io.lambdarun.junit5.Function}
 * declares functions on fields, and test methods take the runtime, the functions, an {@link
 * io.lambdarun.junit5.LambdaInvoker} or an {@link io.lambdarun.junit5.Invoke}d result as
 * parameters. A failed test carries the log tails of the invocations it made.
 */
package io.lambdarun.junit5;
