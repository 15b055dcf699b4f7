/**
 * The {@code local} backend: zip functions on {@code python3.x}, {@code nodejs*.x} and {@code
 * provided*} runtimes run as local processes behind an in-JVM RIE-compatible endpoint on 127.0.0.1
 * that also hosts the Lambda Runtime API, so it reports each event's true outcome ({@code
 * Unhandled} function errors; {@code Handled} when a runtime posts its error with {@code
 * Lambda-Runtime-Function-Error-Type: Handled}; init errors; exits; timeouts).
 *
 * <p>Select it by name {@value io.lambdarun.local.LocalRuntimeProvider#NAME}; configuration keys
 * are in {@link io.lambdarun.local.LocalConfigKeys}.
 */
package io.lambdarun.local;
