package io.lambdarun.local;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One accepted connection of a {@link LoopbackHttpServer}: parses requests (request line, headers,
 * {@code Content-Length} or chunked bodies, {@code Expect: 100-continue}), hands each to the
 * listener's handler, and writes responses with keep-alive. Requests on one connection are answered
 * in order; a handler may answer later (long polls), from the server's loop thread.
 *
 * <p>Only ever touched by the server's loop thread.
 */
final class HttpConnection {

  private static final Logger LOG = LoggerFactory.getLogger(HttpConnection.class);
  private static final int MAX_HEAD_BYTES = 16 * 1024;

  /** Above AWS's 6 MB payload limit, so that core sees and reports oversized payloads itself. */
  private static final int MAX_BODY_BYTES = 16 * 1024 * 1024;

  private static final byte[] NO_BYTES = new byte[0];
  private static final byte[] CONTINUE =
      "HTTP/1.1 100 Continue\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1);

  private final SocketChannel channel;
  private final SelectionKey key;
  private final LoopbackHttpServer.Listener listener;
  private byte[] input = NO_BYTES;
  private int inputLength;
  private ArrayDeque<ByteBuffer> output;
  private boolean awaitingResponse;
  private boolean continueSent;
  private boolean closeAfterResponse;
  private boolean closeAfterWrite;
  private boolean processing;
  private boolean open = true;

  HttpConnection(SocketChannel channel, SelectionKey key, LoopbackHttpServer.Listener listener) {
    this.channel = channel;
    this.key = key;
    this.listener = listener;
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
    byte[] headBytes = head.toString().getBytes(StandardCharsets.UTF_8);
    ByteBuffer buffer = ByteBuffer.allocate(headBytes.length + body.length);
    buffer.put(headBytes).put(body).flip();
    closeAfterWrite = closeAfterResponse;
    write(buffer);
    if (!processing) {
      processInput();
    }
    return true;
  }

  /** Closes the connection; a waiting request is dropped. */
  void close() {
    if (!open) {
      return;
    }
    open = false;
    key.cancel();
    try {
      channel.close();
    } catch (IOException e) {
      LOG.debug("closing a connection failed", e);
    }
    listener.forget(this);
    input = NO_BYTES;
    output = null;
  }

  void onReadable(ByteBuffer scratch) {
    try {
      scratch.clear();
      int read = channel.read(scratch);
      if (read < 0) {
        close();
        return;
      }
      scratch.flip();
      append(scratch);
    } catch (IOException e) {
      close();
      return;
    }
    if (!awaitingResponse) {
      processInput();
    } else if (inputLength > MAX_HEAD_BYTES + MAX_BODY_BYTES) {
      close();
    }
  }

  void onWritable() {
    flush();
  }

  private void append(ByteBuffer data) {
    int needed = inputLength + data.remaining();
    if (needed > input.length) {
      input = Arrays.copyOf(input, Math.max(needed, Math.max(1024, input.length * 2)));
    }
    data.get(input, inputLength, data.remaining());
    inputLength = needed;
  }

  private void processInput() {
    processing = true;
    try {
      while (open && !awaitingResponse && inputLength > 0) {
        if (!parseOne()) {
          return;
        }
      }
    } finally {
      processing = false;
    }
  }

  /** Parses and dispatches one request; returns false when more bytes are needed. */
  private boolean parseOne() {
    int headEnd = indexOfBlankLine();
    if (headEnd < 0) {
      if (inputLength > MAX_HEAD_BYTES) {
        reject(431, "request headers exceed " + MAX_HEAD_BYTES + " bytes");
      }
      return false;
    }
    String[] lines = new String(input, 0, headEnd, StandardCharsets.ISO_8859_1).split("\r\n", -1);
    String[] requestLine = lines[0].split(" ");
    if (requestLine.length != 3 || !requestLine[2].startsWith("HTTP/1.")) {
      reject(400, "malformed request line");
      return false;
    }
    Map<String, String> headers = new LinkedHashMap<>();
    for (int i = 1; i < lines.length; i++) {
      int colon = lines[i].indexOf(':');
      if (colon > 0) {
        headers.put(
            lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT),
            lines[i].substring(colon + 1).trim());
      }
    }
    int bodyStart = headEnd + 4;
    byte[] body;
    int consumed;
    if ("chunked".equalsIgnoreCase(headers.get("transfer-encoding"))) {
      ChunkedBody chunked = decodeChunked(bodyStart);
      if (chunked == null) {
        if (open) {
          sendContinueIfExpected(headers);
        }
        return false;
      }
      body = chunked.body();
      consumed = chunked.end();
    } else {
      long length;
      try {
        length = Long.parseLong(headers.getOrDefault("content-length", "0").trim());
      } catch (NumberFormatException e) {
        reject(400, "malformed Content-Length");
        return false;
      }
      if (length < 0 || length > MAX_BODY_BYTES) {
        reject(413, "request body exceeds " + MAX_BODY_BYTES + " bytes");
        return false;
      }
      if (inputLength - bodyStart < length) {
        sendContinueIfExpected(headers);
        return false;
      }
      body = Arrays.copyOfRange(input, bodyStart, bodyStart + (int) length);
      consumed = bodyStart + (int) length;
    }
    consume(consumed);
    continueSent = false;
    String version = requestLine[2];
    String connection = headers.getOrDefault("connection", "");
    closeAfterResponse =
        version.equals("HTTP/1.0")
            ? !connection.equalsIgnoreCase("keep-alive")
            : connection.equalsIgnoreCase("close");
    String target = requestLine[1];
    int query = target.indexOf('?');
    String path = query < 0 ? target : target.substring(0, query);
    awaitingResponse = true;
    try {
      listener.handler().handle(new HttpRequest(requestLine[0], path, headers, body), this);
    } catch (RuntimeException e) {
      LOG.warn("handling {} {} failed", requestLine[0], path, e);
      respond(500, Map.of("Content-Type", "text/plain"), NO_BYTES);
    }
    return true;
  }

  private record ChunkedBody(byte[] body, int end) {}

  private ChunkedBody decodeChunked(int start) {
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    int position = start;
    while (true) {
      int lineEnd = indexOf(position, (byte) '\r');
      if (lineEnd < 0 || lineEnd + 1 >= inputLength) {
        return null;
      }
      String sizeText =
          new String(input, position, lineEnd - position, StandardCharsets.ISO_8859_1);
      int semicolon = sizeText.indexOf(';');
      int size;
      try {
        size =
            Integer.parseInt(
                (semicolon < 0 ? sizeText : sizeText.substring(0, semicolon)).trim(), 16);
      } catch (NumberFormatException e) {
        reject(400, "malformed chunk size");
        return null;
      }
      if (size < 0 || body.size() + (long) size > MAX_BODY_BYTES) {
        reject(413, "request body exceeds " + MAX_BODY_BYTES + " bytes");
        return null;
      }
      int dataStart = lineEnd + 2;
      if (size == 0) {
        // skip optional trailers up to the blank line
        int end = dataStart;
        while (true) {
          int trailerEnd = indexOf(end, (byte) '\r');
          if (trailerEnd < 0 || trailerEnd + 1 >= inputLength) {
            return null;
          }
          if (trailerEnd == end) {
            return new ChunkedBody(body.toByteArray(), trailerEnd + 2);
          }
          end = trailerEnd + 2;
        }
      }
      if (inputLength < dataStart + size + 2) {
        return null;
      }
      body.write(input, dataStart, size);
      position = dataStart + size + 2;
    }
  }

  private void sendContinueIfExpected(Map<String, String> headers) {
    if (!continueSent && "100-continue".equalsIgnoreCase(headers.get("expect"))) {
      continueSent = true;
      write(ByteBuffer.wrap(CONTINUE));
    }
  }

  private void reject(int status, String message) {
    awaitingResponse = true;
    closeAfterResponse = true;
    inputLength = 0;
    respond(status, Map.of("Content-Type", "text/plain"), message.getBytes(StandardCharsets.UTF_8));
  }

  private void consume(int count) {
    int left = inputLength - count;
    if (left == 0) {
      input = NO_BYTES;
    } else {
      System.arraycopy(input, count, input, 0, left);
    }
    inputLength = left;
  }

  private int indexOfBlankLine() {
    for (int i = 0; i + 3 < inputLength; i++) {
      if (input[i] == '\r'
          && input[i + 1] == '\n'
          && input[i + 2] == '\r'
          && input[i + 3] == '\n') {
        return i;
      }
    }
    return -1;
  }

  private int indexOf(int from, byte value) {
    for (int i = from; i < inputLength; i++) {
      if (input[i] == value) {
        return i;
      }
    }
    return -1;
  }

  private void write(ByteBuffer buffer) {
    if (output == null) {
      output = new ArrayDeque<>(2);
    }
    output.add(buffer);
    flush();
  }

  private void flush() {
    if (!open) {
      return;
    }
    try {
      while (output != null && !output.isEmpty()) {
        ByteBuffer head = output.peek();
        channel.write(head);
        if (head.hasRemaining()) {
          key.interestOps(SelectionKey.OP_READ | SelectionKey.OP_WRITE);
          return;
        }
        output.poll();
      }
    } catch (IOException e) {
      close();
      return;
    }
    output = null;
    key.interestOps(SelectionKey.OP_READ);
    if (closeAfterWrite) {
      close();
    }
  }

  private static String reason(int status) {
    return switch (status) {
      case 200 -> "OK";
      case 202 -> "Accepted";
      case 400 -> "Bad Request";
      case 404 -> "Not Found";
      case 405 -> "Method Not Allowed";
      case 409 -> "Conflict";
      case 413 -> "Payload Too Large";
      case 431 -> "Request Header Fields Too Large";
      case 500 -> "Internal Server Error";
      default -> "Status";
    };
  }
}
