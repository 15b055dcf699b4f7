package io.lambdarun.api;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The receiving end of a followed instance's output, for backends: keeps the last lines in a {@link
 * RecentLogLines} and hands each line to the {@link LogLineListener} given to {@link
 * ContainerRuntime#followLogs}, so that a listener that throws cannot end the stream.
 *
 * <p>{@link #deliver} returns the listener's exception the first time it throws, for the backend to
 * log with the instance's name; later failures of the same listener are dropped, so that a broken
 * listener cannot flood the log. Thread-safe.
 */
public final class FollowedLines {

  private final LogLineListener listener;
  private final RecentLogLines recent;
  private final AtomicBoolean listenerFailed = new AtomicBoolean();

  /**
   * Creates the end of one instance's stream.
   *
   * @param listener receives every line
   * @param tailBytes how much recent text {@link #since} keeps and returns at most
   */
  public FollowedLines(LogLineListener listener, int tailBytes) {
    this.listener = Objects.requireNonNull(listener, "listener");
    this.recent = new RecentLogLines(tailBytes);
  }

  /**
   * Keeps a line and hands it to the listener.
   *
   * @param line the next line of the instance's output
   * @return what the listener threw, if it threw now for the first time; empty otherwise
   */
  public Optional<RuntimeException> deliver(LogLine line) {
    recent.add(line);
    try {
      listener.onLine(line);
      return Optional.empty();
    } catch (RuntimeException e) {
      return listenerFailed.compareAndSet(false, true) ? Optional.of(e) : Optional.empty();
    }
  }

  /**
   * Returns the kept lines stamped at or after {@code since}.
   *
   * @param since the earliest time of interest
   * @return the lines in order, each ended by a newline, at most the last {@code tailBytes}
   * @see RecentLogLines#since
   */
  public String since(Instant since) {
    return recent.since(since);
  }
}
