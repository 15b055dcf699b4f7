package io.lambdarun.server;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.lambdarun.core.LambdaRuntime;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.HttpURLConnection;
import java.net.URI;
import java.util.Arrays;
import java.util.Base64;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Requests no AWS client sends (malformed JSON, bad base64, unknown paths, oversized chunked
 * bodies), written over plain HTTP: AWS's error header and body, and nothing created.
 */
class LambdaApiWireIT {

  private static final ObjectMapper JSON = new ObjectMapper();

  private static LambdaRuntime runtime;
  private static LambdaServer server;

  @BeforeAll
  static void start() {
    runtime = LambdaRuntime.builder().backend("local").build();
    server = LambdaServer.start(runtime, ServerOptions.DEFAULT.withAddress("127.0.0.1", 0));
  }

  @AfterAll
  static void stop() {
    server.close();
    runtime.close();
  }

  private record Answer(int status, String errorType, String requestId, JsonNode body) {}

  private static Answer send(String method, String path, byte[] body, boolean chunked)
      throws IOException {
    HttpURLConnection connection =
        (HttpURLConnection) URI.create(server.endpoint() + path).toURL().openConnection();
    try {
      connection.setRequestMethod(method);
      if (body != null) {
        connection.setDoOutput(true);
        if (chunked) {
          connection.setChunkedStreamingMode(64 * 1024);
        } else {
          connection.setFixedLengthStreamingMode(body.length);
        }
        try (OutputStream out = connection.getOutputStream()) {
          out.write(body);
        }
      }
      int status = connection.getResponseCode();
      InputStream stream =
          status >= 400 ? connection.getErrorStream() : connection.getInputStream();
      byte[] bytes = stream == null ? new byte[0] : stream.readAllBytes();
      return new Answer(
          status,
          connection.getHeaderField("x-amzn-ErrorType"),
          connection.getHeaderField("x-amzn-RequestId"),
          bytes.length == 0 ? null : JSON.readTree(bytes));
    } finally {
      connection.disconnect();
    }
  }

  private static void assertError(Answer answer, int status, String type, String message) {
    assertThat(answer.status()).isEqualTo(status);
    assertThat(answer.errorType()).isEqualTo(type);
    assertThat(answer.requestId()).matches("[0-9a-f-]{36}");
    assertThat(answer.body().get("Type").asText()).isEqualTo(status >= 500 ? "Service" : "User");
    assertThat(answer.body().get("Message").asText()).startsWith(message);
    assertThat(answer.body().size()).isEqualTo(2);
  }

  private static int functionCount() throws IOException {
    return send("GET", "/2015-03-31/functions/", null, false).body().get("Functions").size();
  }

  @Test
  void malformedJsonIsInvalidRequestContent() throws IOException {
    Answer answer =
        send("POST", "/2015-03-31/functions", "{\"FunctionName\": \"x\",".getBytes(UTF_8), false);
    assertError(
        answer, 400, "InvalidRequestContentException", "Could not parse request body into json: ");
    assertThat(functionCount()).isZero();
  }

  @Test
  void aFieldOfTheWrongTypeIsInvalidRequestContent() throws IOException {
    String body =
        "{\"FunctionName\":\"typed\",\"Role\":\"arn:aws:iam::000000000000:role/r\",\"Runtime\":"
            + "\"python3.12\",\"Handler\":\"app.handler\",\"Timeout\":\"ten\",\"Code\":{\"ZipFile\":\""
            + Base64.getEncoder().encodeToString(Zips.python("    return 1"))
            + "\"}}";
    Answer answer = send("POST", "/2015-03-31/functions", body.getBytes(UTF_8), false);
    assertError(
        answer,
        400,
        "InvalidRequestContentException",
        "Could not parse request body into json: field 'Timeout' is '\"ten\"', not an integer");
    assertThat(functionCount()).isZero();
  }

  @Test
  void badBase64IsInvalidRequestContent() throws IOException {
    String body =
        "{\"FunctionName\":\"b64\",\"Role\":\"arn:aws:iam::000000000000:role/r\",\"Runtime\":"
            + "\"python3.12\",\"Handler\":\"app.handler\",\"Code\":{\"ZipFile\":\"%%%not-base64\"}}";
    Answer answer = send("POST", "/2015-03-31/functions", body.getBytes(UTF_8), false);
    assertError(
        answer,
        400,
        "InvalidRequestContentException",
        "Could not parse request body into json: 'ZipFile' is not base64");
    assertThat(functionCount()).isZero();
  }

  @Test
  void aMissingRoleIsAValidationError() throws IOException {
    String body =
        "{\"FunctionName\":\"norole\",\"Runtime\":\"python3.12\",\"Handler\":\"app.handler\","
            + "\"Code\":{\"ZipFile\":\""
            + Base64.getEncoder().encodeToString(Zips.python("    return 1"))
            + "\"}}";
    Answer answer = send("POST", "/2015-03-31/functions", body.getBytes(UTF_8), false);
    assertError(
        answer,
        400,
        "ValidationException",
        "1 validation error detected: Value null at 'role' failed to satisfy constraint: Member"
            + " must not be null");
    assertThat(functionCount()).isZero();
  }

  @Test
  void anUnknownPathIsUnknownOperation() throws IOException {
    assertError(
        send("GET", "/2015-03-31/layers", null, false),
        404,
        "UnknownOperationException",
        "lambdarun serves no Lambda operation at 'GET /2015-03-31/layers'");
    assertError(
        send("PUT", "/2015-03-31/functions/x", new byte[0], false),
        404,
        "UnknownOperationException",
        "lambdarun serves no Lambda operation at 'PUT /2015-03-31/functions/x'");
  }

  @Test
  void anOversizedChunkedInvokeIsRequestTooLargeAfterTheBodyWasRead() throws IOException {
    byte[] payload = new byte[InvokeOperation.MAX_SYNC_PAYLOAD + 10];
    Arrays.fill(payload, (byte) ' ');
    Answer answer = send("POST", "/2015-03-31/functions/any/invocations", payload, true);
    assertError(
        answer,
        413,
        "RequestTooLargeException",
        "Request must be smaller than 6291456 bytes for the InvokeFunction operation");
  }
}
