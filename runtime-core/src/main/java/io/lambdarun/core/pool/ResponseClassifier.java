package io.lambdarun.core.pool;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.lambdarun.api.ContainerRuntime;
import io.lambdarun.core.model.FunctionError;
import java.io.IOException;
import java.net.http.HttpHeaders;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;

/** Reads Lambda outcomes from an instance's answers: function errors, error documents, timeouts. */
final class ResponseClassifier {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Pattern RIE_TIMEOUT =
      Pattern.compile("Task timed out after [0-9]+(\\.[0-9]+)? seconds");

  private ResponseClassifier() {}

  /**
   * Reads the function error an answer reports: the {@value ContainerRuntime#FUNCTION_ERROR_HEADER}
   * header wins; otherwise a JSON object with {@code errorMessage} or {@code errorType} is
   * unhandled.
   *
   * @param headers the response headers
   * @param body the response body
   * @return the error kind, empty for a successful result
   */
  static Optional<FunctionError> functionError(HttpHeaders headers, byte[] body) {
    Optional<String> header = headers.firstValue(ContainerRuntime.FUNCTION_ERROR_HEADER);
    if (header.isPresent()) {
      return Optional.of(
          header.get().trim().equalsIgnoreCase(FunctionError.HANDLED.headerValue())
              ? FunctionError.HANDLED
              : FunctionError.UNHANDLED);
    }
    return isErrorDocument(body) ? Optional.of(FunctionError.UNHANDLED) : Optional.empty();
  }

  /**
   * Tells whether a body is Lambda's error document.
   *
   * @param body a response body
   * @return true for a JSON object holding {@code errorMessage} or {@code errorType}
   */
  static boolean isErrorDocument(byte[] body) {
    int start = 0;
    while (start < body.length && Character.isWhitespace(body[start])) {
      start++;
    }
    if (start == body.length || body[start] != '{') {
      return false;
    }
    try {
      JsonNode node = JSON.readTree(body);
      return node != null && node.isObject() && (node.has("errorMessage") || node.has("errorType"));
    } catch (IOException e) {
      return false;
    }
  }

  /**
   * Tells whether a body is the RIE's plain-text timeout answer.
   *
   * @param body a response body
   * @return true for {@code Task timed out after N.00 seconds}
   */
  static boolean isRieTimeout(byte[] body) {
    return body.length < 128
        && RIE_TIMEOUT.matcher(new String(body, StandardCharsets.UTF_8).trim()).matches();
  }

  /**
   * Builds AWS's error document for a response above the 6 MB limit.
   *
   * @return {@code {"errorMessage":"Response payload size exceeded ...","errorType":
   *     "Function.ResponseSizeTooLarge"}}
   */
  static byte[] responseTooLargeDocument() {
    return JSON.createObjectNode()
        .put(
            "errorMessage",
            "Response payload size exceeded maximum allowed payload size (6291556 bytes).")
        .put("errorType", "Function.ResponseSizeTooLarge")
        .toString()
        .getBytes(StandardCharsets.UTF_8);
  }

  /**
   * Builds AWS's timeout error document.
   *
   * @param requestId the request id
   * @param timeout the function's timeout
   * @return {@code {"errorType":"Sandbox.Timedout","errorMessage":"<id> Task timed out after N.00
   *     seconds"}}
   */
  static byte[] timeoutDocument(String requestId, Duration timeout) {
    String message =
        requestId
            + " Task timed out after "
            + String.format(Locale.ROOT, "%.2f", timeout.toMillis() / 1000.0)
            + " seconds";
    return JSON.createObjectNode()
        .put("errorType", "Sandbox.Timedout")
        .put("errorMessage", message)
        .toString()
        .getBytes(StandardCharsets.UTF_8);
  }
}
