package io.lambdarun.core.runtimeapi;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.util.concurrent.CompletableFuture;

/**
 * A selector and read buffer that an invoking thread borrows to read its own event's answer from
 * the instance's connection: the answer then wakes that thread directly, where the loop thread
 * would have to read it and wake the caller in turn (two thread wake-ups instead of one). Used by
 * one thread at a time; {@link RuntimeApiHost} pools them.
 */
final class CallerPoller implements AutoCloseable {

  private final Selector selector;
  private final ByteBuffer scratch = ByteBuffer.allocateDirect(64 * 1024);
  private HttpConnection connection;
  private SelectionKey key;

  private CallerPoller(Selector selector) {
    this.selector = selector;
  }

  static CallerPoller open() throws IOException {
    return new CallerPoller(Selector.open());
  }

  /**
   * Takes over reading {@code lent}; called holding the monitor of its port's handler.
   *
   * @param lent the connection
   * @return false when the connection is closed
   */
  boolean take(HttpConnection lent) {
    SelectionKey borrowed = lent.lendTo(selector);
    if (borrowed == null) {
      return false;
    }
    connection = lent;
    key = borrowed;
    return true;
  }

  /**
   * Returns the buffer this poller's thread reads into.
   *
   * @return the buffer
   */
  ByteBuffer scratch() {
    return scratch;
  }

  /**
   * Reads and writes the taken connection on this thread until {@code answer} completes, the
   * connection closes or it is taken back (paused or handed to the loop).
   *
   * @param answer the event's answer, completed by whichever thread handles its outcome
   * @throws InterruptedException if this thread is interrupted
   */
  void readUntil(CompletableFuture<?> answer) throws InterruptedException {
    Object guard = connection.handler();
    answer.whenComplete((done, failure) -> selector.wakeup());
    while (!answer.isDone()) {
      try {
        selector.select();
      } catch (IOException e) {
        return;
      }
      if (Thread.interrupted()) {
        throw new InterruptedException();
      }
      synchronized (guard) {
        if (!connection.readsOn(key)) {
          return;
        }
        for (SelectionKey selected : selector.selectedKeys()) {
          connection.onReady(selected, scratch);
        }
      }
      selector.selectedKeys().clear();
    }
  }

  /**
   * Gives up the taken connection; called holding the monitor of its port's handler.
   *
   * @return the connection when this poller still read it, else null
   */
  HttpConnection release() {
    HttpConnection released = connection.readsOn(key) ? connection : null;
    key.cancel();
    connection = null;
    key = null;
    return released;
  }

  /**
   * Deregisters a released connection and clears a pending wake-up, so that the poller can serve
   * another caller.
   *
   * @throws IOException if the selector fails
   */
  void reset() throws IOException {
    selector.selectNow();
    selector.selectedKeys().clear();
  }

  @Override
  public void close() {
    try {
      selector.close();
    } catch (IOException e) {
      // nothing to release beyond the selector itself
    }
  }
}
