package io.lambdarun.core.runtimeapi;

import java.util.ArrayDeque;

/**
 * The chunks of a streamed response between the loop thread, which offers them as they arrive, and
 * the invoking thread, which takes them. At most about {@value #HIGH_WATER} bytes wait here: beyond
 * that {@link #offer} asks the connection to pause, and taking below half of it resumes the
 * connection, so a slow reader slows only its own instance.
 */
final class ResponseStreamBuffer {

  /** The bytes that may wait for the reader before the connection pauses. */
  static final int HIGH_WATER = 1024 * 1024;

  private final ArrayDeque<byte[]> chunks = new ArrayDeque<>();
  private int buffered;
  private boolean ended;
  private boolean abandoned;
  private Runnable resume;

  /**
   * Adds bytes; called on the loop thread.
   *
   * @param bytes the buffer, copied
   * @param offset where the bytes start
   * @param length how many there are
   * @param onResume run (from the reader's thread) once the reader has caught up, after a pause
   * @return false when the connection should pause
   */
  synchronized boolean offer(byte[] bytes, int offset, int length, Runnable onResume) {
    if (abandoned || ended || length == 0) {
      return true;
    }
    byte[] copy = new byte[length];
    System.arraycopy(bytes, offset, copy, 0, length);
    chunks.add(copy);
    buffered += length;
    notifyAll();
    if (buffered < HIGH_WATER) {
      return true;
    }
    resume = onResume;
    return false;
  }

  /** Ends the stream: the reader takes what is left, then sees the end. */
  synchronized void end() {
    ended = true;
    notifyAll();
  }

  /**
   * Takes the next chunk, waiting for it.
   *
   * @return the chunk, or {@code null} once the stream has ended and every chunk was taken
   * @throws InterruptedException if the reader is interrupted while waiting
   */
  byte[] take() throws InterruptedException {
    byte[] chunk;
    Runnable toResume = null;
    synchronized (this) {
      while (chunks.isEmpty() && !ended) {
        wait();
      }
      chunk = chunks.poll();
      if (chunk == null) {
        return null;
      }
      buffered -= chunk.length;
      if (resume != null && buffered < HIGH_WATER / 2) {
        toResume = resume;
        resume = null;
      }
    }
    if (toResume != null) {
      toResume.run();
    }
    return chunk;
  }

  /** Drops what waits and whatever comes later, and resumes a paused connection. */
  void abandon() {
    Runnable toResume;
    synchronized (this) {
      abandoned = true;
      chunks.clear();
      buffered = 0;
      toResume = resume;
      resume = null;
    }
    if (toResume != null) {
      toResume.run();
    }
  }
}
