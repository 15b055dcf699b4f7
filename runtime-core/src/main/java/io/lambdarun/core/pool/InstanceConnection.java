package io.lambdarun.core.pool;

import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.net.StandardSocketOptions;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedByInterruptException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The one keep-alive connection to a pooled instance. The pool hands an instance to one event at a
 * time, so the exchange methods are never called concurrently; {@link #close()} may come from any
 * thread and makes a blocked exchange fail.
 */
final class InstanceConnection implements AutoCloseable {

  /** The most bytes one socket read or write moves (bounds the JDK's per-thread direct buffers). */
  static final int MAX_IO_BYTES = 64 * 1024;

  private final URI endpoint;
  private SocketChannel channel;
  private boolean closed;

  InstanceConnection(URI endpoint) {
    this.endpoint = endpoint;
  }

  /**
   * Makes sure a live connection is open: the idle one when the peer has not closed it, otherwise a
   * new one. Leaves the channel in non-blocking mode for {@link #write}.
   *
   * @throws ConnectException if no connection could be established, so nothing was sent
   * @throws ClosedByInterruptException if the calling thread was interrupted
   */
  void connect(Duration connectTimeout) throws IOException {
    SocketChannel idle = current();
    if (idle != null && isIdleAndOpen(idle)) {
      return;
    }
    disconnect();
    if (isClosed()) {
      throw closedException();
    }
    SocketChannel fresh = SocketChannel.open();
    try {
      fresh.setOption(StandardSocketOptions.TCP_NODELAY, true);
      fresh.socket().connect(address(), (int) Math.max(1, connectTimeout.toMillis()));
      fresh.configureBlocking(false);
    } catch (ClosedByInterruptException e) {
      fresh.close();
      throw e;
    } catch (IOException | RuntimeException e) {
      fresh.close();
      if (Thread.currentThread().isInterrupted()) {
        ClosedByInterruptException interrupted = new ClosedByInterruptException();
        interrupted.initCause(e);
        throw interrupted;
      }
      ConnectException failure =
          new ConnectException("cannot connect to '" + endpoint + "' (" + e.getMessage() + ")");
      failure.initCause(e);
      throw failure;
    }
    synchronized (this) {
      if (!closed) {
        channel = fresh;
        return;
      }
    }
    fresh.close();
    throw closedException();
  }

  /**
   * Writes the buffers completely before the deadline, gathering them so that a small request
   * leaves in one segment; the channel is in non-blocking mode.
   */
  void write(ByteBuffer[] buffers, long deadlineNanos) throws IOException {
    SocketChannel open = require();
    Selector selector = null;
    try {
      for (ByteBuffer[] window = window(buffers); window.length > 0; window = window(buffers)) {
        long written = open.write(window);
        advance(buffers, written);
        if (written == 0) {
          if (selector == null) {
            selector = Selector.open();
            open.register(selector, SelectionKey.OP_WRITE);
          }
          selector.select(remainingMillis(deadlineNanos));
          selector.selectedKeys().clear();
          if (Thread.currentThread().isInterrupted()) {
            disconnect();
            throw new ClosedByInterruptException();
          }
        }
      }
    } finally {
      if (selector != null) {
        selector.close();
      }
    }
  }

  /** Slices of the unwritten bytes, at most {@link #MAX_IO_BYTES} in all. */
  private static ByteBuffer[] window(ByteBuffer[] buffers) {
    List<ByteBuffer> window = new ArrayList<>(buffers.length);
    int room = MAX_IO_BYTES;
    for (ByteBuffer buffer : buffers) {
      if (room == 0) {
        break;
      }
      if (buffer.hasRemaining()) {
        ByteBuffer slice = buffer.slice();
        slice.limit(Math.min(slice.remaining(), room));
        room -= slice.remaining();
        window.add(slice);
      }
    }
    return window.toArray(ByteBuffer[]::new);
  }

  private static void advance(ByteBuffer[] buffers, long written) {
    long left = written;
    for (ByteBuffer buffer : buffers) {
      int step = (int) Math.min(left, buffer.remaining());
      buffer.position(buffer.position() + step);
      left -= step;
    }
  }

  /**
   * Switches to blocking mode and returns a stream of the answer that fails with {@link
   * SocketTimeoutException} once the deadline has passed.
   */
  InputStream input(long deadlineNanos) throws IOException {
    SocketChannel open = require();
    open.configureBlocking(true);
    InputStream in = open.socket().getInputStream();
    return new InputStream() {
      @Override
      public int read() throws IOException {
        byte[] one = new byte[1];
        return read(one, 0, 1) == -1 ? -1 : one[0] & 0xff;
      }

      @Override
      public int read(byte[] b, int off, int len) throws IOException {
        open.socket().setSoTimeout(remainingMillis(deadlineNanos));
        return in.read(b, off, Math.min(len, MAX_IO_BYTES));
      }
    };
  }

  /** Closes the socket; the instance stays usable and the next event connects again. */
  void disconnect() {
    SocketChannel old;
    synchronized (this) {
      old = channel;
      channel = null;
    }
    closeQuietly(old);
  }

  /** Closes the socket for good, when the instance is retired. Idempotent. */
  @Override
  public void close() {
    synchronized (this) {
      closed = true;
    }
    disconnect();
  }

  /** Tells whether a socket is open, for tests. */
  synchronized boolean isOpen() {
    return channel != null && channel.isOpen();
  }

  private synchronized boolean isClosed() {
    return closed;
  }

  private ConnectException closedException() {
    return new ConnectException(
        "the connection to '" + endpoint + "' was closed with its instance");
  }

  private synchronized SocketChannel current() {
    return channel;
  }

  private SocketChannel require() throws IOException {
    SocketChannel open = current();
    if (open == null) {
      throw new IOException("the connection to '" + endpoint + "' was closed with its instance");
    }
    return open;
  }

  /**
   * A non-blocking read of one byte: 0 means the idle connection is still open; end of stream or an
   * error means the peer closed it; data from an idle peer breaks the protocol, so the connection
   * is not trusted either.
   */
  private static boolean isIdleAndOpen(SocketChannel idle) {
    try {
      idle.configureBlocking(false);
      return idle.read(ByteBuffer.allocate(1)) == 0;
    } catch (IOException e) {
      return false;
    }
  }

  private InetSocketAddress address() {
    int port = endpoint.getPort() != -1 ? endpoint.getPort() : 80;
    return new InetSocketAddress(endpoint.getHost(), port);
  }

  private static int remainingMillis(long deadlineNanos) throws SocketTimeoutException {
    long remaining = deadlineNanos - System.nanoTime();
    if (remaining <= 0) {
      throw new SocketTimeoutException("no complete answer before the deadline");
    }
    return (int) Math.min(Integer.MAX_VALUE, Math.max(1, remaining / 1_000_000));
  }

  private static void closeQuietly(SocketChannel channel) {
    if (channel != null) {
      try {
        channel.close();
      } catch (IOException e) {
        // nothing left to release
      }
    }
  }
}
