package io.lambdarun.server;

import java.util.Map;
import java.util.Objects;

/**
 * One answer of the Lambda API.
 *
 * @param status the HTTP status
 * @param headers headers beyond the request id and content type
 * @param contentType the body's media type, empty for no body
 * @param body the body, empty for none
 */
record ApiResponse(int status, Map<String, String> headers, String contentType, byte[] body) {

  static final String JSON = "application/json";

  ApiResponse {
    headers = Map.copyOf(headers);
    Objects.requireNonNull(contentType, "contentType");
    Objects.requireNonNull(body, "body");
  }

  static ApiResponse json(int status, byte[] body) {
    return new ApiResponse(status, Map.of(), JSON, body);
  }

  static ApiResponse empty(int status) {
    return new ApiResponse(status, Map.of(), "", new byte[0]);
  }
}
