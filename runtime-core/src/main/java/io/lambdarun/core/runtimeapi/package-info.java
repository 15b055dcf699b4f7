/**
 * Core's host of the Lambda Runtime API for backends whose instances run a runtime client: one port
 * per instance served by a small selector-driven HTTP/1.1 server. Internal: not an API; may change
 * without notice ({@code RuntimeApiHost}, {@code RuntimeApiInstance} and {@code RuntimeApiAnswer}
 * are public for the pool and for the TCK that checks backends).
 */
package io.lambdarun.core.runtimeapi;
