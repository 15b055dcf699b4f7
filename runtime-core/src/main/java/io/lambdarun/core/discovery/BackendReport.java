package io.lambdarun.core.discovery;

import io.lambdarun.api.ContainerRuntimeProvider;

/**
 * What discovery found out about one backend: its name, rank, and whether it can be used, and why.
 *
 * @param name the backend name, or the offending class or file for a provider that failed to load
 * @param priority the provider's priority; {@link ContainerRuntimeProvider#EXPLICIT_ONLY} for
 *     backends chosen only by name and for providers that failed to load
 * @param available whether the backend can run functions
 * @param reason what was found or what is missing and how to fix it
 */
public record BackendReport(String name, int priority, boolean available, String reason) {

  /**
   * Tells whether the backend is never chosen automatically.
   *
   * @return true for {@link ContainerRuntimeProvider#EXPLICIT_ONLY}
   */
  public boolean explicitOnly() {
    return priority == ContainerRuntimeProvider.EXPLICIT_ONLY;
  }

  /**
   * Renders the report as one line, as the CLI's {@code backends} command and the "no backend"
   * error show it.
   *
   * @return for example {@code docker (priority -10): available: Docker 24.0 at unix:///...}
   */
  public String line() {
    String rank = explicitOnly() ? "explicit only" : "priority " + priority;
    return name + " (" + rank + "): " + (available ? "available" : "unavailable") + ": " + reason;
  }
}
