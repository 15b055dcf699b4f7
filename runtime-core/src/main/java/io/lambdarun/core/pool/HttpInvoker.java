package io.lambdarun.core.pool;

import io.lambdarun.api.Instance;
import io.lambdarun.api.InvalidFunctionException;
import java.io.IOException;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;

/**
 * Posts one event over an instance's own keep-alive connection and reads the answer: a blocking
 * HTTP/1.1 exchange on the caller's thread, with no shared client, executor or pooled buffers.
 */
public final class HttpInvoker {

  /** The header carrying lambdarun's request id to the instance. */
  public static final String REQUEST_ID_HEADER = "X-Amzn-RequestId";

  /** The header carrying the caller's base64 client context. */
  public static final String CLIENT_CONTEXT_HEADER = "X-Amz-Client-Context";

  /** How long establishing a connection may take before the instance counts as unreachable. */
  public static final Duration CONNECT_TIMEOUT = Duration.ofMillis(1500);

  /**
   * Sends one event and waits for the answer. Reuses the instance's idle connection when the peer
   * has not closed it, otherwise connects anew.
   *
   * @param connection the instance's connection
   * @param instance the instance
   * @param payload the event
   * @param requestId lambdarun's request id
   * @param clientContext the client context header, if any
   * @param timeout how long to wait for the whole answer
   * @return the answer; its body is not read when it exceeds {@link
   *     FunctionInvoker#MAX_PAYLOAD_BYTES}
   * @throws java.net.ConnectException if no connection could be established: the event never
   *     reached the instance
   * @throws java.net.SocketTimeoutException if the answer did not arrive within {@code timeout}
   * @throws java.nio.channels.ClosedByInterruptException if the calling thread was interrupted
   * @throws InvalidFunctionException if the client context is not a plain ASCII header value
   * @throws IOException on any other transport or protocol failure after connecting
   */
  InstanceResponse post(
      InstanceConnection connection,
      Instance instance,
      byte[] payload,
      String requestId,
      Optional<String> clientContext,
      Duration timeout)
      throws IOException {
    long deadline = System.nanoTime() + timeout.toNanos();
    byte[] head = head(instance, payload.length, requestId, clientContext);
    connection.connect(CONNECT_TIMEOUT.compareTo(timeout) < 0 ? CONNECT_TIMEOUT : timeout);
    boolean keep = false;
    try {
      connection.write(
          new ByteBuffer[] {ByteBuffer.wrap(head), ByteBuffer.wrap(payload)}, deadline);
      HttpResponseReader reader =
          new HttpResponseReader(connection.input(deadline), FunctionInvoker.MAX_PAYLOAD_BYTES);
      InstanceResponse response = reader.read();
      keep = reader.reusable();
      return response;
    } finally {
      if (!keep) {
        connection.disconnect();
      }
    }
  }

  private static byte[] head(
      Instance instance, int length, String requestId, Optional<String> clientContext) {
    URI uri = instance.invocationUri();
    StringBuilder head = new StringBuilder(256);
    head.append("POST ").append(uri.getRawPath());
    if (uri.getRawQuery() != null) {
      head.append('?').append(uri.getRawQuery());
    }
    head.append(" HTTP/1.1\r\nHost: ").append(uri.getHost());
    if (uri.getPort() != -1) {
      head.append(':').append(uri.getPort());
    }
    head.append("\r\nContent-Length: ").append(length);
    header(head, REQUEST_ID_HEADER, requestId);
    clientContext.ifPresent(context -> header(head, CLIENT_CONTEXT_HEADER, context));
    return head.append("\r\n\r\n").toString().getBytes(StandardCharsets.ISO_8859_1);
  }

  private static void header(StringBuilder head, String name, String value) {
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (c < 0x20 || c > 0x7e) {
        throw new InvalidFunctionException(
            "InvalidRequestContentException",
            "header '" + name + "' holds a control or non-ASCII character at index '" + i
                + "'; pass a base64 value");
      }
    }
    head.append("\r\n").append(name).append(": ").append(value);
  }
}
