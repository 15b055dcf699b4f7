package io.lambdarun.core.runtimeapi;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Collections;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One accepted connection of a {@link SelectorHttpServer}: feeds what arrives to an {@link
 * HttpRequestParser}, hands each request to the listener's handler, answers {@code Expect:
 * 100-continue}, and writes responses with keep-alive. Requests on one connection are answered in
 * order; a handler may answer later (long polls), from the server's loop thread. A malformed
 * request is answered with its 4xx or 501 status and {@code Connection: close}, and nothing after
 * it is read. A request whose body the handler streams ({@link SelectorHttpServer.Handler#streams})
 * is dispatched at its head; its body then goes to the handler's {@link BodySink}, and reading
 * pauses while the sink asks it to, which bounds what one connection holds.
 *
 * <p>Touched only while holding the monitor of its port's handler: by the server's loop thread, and
 * by a thread of the handler's that answers a waiting request itself; a write that thread cannot
 * complete at once is left to the loop. One party reads it at a time: the loop, a {@link
 * CallerPoller} it was lent to, or nobody while it is paused (a long poll waiting for its answer).
 */
final class HttpConnection {

  private static final Logger LOG = LoggerFactory.getLogger(HttpConnection.class);

  /** Bytes a client may send ahead while its previous request waits for an answer. */
  private static final int MAX_PIPELINED_BYTES =
      HttpRequestParser.MAX_HEAD_BYTES + HttpRequestParser.MAX_BODY_BYTES;

  private static final byte[] NO_BYTES = new byte[0];
  private static final byte[] CONTINUE =
      "HTTP/1.1 100 Continue\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1);

  private final SocketChannel channel;
  private final SelectionKey key;

  /** The key whose interest follows this connection's needs: the loop's, a poller's, or none. */
  private SelectionKey active;

  private final SelectorHttpServer.Listener listener;
  private final InetAddress peer;
  private final HttpRequestParser parser;
  private ArrayDeque<ByteBuffer> output;
  private boolean awaitingResponse;
  private boolean continueSent;
  private boolean closeAfterResponse;
  private boolean closeAfterWrite;
  private boolean processing;
  private boolean readPaused;
  private boolean open = true;

  HttpConnection(
      SocketChannel channel,
      SelectionKey key,
      SelectorHttpServer.Listener listener,
      InetAddress peer) {
    this.channel = channel;
    this.key = key;
    this.active = key;
    this.listener = listener;
    this.peer = peer;
    this.parser = new HttpRequestParser(listener.handler()::streams);
  }

  /**
   * Returns the address of the peer that opened the connection.
   *
   * @return the peer's IP address
   */
  InetAddress peer() {
    return peer;
  }

  /**
   * Returns the handler of the connection's port, whose monitor guards the connection.
   *
   * @return the handler
   */
  SelectorHttpServer.Handler handler() {
    return listener.handler();
  }

  /**
   * Tells whether the connection is still open.
   *
   * @return false once either side closed it
   */
  boolean isOpen() {
    return open;
  }

  /**
   * Answers the request this connection is waiting on. Does nothing when the connection is closed
   * or has no request waiting.
   *
   * @param status the HTTP status
   * @param headers extra response headers, in order
   * @param body the body
   * @return whether the answer was sent (false when the connection was closed)
   */
  boolean respond(int status, Map<String, String> headers, byte[] body) {
    if (!open || !awaitingResponse) {
      return false;
    }
    awaitingResponse = false;
    StringBuilder head = new StringBuilder(128);
    head.append("HTTP/1.1 ").append(status).append(' ').append(reason(status)).append("\r\n");
    headers.forEach((name, value) -> head.append(name).append(": ").append(value).append("\r\n"));
    head.append("Content-Length: ").append(body.length).append("\r\n");
    if (closeAfterResponse) {
      head.append("Connection: close\r\n");
    }
    head.append("\r\n");
    closeAfterWrite = closeAfterResponse;
    write(ByteBuffer.wrap(head.toString().getBytes(StandardCharsets.UTF_8)), ByteBuffer.wrap(body));
    if (!processing) {
      processInput();
    }
    return true;
  }

  /**
   * Sends the body of the streamed request being handled to {@code sink}; called by the handler
   * while it handles the request's head. A body no sink takes is dropped.
   *
   * @param sink the sink
   */
  void streamBodyTo(BodySink sink) {
    parser.streamTo(
        new BodySink() {
          @Override
          public boolean data(byte[] bytes, int offset, int length) {
            boolean more = sink.data(bytes, offset, length);
            if (!more) {
              readPaused = true;
              interest();
            }
            return more;
          }

          @Override
          public void end(Map<String, String> trailers) {
            sink.end(trailers);
          }
        });
  }

  /** Reads on after a {@link BodySink} asked for a pause. */
  void resumeReading() {
    if (!open || !readPaused) {
      return;
    }
    readPaused = false;
    interest();
    if (!processing) {
      processInput();
    }
  }

  /**
   * Lends the connection to a caller's selector, which reads and writes it from then on; the loop
   * stops watching it.
   *
   * @param selector the caller's selector
   * @return the connection's key on that selector, or null when the connection is closed
   */
  SelectionKey lendTo(Selector selector) {
    if (!open) {
      return null;
    }
    try {
      SelectionKey borrowed = channel.register(selector, 0);
      readOn(borrowed);
      return borrowed;
    } catch (ClosedChannelException e) {
      return null;
    }
  }

  /**
   * Tells whether {@code borrowed} still reads this connection.
   *
   * @param borrowed a key returned by {@link #lendTo}
   * @return false once the connection was paused, handed back to the loop or closed
   */
  boolean readsOn(SelectionKey borrowed) {
    return open && active == borrowed;
  }

  /** Hands the connection back to the loop, which reads and writes it from then on. */
  void readInLoop() {
    readOn(key);
  }

  /**
   * Stops reading the connection until it is lent or handed back, when it has nothing left to
   * write: a long poll waits for its answer, and what its client sends next stays in the socket.
   */
  void pauseReads() {
    if (output == null || output.isEmpty()) {
      readOn(null);
    }
  }

  /**
   * Tells whether the connection is between requests: open, answered, with nothing to write and no
   * bytes of a next request read.
   *
   * @return true when the connection can wait unread for its client's next request
   */
  boolean betweenRequests() {
    return open
        && !awaitingResponse
        && !closeAfterWrite
        && !readPaused
        && (output == null || output.isEmpty())
        && parser.buffered() == 0;
  }

  private void readOn(SelectionKey next) {
    if (active == next) {
      return;
    }
    SelectionKey previous = active;
    active = next;
    if (previous != null && previous.isValid()) {
      previous.interestOps(0);
    }
    interest();
  }

  /** Closes the connection; a waiting request is dropped. */
  void close() {
    if (!open) {
      return;
    }
    open = false;
    active = null;
    key.cancel();
    try {
      channel.close();
    } catch (IOException e) {
      LOG.debug("closing a connection failed", e);
    }
    listener.forget(this);
    listener.keysChanged();
    output = null;
  }

  /**
   * Reads what has arrived and handles the requests it completes.
   *
   * @param scratch the buffer to read into
   * @return the bytes read: 0 when nothing was waiting, -1 when the connection is closed now
   */
  int onReadable(ByteBuffer scratch) {
    int read;
    try {
      scratch.clear();
      read = channel.read(scratch);
      if (read < 0) {
        close();
        return -1;
      }
      scratch.flip();
      if (closeAfterWrite) {
        return read;
      }
      parser.append(scratch);
    } catch (IOException e) {
      close();
      return -1;
    }
    if (!awaitingResponse || parser.inStreamedBody()) {
      processInput();
    } else if (parser.buffered() > MAX_PIPELINED_BYTES) {
      close();
    }
    return open ? read : -1;
  }

  /**
   * Reads everything that has arrived, up to the end of the stream: a client that sent a request
   * and then exited has left both.
   *
   * @param scratch the buffer to read into
   * @return false when the client closed the connection
   */
  boolean readWaiting(ByteBuffer scratch) {
    for (int reads = 0; reads < 4; reads++) {
      int read = onReadable(scratch);
      if (read <= 0) {
        return read == 0;
      }
    }
    return open;
  }

  /**
   * Handles what a selector found ready on this connection's key: a write that can go on, then
   * bytes to read.
   *
   * @param ready the selected key, the loop's or a poller's
   * @param scratch the buffer to read into
   */
  void onReady(SelectionKey ready, ByteBuffer scratch) {
    if (ready.isValid() && ready.isWritable()) {
      flush();
    }
    if (ready.isValid() && ready.isReadable()) {
      onReadable(scratch);
    }
  }

  private void processInput() {
    processing = true;
    try {
      while (open
          && (!awaitingResponse || parser.inStreamedBody())
          && !closeAfterWrite
          && !readPaused
          && parser.buffered() > 0) {
        HttpRequest request;
        try {
          request = parser.next();
        } catch (MalformedRequestException e) {
          reject(e.status(), e.getMessage());
          return;
        }
        if (request == null) {
          sendContinueIfExpected();
          return;
        }
        dispatch(request);
        if (request.streamed()) {
          sendContinueIfExpected();
        }
      }
    } finally {
      processing = false;
    }
  }

  private void dispatch(HttpRequest request) {
    continueSent = false;
    closeAfterResponse = !request.keepAlive();
    awaitingResponse = true;
    try {
      listener.handler().handle(request, this);
    } catch (RuntimeException e) {
      LOG.warn("handling {} {} failed", request.method(), request.path(), e);
      respond(500, Map.of("Content-Type", "text/plain"), NO_BYTES);
    }
  }

  private void sendContinueIfExpected() {
    boolean answered = parser.inStreamedBody() && !awaitingResponse;
    if (!continueSent && !answered && parser.expectsContinue()) {
      continueSent = true;
      write(ByteBuffer.wrap(CONTINUE));
    }
  }

  /** Answers a malformed request and closes: where the next request would start is unknown. */
  private void reject(int status, String message) {
    awaitingResponse = true;
    closeAfterResponse = true;
    respond(status, Map.of("Content-Type", "text/plain"), message.getBytes(StandardCharsets.UTF_8));
  }

  /** Queues buffers to be written in one gathering write (a body is not copied behind its head). */
  private void write(ByteBuffer... buffers) {
    if (output == null) {
      output = new ArrayDeque<>(4);
    }
    Collections.addAll(output, buffers);
    flush();
  }

  private void flush() {
    if (!open) {
      return;
    }
    try {
      if (output != null) {
        channel.write(output.toArray(ByteBuffer[]::new));
        while (!output.isEmpty() && !output.peek().hasRemaining()) {
          output.poll();
        }
        if (!output.isEmpty()) {
          interest();
          return;
        }
      }
    } catch (IOException e) {
      close();
      return;
    }
    output = null;
    interest();
    if (closeAfterWrite) {
      close();
    }
  }

  private void interest() {
    if (active == null || !active.isValid()) {
      return;
    }
    int ops = readPaused ? 0 : SelectionKey.OP_READ;
    if (output != null && !output.isEmpty()) {
      ops |= SelectionKey.OP_WRITE;
    }
    if (active.interestOps() != ops) {
      active.interestOps(ops);
      if (active == key) {
        listener.keysChanged();
      }
    }
  }

  private static String reason(int status) {
    return switch (status) {
      case 200 -> "OK";
      case 202 -> "Accepted";
      case 400 -> "Bad Request";
      case 404 -> "Not Found";
      case 405 -> "Method Not Allowed";
      case 403 -> "Forbidden";
      case 409 -> "Conflict";
      case 413 -> "Payload Too Large";
      case 431 -> "Request Header Fields Too Large";
      case 500 -> "Internal Server Error";
      case 501 -> "Not Implemented";
      default -> "Status";
    };
  }
}
