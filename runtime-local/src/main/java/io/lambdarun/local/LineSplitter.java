package io.lambdarun.local;

import io.lambdarun.api.LogLine;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.function.Consumer;

/**
 * Cuts a byte stream into lines: each {@code \n} ends one (a {@code \r} before it is dropped), a
 * line longer than {@code maxLineBytes} is cut at that length, and what is left without a newline
 * waits for more bytes or for {@link #finish}, which the caller may also call mid-stream to deliver
 * it. Bytes are decoded as UTF-8, malformed input replaced. Not thread-safe.
 */
final class LineSplitter {

  private final int maxLineBytes;
  private final ByteArrayOutputStream partial = new ByteArrayOutputStream();

  LineSplitter(int maxLineBytes) {
    this.maxLineBytes = maxLineBytes;
  }

  /**
   * Adds bytes and hands every line they complete to {@code lines}.
   *
   * @param bytes the buffer
   * @param offset where the bytes to add start in it
   * @param length how many bytes to add
   * @param at the time the bytes were written or read, given to the lines they complete
   * @param lines receives the completed lines
   */
  void add(byte[] bytes, int offset, int length, Instant at, Consumer<LogLine> lines) {
    int start = offset;
    int end = offset + length;
    for (int i = offset; i < end; i++) {
      if (bytes[i] == '\n') {
        partial.write(bytes, start, i - start);
        start = i + 1;
        emit(at, lines);
      } else if (partial.size() + i - start + 1 >= maxLineBytes) {
        partial.write(bytes, start, i - start + 1);
        start = i + 1;
        emit(at, lines);
      }
    }
    partial.write(bytes, start, end - start);
  }

  /**
   * Hands the text held without a newline to {@code lines} as a line, if there is any.
   *
   * @param at the time the stream ended or went quiet
   * @param lines receives the line
   */
  void finish(Instant at, Consumer<LogLine> lines) {
    if (partial.size() > 0) {
      emit(at, lines);
    }
  }

  private void emit(Instant at, Consumer<LogLine> lines) {
    byte[] line = partial.toByteArray();
    partial.reset();
    int length = line.length;
    if (length > 0 && line[length - 1] == '\r') {
      length--;
    }
    lines.accept(new LogLine(at, new String(line, 0, length, StandardCharsets.UTF_8)));
  }
}
