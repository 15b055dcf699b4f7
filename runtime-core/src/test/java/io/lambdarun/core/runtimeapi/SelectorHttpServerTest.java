package io.lambdarun.core.runtimeapi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class SelectorHttpServerTest {

  private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();

  private final SelectorHttpServer server = SelectorHttpServer.start("test-http");

  @AfterEach
  void close() {
    server.close();
  }

  /** Echoes method, path and body. */
  private static void echo(HttpRequest request, HttpConnection connection) {
    connection.respond(
        200,
        Map.of("X-Path", request.path()),
        (request.method() + " " + request.bodyText()).getBytes(StandardCharsets.UTF_8));
  }

  private Socket connect(SelectorHttpServer.Listener listener) throws IOException {
    Socket socket = new Socket(InetAddress.getLoopbackAddress(), listener.port());
    socket.setSoTimeout(10_000);
    return socket;
  }

  private static void send(Socket socket, String text) throws IOException {
    socket.getOutputStream().write(text.getBytes(StandardCharsets.UTF_8));
    socket.getOutputStream().flush();
  }

  /** Reads one response with a Content-Length body, returning head and body. */
  private static String readResponse(InputStream in) throws IOException {
    ByteArrayOutputStream head = new ByteArrayOutputStream();
    while (!head.toString(StandardCharsets.ISO_8859_1).endsWith("\r\n\r\n")) {
      int b = in.read();
      if (b < 0) {
        throw new IOException("closed after: " + head);
      }
      head.write(b);
    }
    String headText = head.toString(StandardCharsets.ISO_8859_1);
    int length = 0;
    for (String line : headText.split("\r\n")) {
      if (line.toLowerCase().startsWith("content-length:")) {
        length = Integer.parseInt(line.substring(15).trim());
      }
    }
    return headText + new String(in.readNBytes(length), StandardCharsets.UTF_8);
  }

  @Test
  @DisplayName("binds 127.0.0.1 only: the same port on another address is refused")
  void bindsLoopbackOnly() throws IOException {
    SelectorHttpServer.Listener listener = server.listen(LOOPBACK, SelectorHttpServerTest::echo);
    try (Socket socket = new Socket(InetAddress.getByName("127.0.0.1"), listener.port())) {
      assertThat(socket.isConnected()).isTrue();
    }
    assertThatThrownBy(
            () -> new Socket(InetAddress.getByName("127.0.0.2"), listener.port()).close())
        .isInstanceOf(ConnectException.class);
  }

  @Test
  @DisplayName("answers several requests on one kept-alive connection, in order")
  void keepAlive() throws IOException {
    SelectorHttpServer.Listener listener = server.listen(LOOPBACK, SelectorHttpServerTest::echo);
    try (Socket socket = connect(listener)) {
      send(socket, "POST /a?x=1 HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\n\r\nhello");
      assertThat(readResponse(socket.getInputStream()))
          .startsWith("HTTP/1.1 200 OK\r\n")
          .contains("X-Path: /a\r\n")
          .contains("Content-Length: 10\r\n")
          .endsWith("\r\n\r\nPOST hello");
      send(socket, "GET /b HTTP/1.1\r\nHost: h\r\n\r\n");
      assertThat(readResponse(socket.getInputStream()))
          .endsWith("X-Path: /b\r\nContent-Length: 4\r\n\r\nGET ");
    }
  }

  @Test
  @DisplayName("decodes chunked bodies and handles pipelined requests")
  void chunkedAndPipelined() throws IOException {
    SelectorHttpServer.Listener listener = server.listen(LOOPBACK, SelectorHttpServerTest::echo);
    try (Socket socket = connect(listener)) {
      send(
          socket,
          "POST /c HTTP/1.1\r\n"
              + "Transfer-Encoding: chunked\r\n\r\n"
              + "3;ext=1\r\n"
              + "abc\r\n"
              + "2\r\n"
              + "de\r\n"
              + "0\r\n\r\n"
              + "POST /d HTTP/1.1\r\n"
              + "Content-Length: 1\r\n\r\n"
              + "z");
      assertThat(readResponse(socket.getInputStream())).endsWith("POST abcde");
      assertThat(readResponse(socket.getInputStream())).endsWith("POST z");
    }
  }

  @Test
  @DisplayName("sends 100 Continue to a client that expects it before sending the body")
  void expectContinue() throws IOException {
    SelectorHttpServer.Listener listener = server.listen(LOOPBACK, SelectorHttpServerTest::echo);
    try (Socket socket = connect(listener)) {
      send(socket, "POST /e HTTP/1.1\r\nExpect: 100-continue\r\nContent-Length: 3\r\n\r\n");
      byte[] interim = socket.getInputStream().readNBytes("HTTP/1.1 100 Continue\r\n\r\n".length());
      assertThat(new String(interim, StandardCharsets.ISO_8859_1))
          .isEqualTo("HTTP/1.1 100 Continue\r\n\r\n");
      send(socket, "xyz");
      assertThat(readResponse(socket.getInputStream())).endsWith("POST xyz");
    }
  }

  @Test
  @DisplayName("answers a parked request later from the loop thread")
  void deferredAnswer() throws Exception {
    CompletableFuture<HttpConnection> parked = new CompletableFuture<>();
    SelectorHttpServer.Listener listener =
        server.listen(LOOPBACK, (request, connection) -> parked.complete(connection));
    try (Socket socket = connect(listener)) {
      send(socket, "GET /next HTTP/1.1\r\n\r\n");
      HttpConnection connection = parked.get(10, TimeUnit.SECONDS);
      server.execute(
          () -> connection.respond(200, Map.of(), "later".getBytes(StandardCharsets.UTF_8)));
      assertThat(readResponse(socket.getInputStream())).endsWith("\r\n\r\nlater");
    }
  }

  @Test
  @DisplayName("closes the connection after answering Connection: close")
  void connectionClose() throws IOException {
    SelectorHttpServer.Listener listener = server.listen(LOOPBACK, SelectorHttpServerTest::echo);
    try (Socket socket = connect(listener)) {
      send(socket, "GET /f HTTP/1.1\r\nConnection: close\r\n\r\n");
      assertThat(readResponse(socket.getInputStream())).contains("Connection: close\r\n");
      assertThat(socket.getInputStream().read()).isEqualTo(-1);
    }
  }

  @Test
  @DisplayName("rejects a malformed request line with 400 and closes")
  void malformedRequest() throws IOException {
    SelectorHttpServer.Listener listener = server.listen(LOOPBACK, SelectorHttpServerTest::echo);
    try (Socket socket = connect(listener)) {
      send(socket, "NONSENSE\r\n\r\n");
      assertThat(readResponse(socket.getInputStream()))
          .startsWith("HTTP/1.1 400 Bad Request\r\n")
          .endsWith("request line 'NONSENSE' is malformed; send 'METHOD target HTTP/1.1'");
      assertThat(socket.getInputStream().read()).isEqualTo(-1);
    }
  }

  @Test
  @DisplayName("closing a listener closes its open connections")
  void listenerCloseClosesConnections() throws Exception {
    CompletableFuture<HttpConnection> parked = new CompletableFuture<>();
    SelectorHttpServer.Listener listener =
        server.listen(LOOPBACK, (request, connection) -> parked.complete(connection));
    try (Socket socket = connect(listener)) {
      send(socket, "GET /next HTTP/1.1\r\n\r\n");
      parked.get(10, TimeUnit.SECONDS);
      server.execute(listener::close);
      assertThat(socket.getInputStream().read()).isEqualTo(-1);
    }
  }
}
