package io.lambdarun.core.pool;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.lambdarun.api.Instance;
import io.lambdarun.core.model.InvokeOptions;
import io.lambdarun.core.pool.ScriptedServer.After;
import io.lambdarun.core.pool.ScriptedServer.Answer;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.ProtocolException;
import java.net.ServerSocket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class HttpInvokerTest {

  private static final Duration TIMEOUT = Duration.ofSeconds(30);

  private final HttpInvoker http = new HttpInvoker();
  private final ScriptedServer server;
  private final Instance instance;
  private final InstanceConnection connection;

  HttpInvokerTest() throws IOException {
    server = new ScriptedServer();
    instance = Instance.of("i-1", server.endpoint());
    connection = new InstanceConnection(instance.endpoint().orElseThrow());
  }

  @AfterEach
  void stop() throws IOException {
    connection.close();
    server.close();
  }

  private InstanceResponse post(String event) throws IOException {
    return post(event, TIMEOUT);
  }

  private InstanceResponse post(String event, Duration timeout) throws IOException {
    return http.post(
        connection, instance, event.getBytes(UTF_8), "r-1", InvokeOptions.DEFAULT, timeout);
  }

  @Test
  void sendsTheEventWithItsHeadersOnTheInvocationPath() throws IOException {
    InvokeOptions options =
        InvokeOptions.builder()
            .clientContext("e30=")
            .traceId("Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1")
            .cognitoIdentity("{\"cognitoIdentityId\":\"us-east-1:42\"}")
            .build();
    http.post(connection, instance, "{}".getBytes(UTF_8), "r-9", options, TIMEOUT);

    ScriptedServer.Request request = server.requests.get(0);
    assertThat(request.head())
        .startsWith("POST /2015-03-31/functions/function/invocations HTTP/1.1\r\n");
    assertThat(request.header("Host"))
        .isEqualTo("127.0.0.1:" + instance.endpoint().orElseThrow().getPort());
    assertThat(request.header("Content-Length")).isEqualTo("2");
    assertThat(request.header("X-Amzn-RequestId")).isEqualTo("r-9");
    assertThat(request.header("X-Amz-Client-Context")).isEqualTo("e30=");
    assertThat(request.header("X-Amzn-Trace-Id"))
        .isEqualTo("Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1");
    assertThat(request.header("X-Amz-Cognito-Identity"))
        .isEqualTo("{\"cognitoIdentityId\":\"us-east-1:42\"}");
    assertThat(new String(request.body(), UTF_8)).isEqualTo("{}");
  }

  @Test
  void readsAContentLengthBodyAndHeadersCaseInsensitively() throws IOException {
    server.script =
        request ->
            Answer.of(
                "HTTP/1.1 200 OK\r\nx-amz-function-error: Handled\r\ncontent-type: application/json"
                    + "\r\nContent-Length: 10\r\n\r\n{\"a\":\"bc\"}",
                After.KEEP);

    InstanceResponse response = post("{}");

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(new String(response.body(), UTF_8)).isEqualTo("{\"a\":\"bc\"}");
    assertThat(response.headers().firstValue("X-Amz-Function-Error")).contains("Handled");
    assertThat(response.headers().firstValue("Content-Type")).contains("application/json");
    assertThat(response.oversized()).isFalse();
  }

  @Test
  void readsAChunkedBodyAndKeepsTheConnection() throws IOException {
    server.script =
        request ->
            Answer.of(
                "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n"
                    + "6;name=value\r\n world\r\n0\r\nX-Trailer: t\r\n\r\n",
                After.KEEP);

    InstanceResponse first = post("{}");
    InstanceResponse second = post("{}");

    assertThat(new String(first.body(), UTF_8)).isEqualTo("hello world");
    assertThat(new String(second.body(), UTF_8)).isEqualTo("hello world");
    assertThat(server.accepted).hasValue(1);
  }

  @Test
  void oneSocketCarriesEveryEventOfTheInstance() throws IOException {
    for (int i = 0; i < 5; i++) {
      String event = "{\"i\":" + i + "}";
      assertThat(new String(post(event).body(), UTF_8)).isEqualTo(event);
    }

    assertThat(server.accepted).hasValue(1);
    assertThat(server.requests).extracting(ScriptedServer.Request::connection).containsOnly(1);
  }

  @Test
  void connectionCloseIsHonouredAndTheNextEventConnectsAgain() throws Exception {
    server.script =
        request ->
            Answer.of(
                "HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 2\r\n\r\nok", After.KEEP);

    assertThat(new String(post("{}").body(), UTF_8)).isEqualTo("ok");
    server.closedConnections.acquire();
    assertThat(new String(post("{}").body(), UTF_8)).isEqualTo("ok");

    assertThat(server.accepted).hasValue(2);
  }

  @Test
  void aBodyUntilTheEndOfTheStreamIsReadAndTheConnectionNotReused() throws Exception {
    server.script = request -> Answer.of("HTTP/1.1 200 OK\r\n\r\nuntil the end", After.CLOSE);

    assertThat(new String(post("{}").body(), UTF_8)).isEqualTo("until the end");
    assertThat(new String(post("{}").body(), UTF_8)).isEqualTo("until the end");

    assertThat(server.accepted).hasValue(2);
  }

  @Test
  void aPeerThatClosedTheIdleConnectionIsReconnectedWithoutError() throws Exception {
    server.script = request -> new Answer(Answer.ok("first").bytes(), After.CLOSE);
    assertThat(new String(post("{}").body(), UTF_8)).isEqualTo("first");
    server.closedConnections.acquire();
    server.script = request -> Answer.ok("second");

    assertThat(new String(post("{}").body(), UTF_8)).isEqualTo("second");
    assertThat(server.accepted).hasValue(2);
  }

  @Test
  void aRefusedConnectIsAConnectException() throws IOException {
    int port;
    try (ServerSocket closed = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = closed.getLocalPort();
    }
    Instance gone = Instance.of("i-2", URI.create("http://127.0.0.1:" + port));
    InstanceConnection refused = new InstanceConnection(gone.endpoint().orElseThrow());

    Throwable e =
        catchThrowable(
            () -> http.post(refused, gone, new byte[0], "r-1", InvokeOptions.DEFAULT, TIMEOUT));

    assertThat(e).isInstanceOf(ConnectException.class);

    assertThat(FunctionInvoker.neverReached((IOException) e)).isTrue();
    assertThat(refused.isOpen()).isFalse();
  }

  @Test
  void aResetAfterTheRequestWasWrittenIsNotAConnectFailure() {
    server.script = request -> new Answer(null, After.RESET);

    Throwable e = catchThrowable(() -> post("{}"));

    assertThat(e).isInstanceOf(IOException.class);

    assertThat(server.requests).hasSize(1);
    assertThat(FunctionInvoker.neverReached((IOException) e)).isFalse();
    assertThat(e).isNotInstanceOf(SocketTimeoutException.class);
    assertThat(connection.isOpen()).isFalse();
  }

  @Test
  void aConnectionClosedBeforeAnyAnswerIsNotAConnectFailure() {
    server.script = request -> new Answer(null, After.CLOSE);

    Throwable e = catchThrowable(() -> post("{}"));

    assertThat(e).isInstanceOf(IOException.class);

    assertThat(FunctionInvoker.neverReached((IOException) e)).isFalse();
    assertThat(e).isNotInstanceOf(SocketTimeoutException.class);
  }

  @Test
  void noAnswerWithinTheTimeoutIsASocketTimeout() throws Exception {
    server.script = request -> new Answer(null, After.HANG);

    assertThatThrownBy(() -> post("{}", Duration.ofMillis(200)))
        .isInstanceOf(SocketTimeoutException.class);

    assertThat(connection.isOpen()).isFalse();
    server.closedConnections.acquire();
    assertThat(server.open).hasValue(0);
  }

  @Test
  void aBodyAboveTheLimitIsNotReadAndTheConnectionIsDropped() throws IOException {
    int tooLarge = FunctionInvoker.MAX_PAYLOAD_BYTES + 1;
    server.script =
        request ->
            Answer.of("HTTP/1.1 200 OK\r\nContent-Length: " + tooLarge + "\r\n\r\n", After.HANG);

    InstanceResponse response = post("{}");

    assertThat(response.oversized()).isTrue();
    assertThat(response.body()).isEmpty();
    assertThat(connection.isOpen()).isFalse();
  }

  @Test
  void aChunkedBodyAboveTheLimitIsCutOff() throws IOException {
    String chunk = Integer.toHexString(FunctionInvoker.MAX_PAYLOAD_BYTES + 1);
    server.script =
        request ->
            Answer.of(
                "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n" + chunk + "\r\n",
                After.HANG);

    InstanceResponse response = post("{}");

    assertThat(response.oversized()).isTrue();
    assertThat(connection.isOpen()).isFalse();
  }

  @Test
  void aBodyOfExactlyTheLimitIsRead() throws IOException {
    String body = "x".repeat(FunctionInvoker.MAX_PAYLOAD_BYTES);
    server.script = request -> Answer.ok(body);

    InstanceResponse response = post("{}");

    assertThat(response.oversized()).isFalse();
    assertThat(response.body()).hasSize(FunctionInvoker.MAX_PAYLOAD_BYTES);
  }

  @Test
  void aMalformedStatusLineIsAProtocolFailure() {
    server.script = request -> Answer.of("SMTP ready\r\n\r\n", After.KEEP);

    Throwable e = catchThrowable(() -> post("{}"));

    assertThat(e).isInstanceOf(IOException.class);

    assertThat(e).hasMessageContaining("malformed status line 'SMTP ready'");
    assertThat(FunctionInvoker.neverReached((IOException) e)).isFalse();
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(
      strings = {
        "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok",
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nok\r\n0\r\n\r\n"
      })
  void bytesAfterTheBodyMakeTheConnectionUnusable(String answer) throws IOException {
    server.script =
        request ->
            Answer.of(answer + "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nextra", After.KEEP);

    assertThat(new String(post("{}").body(), UTF_8)).isEqualTo("ok");

    assertThat(connection.isOpen()).isFalse();
    assertThat(new String(post("{}").body(), UTF_8)).isEqualTo("ok");
    assertThat(server.accepted).hasValue(2);
  }

  @Test
  void transferEncodingWithContentLengthIsAProtocolFailure() {
    server.script =
        request ->
            Answer.of(
                "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nTransfer-Encoding: chunked\r\n\r\n"
                    + "2\r\nok\r\n0\r\n\r\n",
                After.KEEP);

    assertProtocolFailure("the answer has both Transfer-Encoding and Content-Length");
  }

  @Test
  void aTransferCodingOtherThanChunkedIsAProtocolFailure() {
    server.script =
        request ->
            Answer.of(
                "HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\n\r\n"
                    + "2\r\nok\r\n0\r\n\r\n",
                After.KEEP);

    assertProtocolFailure("unsupported transfer coding 'gzip' in the answer");
  }

  @Test
  void aSignedChunkSizeIsAProtocolFailure() {
    server.script =
        request ->
            Answer.of(
                "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n-1\r\nok\r\n0\r\n\r\n",
                After.KEEP);

    assertProtocolFailure("invalid chunk size '-1' in the answer");
  }

  @Test
  void aChunkSizeWithAPlusSignIsAProtocolFailure() {
    server.script =
        request ->
            Answer.of(
                "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n+2\r\nok\r\n0\r\n\r\n",
                After.KEEP);

    assertProtocolFailure("invalid chunk size '+2' in the answer");
  }

  @Test
  void aContentLengthWithASignIsAProtocolFailure() {
    server.script =
        request -> Answer.of("HTTP/1.1 200 OK\r\nContent-Length: +2\r\n\r\nok", After.KEEP);

    assertProtocolFailure("invalid Content-Length '+2' in the answer");
  }

  /** The post fails as a protocol failure after the event was sent, and the socket is closed. */
  private void assertProtocolFailure(String message) {
    Throwable e = catchThrowable(() -> post("{}"));

    assertThat(e).isInstanceOf(ProtocolException.class).hasMessage(message);
    assertThat(FunctionInvoker.neverReached((IOException) e)).isFalse();
    assertThat(connection.isOpen()).isFalse();
  }

  @Test
  void closeShutsTheSocketAndRefusesToReconnect() throws Exception {
    post("{}");
    assertThat(server.open).hasValue(1);

    connection.close();

    server.closedConnections.acquire();
    assertThat(server.open).hasValue(0);
    assertThatThrownBy(() -> post("{}")).isInstanceOf(ConnectException.class);
    assertThat(server.accepted).hasValue(1);
  }
}
