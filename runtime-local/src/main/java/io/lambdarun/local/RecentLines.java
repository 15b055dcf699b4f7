package io.lambdarun.local;

import io.lambdarun.api.LogLine;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Iterator;

/**
 * The last lines of an instance's output, at most {@code tailBytes} of text, kept with their
 * timestamps so that {@link #since} filters exactly. Thread-safe.
 */
final class RecentLines {

  private final int tailBytes;
  private final Deque<Kept> lines = new ArrayDeque<>();
  private long bytes; // guarded by this

  private record Kept(LogLine line, int bytes) {}

  RecentLines(int tailBytes) {
    this.tailBytes = tailBytes;
  }

  /** Keeps a line, dropping the oldest ones beyond {@code tailBytes}. */
  synchronized void add(LogLine line) {
    int size = line.text().getBytes(StandardCharsets.UTF_8).length + 1;
    lines.addLast(new Kept(line, size));
    bytes += size;
    while (bytes > tailBytes && lines.size() > 1) {
      bytes -= lines.removeFirst().bytes();
    }
  }

  /**
   * Returns the kept lines read at or after {@code since}, each ended by a newline, at most the
   * last {@code tailBytes}.
   */
  synchronized String since(Instant since) {
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
