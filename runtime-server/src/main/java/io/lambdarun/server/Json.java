package io.lambdarun.server;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Reads request bodies and typed fields of the Lambda API's JSON, refusing what AWS refuses with
 * {@code InvalidRequestContentException}.
 */
final class Json {

  static final ObjectMapper MAPPER = new ObjectMapper();

  private Json() {}

  static byte[] bytes(JsonNode node) {
    try {
      return MAPPER.writeValueAsBytes(node);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("a JSON tree could not be written", e);
    }
  }

  /** Parses a request body that must be one JSON object; an empty body is an empty object. */
  static ObjectNode object(byte[] body) {
    if (body.length == 0) {
      return MAPPER.createObjectNode();
    }
    JsonNode node;
    try {
      node = MAPPER.readTree(body);
    } catch (IOException e) {
      throw ApiException.invalidContent(
          "Could not parse request body into json: " + firstLine(e.getMessage()));
    }
    if (!(node instanceof ObjectNode object)) {
      throw ApiException.invalidContent(
          "Could not parse request body into json: the body is '"
              + node.getNodeType()
              + "', not an object; send a JSON object");
    }
    return object;
  }

  static String firstLine(String message) {
    String text = String.valueOf(message);
    int newline = text.indexOf('\n');
    return newline < 0 ? text : text.substring(0, newline);
  }

  static Optional<String> text(JsonNode parent, String field) {
    JsonNode node = present(parent, field);
    if (node == null) {
      return Optional.empty();
    }
    if (!node.isTextual()) {
      throw mistyped(field, node, "a string");
    }
    return Optional.of(node.asText());
  }

  static Optional<Integer> integer(JsonNode parent, String field) {
    JsonNode node = present(parent, field);
    if (node == null) {
      return Optional.empty();
    }
    if (!node.isIntegralNumber() || !node.canConvertToInt()) {
      throw mistyped(field, node, "an integer");
    }
    return Optional.of(node.asInt());
  }

  static Optional<Boolean> bool(JsonNode parent, String field) {
    JsonNode node = present(parent, field);
    if (node == null) {
      return Optional.empty();
    }
    if (!node.isBoolean()) {
      throw mistyped(field, node, "true or false");
    }
    return Optional.of(node.asBoolean());
  }

  static Optional<JsonNode> object(JsonNode parent, String field) {
    JsonNode node = present(parent, field);
    if (node == null) {
      return Optional.empty();
    }
    if (!node.isObject()) {
      throw mistyped(field, node, "an object");
    }
    return Optional.of(node);
  }

  static Optional<List<String>> strings(JsonNode parent, String field) {
    JsonNode node = present(parent, field);
    if (node == null) {
      return Optional.empty();
    }
    if (!node.isArray()) {
      throw mistyped(field, node, "a list of strings");
    }
    List<String> values = new ArrayList<>();
    for (JsonNode item : node) {
      if (!item.isTextual()) {
        throw mistyped(field, node, "a list of strings");
      }
      values.add(item.asText());
    }
    return Optional.of(values);
  }

  static Optional<Map<String, String>> stringMap(JsonNode parent, String field) {
    JsonNode node = present(parent, field);
    if (node == null) {
      return Optional.empty();
    }
    if (!node.isObject()) {
      throw mistyped(field, node, "an object of strings");
    }
    Map<String, String> values = new LinkedHashMap<>();
    for (Map.Entry<String, JsonNode> entry : node.properties()) {
      if (!entry.getValue().isTextual()) {
        throw mistyped(field, node, "an object of strings");
      }
      values.put(entry.getKey(), entry.getValue().asText());
    }
    return Optional.of(values);
  }

  private static JsonNode present(JsonNode parent, String field) {
    JsonNode node = parent.get(field);
    return node == null || node.isNull() ? null : node;
  }

  private static ApiException mistyped(String field, JsonNode node, String expected) {
    String shown = node.toString();
    if (shown.length() > 40) {
      shown = shown.substring(0, 40) + "...";
    }
    return ApiException.invalidContent(
        "Could not parse request body into json: field '"
            + field
            + "' is '"
            + shown
            + "', not "
            + expected
            + "; send "
            + expected);
  }
}
