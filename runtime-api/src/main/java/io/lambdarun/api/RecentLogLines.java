package io.lambdarun.api;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Iterator;

/**
 * The last lines of a followed instance's output, with their timestamps: a helper for backends,
 * whose {@link ContainerRuntime#logs} of a followed instance can then answer from the stream,
 * filtered by time exactly, instead of asking the engine again.
 *
 * <p>Keeps at most {@code tailBytes} of text (each line counted with its newline), dropping the
 * oldest lines first; the newest line is always kept. Thread-safe.
 */
public final class RecentLogLines {

  private final int tailBytes;
  private final Deque<Kept> lines = new ArrayDeque<>();
  private long bytes; // guarded by this

  private record Kept(LogLine line, int bytes) {}

  /**
   * Creates an empty tail.
   *
   * @param tailBytes how much text to keep and to return at most
   */
  public RecentLogLines(int tailBytes) {
    this.tailBytes = tailBytes;
  }

  /**
   * Keeps a line, dropping the oldest ones beyond {@code tailBytes}.
   *
   * @param line the line the stream delivered
   */
  public synchronized void add(LogLine line) {
    int size = line.text().getBytes(StandardCharsets.UTF_8).length + 1;
    lines.addLast(new Kept(line, size));
    bytes += size;
    while (bytes > tailBytes && lines.size() > 1) {
      bytes -= lines.removeFirst().bytes();
    }
  }

  /**
   * Returns the kept lines stamped at or after {@code since}.
   *
   * @param since the earliest time of interest
   * @return the lines in order, each ended by a newline, at most the last {@code tailBytes}
   */
  public synchronized String since(Instant since) {
    Deque<String> picked = new ArrayDeque<>();
    long size = 0;
    for (Iterator<Kept> newest = lines.descendingIterator(); newest.hasNext(); ) {
      Kept kept = newest.next();
      if (kept.line().timestamp().isBefore(since) || size + kept.bytes() > tailBytes) {
        break;
      }
      picked.addFirst(kept.line().text());
      size += kept.bytes();
    }
    StringBuilder text = new StringBuilder((int) size);
    picked.forEach(line -> text.append(line).append('\n'));
    return text.toString();
  }
}
