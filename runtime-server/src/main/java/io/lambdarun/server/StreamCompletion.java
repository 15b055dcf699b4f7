package io.lambdarun.server;

import com.fasterxml.jackson.databind.JsonNode;
import io.lambdarun.core.model.FunctionError;
import io.lambdarun.core.model.InvocationResult;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Objects;
import java.util.Optional;

/**
 * How a streamed invocation ended, as the {@code InvokeComplete} event tells it.
 *
 * @param errorCode the function error's type, empty on success
 * @param errorDetails the function error's message, empty on success
 * @param logResult base64 of the last 4 KB of log, when {@code X-Amz-Log-Type: Tail} asked for it
 */
record StreamCompletion(
    Optional<String> errorCode, Optional<String> errorDetails, Optional<String> logResult) {

  StreamCompletion {
    Objects.requireNonNull(errorCode, "errorCode");
    Objects.requireNonNull(errorDetails, "errorDetails");
    Objects.requireNonNull(logResult, "logResult");
  }

  /** A stream broken by lambdarun after chunks were sent, when no error answer can be sent. */
  static StreamCompletion failed(String errorCode, String details) {
    return new StreamCompletion(Optional.of(errorCode), Optional.of(details), Optional.empty());
  }

  /**
   * The completion of a finished invocation: on a function error, the {@code errorType} and {@code
   * errorMessage} of the error document the runtime posted (the function error's kind and the whole
   * document when it has none).
   */
  static StreamCompletion of(InvocationResult result) {
    if (result.functionError().isEmpty()) {
      return new StreamCompletion(Optional.empty(), Optional.empty(), result.logResult());
    }
    FunctionError error = result.functionError().get();
    String document = new String(result.payload(), StandardCharsets.UTF_8);
    JsonNode node;
    try {
      node = Json.MAPPER.readTree(result.payload());
    } catch (IOException e) {
      node = null; // not a JSON error document: the whole answer is the details
    }
    Optional<String> type = textField(node, "errorType");
    Optional<String> message = textField(node, "errorMessage");
    return new StreamCompletion(
        Optional.of(type.orElse(error.headerValue())),
        Optional.of(message.orElse(document)),
        result.logResult());
  }

  private static Optional<String> textField(JsonNode node, String field) {
    return Optional.ofNullable(node == null ? null : node.get(field))
        .filter(JsonNode::isTextual)
        .map(JsonNode::asText);
  }
}
