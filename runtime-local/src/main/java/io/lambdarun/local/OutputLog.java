package io.lambdarun.local;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;

/**
 * The stdout and stderr of an instance's processes, which append to one file, plus time marks that
 * make {@link #since} possible without a thread copying the output.
 *
 * <p>A mark records the file's length at a moment: what lies before it was written before that
 * moment. The backend marks at launch, whenever logs are read and whenever core asks about the
 * instance ({@link LocalContainerRuntime#exitCode}, while it starts or serves an event). {@link
 * #since} returns everything written after the last mark strictly before the given time (from the
 * oldest mark kept when none is that early), capped to the last {@code tailBytes}: it never drops
 * output written after that time, and it also returns what was written between that mark and the
 * time. So a caller that reads the logs after each event gets each event's output alone. The file
 * is cut back to its tail once it grows past {@code rotateBytes} (at every mark), so disk and heap
 * use stay bounded.
 *
 * <p>Thread-safe.
 */
final class OutputLog {

  private static final int MAX_MARKS = 64;

  private final Path file;
  private final int tailBytes;
  private final long rotateBytes;
  private final Clock clock;
  private final Deque<Mark> marks = new ArrayDeque<>(4);

  private record Mark(Instant at, long offset) {}

  /**
   * Creates the log and its empty file.
   *
   * @param file the file the processes append to
   * @param tailBytes the most bytes {@link #since} returns
   * @param rotateBytes the size past which the file is cut back to its tail
   * @throws IOException if the file cannot be created
   */
  OutputLog(Path file, int tailBytes, long rotateBytes) throws IOException {
    this(file, tailBytes, rotateBytes, Clock.systemUTC());
  }

  OutputLog(Path file, int tailBytes, long rotateBytes, Clock clock) throws IOException {
    this.file = file;
    this.tailBytes = tailBytes;
    this.rotateBytes = rotateBytes;
    this.clock = clock;
    Files.write(file, new byte[0]);
    marks.add(new Mark(clock.instant(), 0));
  }

  /**
   * Returns the file the processes append to.
   *
   * @return the file
   */
  Path file() {
    return file;
  }

  /** Records the current length of the output with the current time. */
  synchronized void mark() {
    rotateIfLarge();
    marks.add(new Mark(clock.instant(), length()));
    while (marks.size() > MAX_MARKS) {
      marks.removeFirst();
    }
  }

  /**
   * Empties the file once it grew past {@code rotateBytes}, keeping its last {@code tailBytes}
   * (appended again, after anything the processes wrote meanwhile) and shifting the marks to match.
   * Output written between reading the tail and emptying the file is lost; this is the price of no
   * copying thread.
   */
  synchronized void rotateIfLarge() {
    long size = length();
    if (size <= rotateBytes) {
      return;
    }
    long keepFrom = Math.max(0, size - tailBytes);
    try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
      ByteBuffer tail = ByteBuffer.allocate((int) (size - keepFrom));
      int read = 0;
      while (tail.hasRemaining() && read >= 0) {
        read = channel.read(tail, keepFrom + tail.position());
      }
      tail.flip();
      try (FileChannel writer = FileChannel.open(file, StandardOpenOption.WRITE)) {
        writer.truncate(0);
      }
      try (FileChannel appender = FileChannel.open(file, StandardOpenOption.APPEND)) {
        while (tail.hasRemaining()) {
          appender.write(tail);
        }
      }
    } catch (IOException e) {
      return;
    }
    Deque<Mark> shifted = new ArrayDeque<>(marks.size());
    for (Mark mark : marks) {
      shifted.add(new Mark(mark.at(), Math.max(0, mark.offset() - keepFrom)));
    }
    marks.clear();
    marks.addAll(shifted);
  }

  /**
   * Reads the output written since a point in time, at most the last {@code tailBytes}.
   *
   * @param since the earliest time of interest
   * @return the text, empty when there is none or the file is gone
   */
  synchronized String since(Instant since) {
    long from = marks.getFirst().offset();
    for (Mark mark : marks) {
      if (!mark.at().isBefore(since)) {
        break;
      }
      from = mark.offset();
    }
    try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
      long size = channel.size();
      long start = Math.max(Math.min(from, size), size - tailBytes);
      ByteBuffer buffer = ByteBuffer.allocate((int) (size - start));
      int read = 0;
      while (buffer.hasRemaining() && read >= 0) {
        read = channel.read(buffer, start + buffer.position());
      }
      buffer.flip();
      return StandardCharsets.UTF_8
          .newDecoder()
          .onMalformedInput(CodingErrorAction.REPLACE)
          .onUnmappableCharacter(CodingErrorAction.REPLACE)
          .decode(buffer)
          .toString();
    } catch (IOException e) {
      return "";
    }
  }

  private long length() {
    try {
      return Files.size(file);
    } catch (IOException e) {
      return 0;
    }
  }
}
