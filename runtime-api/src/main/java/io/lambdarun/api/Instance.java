package io.lambdarun.api;

import java.net.URI;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * A running execution environment, as returned by {@link ContainerRuntime#launch}.
 *
 * @param id the backend's handle for the instance (container id, pod name, process id); opaque to
 *     core, unique within the runtime, and safe to log
 * @param endpoint in RIE-endpoint mode, the base URI of the instance's RIE endpoint, for example
 *     {@code http://127.0.0.1:49153}, to which core posts events at {@link #invocationUri()}; empty
 *     in Runtime API mode, where the instance's runtime client calls core instead
 * @param details extra facts shown in listings, for example {@code containerId} or {@code podName}
 *     and {@code namespace}; ordered, never containing secrets
 */
public record Instance(String id, Optional<URI> endpoint, Map<String, String> details) {

  /** The path of the RIE invocation endpoint, relative to {@link #endpoint()}. */
  public static final String INVOCATION_PATH = "/2015-03-31/functions/function/invocations";

  /**
   * Validates and copies the components.
   *
   * @param id the backend's handle for the instance (container id, pod name, process id); opaque to
   *     core, unique within the runtime, and safe to log
   * @param endpoint in RIE-endpoint mode, the base URI of the instance's RIE endpoint, for example
   *     {@code http://127.0.0.1:49153}, to which core posts events at {@link #invocationUri()};
   *     empty in Runtime API mode, where the instance's runtime client calls core instead
   * @param details extra facts shown in listings, for example {@code containerId} or {@code
   *     podName} and {@code namespace}; ordered, never containing secrets
   */
  public Instance {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(endpoint, "endpoint");
    details = Collections.unmodifiableMap(new LinkedHashMap<>(details));
  }

  /**
   * Creates an RIE-endpoint instance without details.
   *
   * @param id the backend's handle
   * @param endpoint the base URI of the RIE endpoint
   * @return the instance
   */
  public static Instance of(String id, URI endpoint) {
    return new Instance(id, Optional.of(endpoint), Map.of());
  }

  /**
   * Creates a Runtime API instance (one without an endpoint) without details.
   *
   * @param id the backend's handle
   * @return the instance
   */
  public static Instance of(String id) {
    return new Instance(id, Optional.empty(), Map.of());
  }

  /**
   * Returns the URI core posts events to in RIE-endpoint mode.
   *
   * @return {@link #endpoint()} resolved against {@link #INVOCATION_PATH}
   * @throws IllegalStateException if the instance runs in Runtime API mode and has no endpoint
   */
  public URI invocationUri() {
    return endpoint
        .orElseThrow(
            () ->
                new IllegalStateException(
                    "instance '"
                        + id
                        + "' runs in Runtime API mode and has no RIE endpoint;"
                        + " invoke it through core's Runtime API"))
        .resolve(INVOCATION_PATH);
  }
}
