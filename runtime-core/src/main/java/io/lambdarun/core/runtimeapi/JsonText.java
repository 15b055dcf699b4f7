package io.lambdarun.core.runtimeapi;

import java.nio.charset.StandardCharsets;

/** Writes the few JSON documents the backend produces itself: AWS's error objects. */
final class JsonText {

  private JsonText() {}

  /**
   * Builds AWS's error object {@code {"errorMessage": ..., "errorType": ...}}.
   *
   * @param errorType the error type, e.g. {@code Runtime.ExitError}
   * @param errorMessage the message
   * @return the JSON document as UTF-8
   */
  static byte[] error(String errorType, String errorMessage) {
    return ("{\"errorMessage\":" + quote(errorMessage) + ",\"errorType\":" + quote(errorType) + "}")
        .getBytes(StandardCharsets.UTF_8);
  }

  /**
   * Quotes a string as a JSON string literal.
   *
   * @param value the string
   * @return the literal, with quotes
   */
  static String quote(String value) {
    StringBuilder out = new StringBuilder(value.length() + 2).append('"');
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      switch (c) {
        case '"' -> out.append("\\\"");
        case '\\' -> out.append("\\\\");
        case '\n' -> out.append("\\n");
        case '\r' -> out.append("\\r");
        case '\t' -> out.append("\\t");
        default -> {
          if (c < 0x20) {
            out.append(String.format("\\u%04x", (int) c));
          } else {
            out.append(c);
          }
        }
      }
    }
    return out.append('"').toString();
  }
}
