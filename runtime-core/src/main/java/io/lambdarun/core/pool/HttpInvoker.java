package io.lambdarun.core.pool;

import io.lambdarun.api.Instance;
import io.lambdarun.api.InvalidFunctionException;
import io.lambdarun.core.model.InvokeOptions;
import java.io.IOException;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * Posts one event over an instance's own keep-alive connection and reads the answer: a blocking
 * HTTP/1.1 exchange on the caller's thread, with no shared client, executor or pooled buffers.
 */
final class HttpInvoker {

  /** The header carrying lambdarun's request id to the instance. */
  static final String REQUEST_ID_HEADER = "X-Amzn-RequestId";

  /** The header carrying the caller's base64 client context. */
  static final String CLIENT_CONTEXT_HEADER = "X-Amz-Client-Context";

  /** The header carrying the caller's X-Ray trace id. */
  static final String TRACE_ID_HEADER = "X-Amzn-Trace-Id";

  /** The header carrying the caller's Cognito identity. */
  static final String COGNITO_IDENTITY_HEADER = "X-Amz-Cognito-Identity";

  /** How long establishing a connection may take before the instance counts as unreachable. */
  static final Duration CONNECT_TIMEOUT = Duration.ofMillis(1500);

  /**
   * Sends one event and waits for the answer. Reuses the instance's idle connection when the peer
   * has not closed it, otherwise connects anew.
   *
   * @param connection the instance's connection
   * @param instance the instance
   * @param payload the event
   * @param requestId lambdarun's request id
   * @param options the client context, trace id and Cognito identity to pass on
   * @param timeout how long to wait for the whole answer
   * @return the answer; its body is not read when it exceeds {@link
   *     FunctionInvoker#MAX_PAYLOAD_BYTES}
   * @throws java.net.ConnectException if no connection could be established: the event never
   *     reached the instance
   * @throws java.net.SocketTimeoutException if the answer did not arrive within {@code timeout}
   * @throws java.nio.channels.ClosedByInterruptException if the calling thread was interrupted
   * @throws InvalidFunctionException if one of the options is not a plain ASCII header value
   * @throws IOException on any other transport or protocol failure after connecting
   */
  InstanceResponse post(
      InstanceConnection connection,
      Instance instance,
      byte[] payload,
      String requestId,
      InvokeOptions options,
      Duration timeout)
      throws IOException {
    long deadline = System.nanoTime() + timeout.toNanos();
    byte[] head = head(instance, payload.length, requestId, options);
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
      Instance instance, int length, String requestId, InvokeOptions options) {
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
    options.clientContext().ifPresent(value -> header(head, CLIENT_CONTEXT_HEADER, value));
    options.traceId().ifPresent(value -> header(head, TRACE_ID_HEADER, value));
    options.cognitoIdentity().ifPresent(value -> header(head, COGNITO_IDENTITY_HEADER, value));
    return head.append("\r\n\r\n").toString().getBytes(StandardCharsets.ISO_8859_1);
  }

  private static void header(StringBuilder head, String name, String value) {
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (c < 0x20 || c > 0x7e) {
        throw new InvalidFunctionException(
            "InvalidRequestContentException",
            "header '"
                + name
                + "' holds a control or non-ASCII character at index '"
                + i
                + "'; pass printable ASCII (base64 for a client context)");
      }
    }
    head.append("\r\n").append(name).append(": ").append(value);
  }
}
