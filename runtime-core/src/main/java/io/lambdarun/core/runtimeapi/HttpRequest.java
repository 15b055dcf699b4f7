package io.lambdarun.core.runtimeapi;

import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * One parsed HTTP/1.1 request.
 *
 * @param method the request method, e.g. {@code POST}
 * @param path the request target without the query string
 * @param headers header values by lower-case name; a repeated header keeps its last value, except
 *     {@code content-length} (the one length) and {@code transfer-encoding} (every coding)
 * @param body the decoded body, empty when there is none or when it is streamed
 * @param keepAlive whether the client lets the connection carry another request after this one
 * @param streamed whether the body is streamed to a {@link BodySink} after this head
 */
record HttpRequest(
    String method,
    String path,
    Map<String, String> headers,
    byte[] body,
    boolean keepAlive,
    boolean streamed) {

  /**
   * Returns a header value.
   *
   * @param name the header name in lower case
   * @return the value, or {@code null} when absent
   */
  String header(String name) {
    return headers.get(name);
  }

  /**
   * Returns the body decoded as UTF-8.
   *
   * @return the body text
   */
  String bodyText() {
    return new String(body, StandardCharsets.UTF_8);
  }
}
