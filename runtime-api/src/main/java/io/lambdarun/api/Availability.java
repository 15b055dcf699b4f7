package io.lambdarun.api;

import java.util.Objects;

/**
 * The verdict of {@link ContainerRuntimeProvider#availability}: whether a backend can be used, and
 * a human-readable reason either way.
 *
 * @param available whether the backend can run functions with the given configuration
 * @param reason what was found or what is missing and how to fix it; never blank
 */
public record Availability(boolean available, String reason) {

  /**
   * Validates the reason.
   *
   * @param available whether the backend can run functions with the given configuration
   * @param reason what was found or what is missing and how to fix it; never blank
   */
  public Availability {
    Objects.requireNonNull(reason, "reason");
    if (reason.isBlank()) {
      throw new IllegalArgumentException("an availability reason must not be blank");
    }
  }

  /**
   * Creates a positive verdict.
   *
   * @param reason what was found, e.g. {@code "Docker 20.10.24 at unix:///var/run/docker.sock"}
   * @return the verdict
   */
  public static Availability available(String reason) {
    return new Availability(true, reason);
  }

  /**
   * Creates a negative verdict.
   *
   * @param reason what is missing and how to fix it
   * @return the verdict
   */
  public static Availability unavailable(String reason) {
    return new Availability(false, reason);
  }
}
