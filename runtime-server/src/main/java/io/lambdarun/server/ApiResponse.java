package io.lambdarun.server;

import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * One answer of the Lambda API.
 *
 * @param status the HTTP status
 * @param headers headers beyond the request id and content type
 * @param contentType the body's media type, empty for no body
 * @param body the body, empty for none
 * @param stream a body written piece by piece instead of {@code body}, for InvokeWithResponseStream
 */
record ApiResponse(
    int status,
    Map<String, String> headers,
    String contentType,
    byte[] body,
    Optional<StreamedBody> stream) {

  static final String JSON = "application/json";

  ApiResponse {
    headers = Map.copyOf(headers);
    Objects.requireNonNull(contentType, "contentType");
    Objects.requireNonNull(body, "body");
    Objects.requireNonNull(stream, "stream");
  }

  ApiResponse(int status, Map<String, String> headers, String contentType, byte[] body) {
    this(status, headers, contentType, body, Optional.empty());
  }

  static ApiResponse json(int status, byte[] body) {
    return new ApiResponse(status, Map.of(), JSON, body);
  }

  static ApiResponse empty(int status) {
    return new ApiResponse(status, Map.of(), "", new byte[0]);
  }

  static ApiResponse streamed(
      int status, Map<String, String> headers, String contentType, StreamedBody stream) {
    return new ApiResponse(status, headers, contentType, new byte[0], Optional.of(stream));
  }

  /**
   * A body written as it is produced. The status and headers are sent with the first piece, so a
   * failure thrown before it is still answered as an error.
   */
  interface StreamedBody {

    /** Writes the body's pieces, in order, blocking until each is sent. */
    void writeTo(StreamSink sink);
  }

  /** Where a streamed body is written. */
  interface StreamSink {

    /** Sets a header of the answer; ignored once the first piece was written. */
    void header(String name, String value);

    /** Writes the next piece of the body, blocking until it is sent. */
    void write(byte[] piece);
  }
}
