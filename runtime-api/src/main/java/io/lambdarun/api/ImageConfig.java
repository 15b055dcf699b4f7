package io.lambdarun.api;

import java.util.List;
import java.util.Optional;

/**
 * Overrides of a container image's own settings, as in Lambda's {@code ImageConfig}. Empty values
 * mean "keep what the image says".
 *
 * @param entryPoint replaces the image's {@code ENTRYPOINT} when not empty
 * @param command replaces the image's {@code CMD} when not empty
 * @param workingDirectory replaces the image's {@code WORKDIR} when present
 */
public record ImageConfig(
    List<String> entryPoint, List<String> command, Optional<String> workingDirectory) {

  /** An image config that overrides nothing. */
  public static final ImageConfig NONE = new ImageConfig(List.of(), List.of(), Optional.empty());

  /**
   * Copies the lists.
   *
   * @param entryPoint replaces the image's {@code ENTRYPOINT} when not empty
   * @param command replaces the image's {@code CMD} when not empty
   * @param workingDirectory replaces the image's {@code WORKDIR} when present
   */
  public ImageConfig {
    entryPoint = List.copyOf(entryPoint);
    command = List.copyOf(command);
    workingDirectory = workingDirectory.filter(dir -> !dir.isBlank());
  }

  /**
   * Tells whether this config overrides anything.
   *
   * @return true when every component is empty
   */
  public boolean isEmpty() {
    return entryPoint.isEmpty() && command.isEmpty() && workingDirectory.isEmpty();
  }
}
