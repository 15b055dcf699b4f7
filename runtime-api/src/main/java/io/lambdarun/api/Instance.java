package io.lambdarun.api;

import java.net.URI;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * A running execution environment, as returned by {@link ContainerRuntime#launch}.
 *
 * @param id the backend's handle for the instance (container id, pod name, process id); opaque to
 *     core, unique within the runtime, and safe to log
 * @param endpoint the base URI of the instance's RIE endpoint, for example {@code
 *     http://127.0.0.1:49153}; core posts events to {@link #invocationUri()}
 * @param details extra facts shown in listings, for example {@code containerId} or {@code
 *     podName} and {@code namespace}; ordered, never containing secrets
 */
public record Instance(String id, URI endpoint, Map<String, String> details) {

  /** The path of the RIE invocation endpoint, relative to {@link #endpoint()}. */
  public static final String INVOCATION_PATH = "/2015-03-31/functions/function/invocations";

  /** Validates and copies the components. */
  public Instance {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(endpoint, "endpoint");
    details = Collections.unmodifiableMap(new LinkedHashMap<>(details));
  }

  /**
   * Creates an instance without details.
   *
   * @param id the backend's handle
   * @param endpoint the base URI of the RIE endpoint
   * @return the instance
   */
  public static Instance of(String id, URI endpoint) {
    return new Instance(id, endpoint, Map.of());
  }

  /**
   * Returns the URI core posts events to.
   *
   * @return {@link #endpoint()} resolved against {@link #INVOCATION_PATH}
   */
  public URI invocationUri() {
    return endpoint.resolve(INVOCATION_PATH);
  }
}
