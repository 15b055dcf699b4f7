package io.lambdarun.core;

import java.time.Duration;
import java.util.Map;

/**
 * One warm instance, as listed by {@link LambdaRuntime#warmInstances()}.
 *
 * @param functionName the function it runs
 * @param version the function version
 * @param runtime the function's runtime id, empty for image functions
 * @param backend the backend that launched it
 * @param instanceId the backend's id of the instance
 * @param details the backend's extra facts (container id, pod name, ...)
 * @param busy whether it is serving an event now
 * @param idle how long it has been free; zero while busy
 */
public record WarmInstance(
    String functionName,
    String version,
    String runtime,
    String backend,
    String instanceId,
    Map<String, String> details,
    boolean busy,
    Duration idle) {

  /**
   * Copies the details.
   *
   * @param functionName the function it runs
   * @param version the function version
   * @param runtime the function's runtime id, empty for image functions
   * @param backend the backend that launched it
   * @param instanceId the backend's id of the instance
   * @param details the backend's extra facts (container id, pod name, ...)
   * @param busy whether it is serving an event now
   * @param idle how long it has been free; zero while busy
   */
  public WarmInstance {
    details = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(details));
  }
}
