package io.lambdarun.api;

/**
 * Receives an instance's output line by line while a backend streams it (see {@link
 * ContainerRuntime#followLogs}).
 *
 * <p>A backend calls a listener one call at a time per instance (from one thread, or from several
 * that hand over to each other, as an HTTP client's executor does), in the order the instance wrote
 * the lines; lines of stdout and stderr keep their order within each stream. Core's listeners
 * return at once and never throw; a backend should still catch and log what a listener throws so
 * that one bad listener cannot end the stream.
 */
@FunctionalInterface
public interface LogLineListener {

  /**
   * Receives the next line the instance wrote.
   *
   * @param line the line, without its terminator
   */
  void onLine(LogLine line);
}
