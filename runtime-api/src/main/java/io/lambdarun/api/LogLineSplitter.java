package io.lambdarun.api;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.function.Consumer;

/**
 * Cuts an instance's output, read as bytes, into the {@link LogLine}s that {@link
 * ContainerRuntime#followLogs} delivers: a helper for backends, so that every backend splits lines
 * the same way.
 *
 * <p>Each {@code \n} ends a line and a {@code \r} before it is dropped; a line longer than the
 * splitter's maximum is cut at that length; text without a newline waits for more bytes or for
 * {@link #finish}, which a backend calls when the stream ends (or when the output has been quiet,
 * to deliver a last line that a runtime wrote without a newline). Bytes are decoded as UTF-8, with
 * malformed input replaced. Not thread-safe: one splitter per stream, fed by one thread at a time.
 */
public final class LogLineSplitter {

  private final int maxLineBytes;
  private final ByteArrayOutputStream partial = new ByteArrayOutputStream();

  /**
   * Creates a splitter.
   *
   * @param maxLineBytes the longest line, in bytes, before it is cut; at least 1
   * @throws IllegalArgumentException if {@code maxLineBytes} is below 1
   */
  public LogLineSplitter(int maxLineBytes) {
    if (maxLineBytes < 1) {
      throw new IllegalArgumentException(
          "maxLineBytes is " + maxLineBytes + "; use at least 1 byte");
    }
    this.maxLineBytes = maxLineBytes;
  }

  /**
   * Adds bytes and hands every line they complete to {@code lines}.
   *
   * @param bytes the buffer
   * @param offset where the bytes to add start in it
   * @param length how many bytes to add
   * @param at the time the bytes were written or read, given to the lines they complete
   * @param lines receives the completed lines, in order
   */
  public void add(byte[] bytes, int offset, int length, Instant at, Consumer<LogLine> lines) {
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
  public void finish(Instant at, Consumer<LogLine> lines) {
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
