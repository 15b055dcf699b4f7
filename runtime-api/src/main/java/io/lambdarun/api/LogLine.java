package io.lambdarun.api;

import java.time.Instant;
import java.util.Objects;

/**
 * One line an instance wrote to its standard output or standard error, as the backend read it.
 *
 * <p>Lambda merges both streams into one log stream, and so does lambdarun: the line does not say
 * which stream it came from.
 *
 * @param timestamp when the backend read the line (or, where the engine records it, when the
 *     instance wrote it)
 * @param text the line without its line terminator; never null, may be empty
 */
public record LogLine(Instant timestamp, String text) {

  /**
   * Validates the components.
   *
   * @param timestamp when the backend read the line (or, where the engine records it, when the
   *     instance wrote it)
   * @param text the line without its line terminator; never null, may be empty
   */
  public LogLine {
    Objects.requireNonNull(timestamp, "timestamp");
    Objects.requireNonNull(text, "text");
  }
}
