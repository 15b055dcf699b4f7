package io.lambdarun.local;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;

/**
 * The stdout and stderr of an instance's processes, which append to one file, plus time marks that
 * make {@link #since} possible without a thread copying the output.
 *
 * <p>A mark records the file's length at a moment: when the instance starts, when an event arrives
 * and when it is answered. Output between two marks is dated to the earlier one, so {@link #since}
 * returns everything written after the last mark at or before the given time, capped to the last
 * {@code tailBytes}. The file is emptied when it grows past {@code rotateBytes} at a mark, so disk
 * and heap use stay bounded.
 *
 * <p>Thread-safe.
 */
final class OutputLog {

  private static final int MAX_MARKS = 64;

  private final Path file;
  private final int tailBytes;
  private final long rotateBytes;
  private final Deque<Mark> marks = new ArrayDeque<>(4);

  private record Mark(long epochMillis, long offset) {}

  /**
   * Creates the log and its empty file.
   *
   * @param file the file the processes append to
   * @param tailBytes the most bytes {@link #since} returns
   * @param rotateBytes the size past which the file is emptied at the next mark
   * @throws IOException if the file cannot be created
   */
  OutputLog(Path file, int tailBytes, long rotateBytes) throws IOException {
    this.file = file;
    this.tailBytes = tailBytes;
    this.rotateBytes = rotateBytes;
    Files.write(file, new byte[0]);
    marks.add(new Mark(System.currentTimeMillis(), 0));
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
    long length = length();
    if (length > rotateBytes) {
      try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
        channel.truncate(0);
        marks.clear();
        length = 0;
      } catch (IOException e) {
        // keep the old marks; the next mark tries again
      }
    }
    marks.add(new Mark(System.currentTimeMillis(), length));
    while (marks.size() > MAX_MARKS) {
      marks.removeFirst();
    }
  }

  /**
   * Reads the output written since a point in time, at most the last {@code tailBytes}.
   *
   * @param since the earliest time of interest
   * @return the text, empty when there is none or the file is gone
   */
  synchronized String since(Instant since) {
    long from = 0;
    for (Mark mark : marks) {
      if (mark.epochMillis() <= since.toEpochMilli()) {
        from = mark.offset();
      }
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
