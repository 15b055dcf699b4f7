package io.lambdarun.core.runtimeapi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Strict request framing (RFC 9112 section 6): each case sends malformed bytes over a real socket
 * and expects 400 (501 for an unknown transfer coding), {@code Connection: close}, the connection
 * closed, and the handler never called.
 */
class HttpRequestFramingTest {

  private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();

  private final SelectorHttpServer server = SelectorHttpServer.start("test-http-framing");
  private final AtomicInteger handled = new AtomicInteger();
  private final SelectorHttpServer.Listener listener;

  HttpRequestFramingTest() throws IOException {
    listener =
        server.listen(
            LOOPBACK,
            (request, connection) -> {
              handled.incrementAndGet();
              connection.respond(
                  200, Map.of(), ("body=" + request.bodyText()).getBytes(StandardCharsets.UTF_8));
            });
  }

  @AfterEach
  void close() {
    server.close();
  }

  /** Sends the bytes on a new connection and returns all the server sent until it closed. */
  private String exchange(String request) throws IOException {
    try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), listener.port())) {
      socket.setSoTimeout(10_000);
      OutputStream out = socket.getOutputStream();
      out.write(request.getBytes(StandardCharsets.ISO_8859_1));
      out.flush();
      return new String(socket.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
    }
  }

  /** Asserts one refusal with the status and the message, after which the server closed. */
  private void assertRefused(String request, int status, String message) throws IOException {
    String answer = exchange(request);
    assertThat(answer)
        .startsWith("HTTP/1.1 " + status + " ")
        .contains("\r\nConnection: close\r\n")
        .endsWith("\r\n\r\n" + message);
    assertThat(handled).hasValue(0);
  }

  @Test
  @DisplayName("differing Content-Length values are refused with 400")
  void differingContentLengthsAreRefused() throws IOException {
    assertRefused(
        "POST /a HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\nContent-Length: 5\r\n\r\nabcde",
        400,
        "Content-Length '3, 5' holds differing values; send one length");
  }

  @Test
  @DisplayName("identical Content-Length values, repeated or listed, count as one")
  void identicalContentLengthsAreOneLength() throws IOException {
    String answer =
        exchange(
            "POST /a HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\nContent-Length: 3, 3\r\n"
                + "Connection: close\r\n\r\nabc");
    assertThat(answer).startsWith("HTTP/1.1 200 OK\r\n").endsWith("\r\n\r\nbody=abc");
  }

  @ParameterizedTest
  @ValueSource(strings = {"+3", "-3", "0x3", "3a", ""})
  @DisplayName("a Content-Length that is not plain digits is refused with 400")
  void contentLengthThatIsNotDigitsIsRefused(String value) throws IOException {
    assertRefused(
        "POST /a HTTP/1.1\r\nHost: h\r\nContent-Length: " + value + "\r\n\r\nabc",
        400,
        "Content-Length '" + value + "' is not a decimal length; send plain digits");
  }

  @Test
  @DisplayName("Transfer-Encoding together with Content-Length is refused with 400")
  void transferEncodingWithContentLengthIsRefused() throws IOException {
    assertRefused(
        "POST /a HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n"
            + "3\r\nabc\r\n0\r\n\r\n",
        400,
        "the request has both Transfer-Encoding and Content-Length; send only one");
  }

  @ParameterizedTest
  @ValueSource(strings = {"gzip, chunked", "identity", "compress", "deflate, chunked"})
  @DisplayName("a transfer coding other than chunked is refused with 501")
  void unknownTransferCodingIsNotImplemented(String codings) throws IOException {
    String unknown = codings.split(",")[0];
    assertRefused(
        "POST /a HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: "
            + codings
            + "\r\n\r\n"
            + "3\r\nabc\r\n0\r\n\r\n",
        501,
        "transfer coding '" + unknown + "' is not supported; send the body with chunked alone");
  }

  @Test
  @DisplayName("chunked applied twice is refused with 400")
  void chunkedTwiceIsRefused() throws IOException {
    assertRefused(
        "POST /a HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: chunked"
            + "\r\n\r\n3\r\nabc\r\n0\r\n\r\n",
        400,
        "Transfer-Encoding 'chunked, chunked' applies chunked more than once; send chunked once");
  }

  @Test
  @DisplayName("Transfer-Encoding in an HTTP/1.0 request is refused with 400")
  void transferEncodingInHttp10IsRefused() throws IOException {
    assertRefused(
        "POST /a HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n",
        400,
        "an HTTP/1.0 request cannot use Transfer-Encoding; send Content-Length");
  }

  @Test
  @DisplayName("a header line without a colon is refused with 400")
  void headerLineWithoutColonIsRefused() throws IOException {
    assertRefused(
        "POST /a HTTP/1.1\r\nHost: h\r\nNoColonHere\r\nContent-Length: 3\r\n\r\nabc",
        400,
        "header line 'NoColonHere' has no colon; send 'name: value'");
  }

  @Test
  @DisplayName("obsolete line folding is refused with 400")
  void obsoleteLineFoldingIsRefused() throws IOException {
    assertRefused(
        "POST /a HTTP/1.1\r\nHost: h\r\nX-Long: first\r\n  second\r\nContent-Length: 3\r\n\r\nabc",
        400,
        "header line '  second' continues the previous one (obsolete line folding);"
            + " send each header on one line");
  }

  @Test
  @DisplayName("whitespace between a header name and its colon is refused with 400")
  void whitespaceBeforeTheColonIsRefused() throws IOException {
    assertRefused(
        "POST /a HTTP/1.1\r\nHost: h\r\nContent-Length : 3\r\n\r\nabc",
        400,
        "header name 'Content-Length ' is not a token; send 'name: value'");
  }

  @ParameterizedTest
  @ValueSource(strings = {"a\rb", "a\0b", "a\u007fb"})
  @DisplayName("a bare CR, a NUL or a DEL inside a header line is refused with 400")
  void controlCharacterInAHeaderIsRefused(String value) throws IOException {
    assertRefused(
        "POST /a HTTP/1.1\r\nHost: h\r\nX-Value: " + value + "\r\nContent-Length: 3\r\n\r\nabc",
        400,
        "header line 'X-Value: a?b' holds a control character; send visible characters only");
  }

  @Test
  @DisplayName("a header line ending in a bare LF is refused with 400")
  void bareLineFeedIsRefused() throws IOException {
    assertRefused(
        "POST /a HTTP/1.1\r\nHost: h\r\nX-Value: a\nb\r\nContent-Length: 3\r\n\r\nabc",
        400,
        "line 'X-Value: a' ends with a bare LF; end each line with CRLF");
  }

  @Test
  @DisplayName("chunk data not followed by CRLF is refused with 400")
  void chunkDataWithoutCrlfIsRefused() throws IOException {
    assertRefused(
        "POST /a HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabcXY0\r\n\r\n",
        400,
        "chunk data is not followed by CRLF; send exactly the announced size");
  }

  @ParameterizedTest
  @ValueSource(strings = {"+3", "-1", " 3", "0x3", "g", ""})
  @DisplayName("a chunk size that is not plain hex digits is refused with 400")
  void chunkSizeThatIsNotHexIsRefused(String size) throws IOException {
    assertRefused(
        "POST /a HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n"
            + size
            + "\r\nabc\r\n0\r\n\r\n",
        400,
        "chunk size line '" + size + "' is not hexadecimal digits; send the size in hex");
  }

  @Test
  @DisplayName("a chunk size beyond the body limit is refused with 413, without overflowing")
  void chunkSizeBeyondTheLimitIsRefused() throws IOException {
    assertRefused(
        "POST /a HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n"
            + "1000000000000000000000003\r\nabc\r\n0\r\n\r\n",
        413,
        "request body exceeds 16777216 bytes");
  }

  @Test
  @DisplayName("a chunked body arriving in many reads is decoded once, not again on every read")
  void chunkedBodyInManyReadsIsDecodedIncrementally() {
    int chunks = 4 << 20;
    // 4 Mi one-byte chunks (24 MiB) arrive in at least 384 reads of at most 64 KiB: decoded once
    // this takes about a second; decoding the whole body again on every read takes half a minute.
    String answer =
        assertTimeoutPreemptively(
            Duration.ofSeconds(15),
            () -> {
              try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), listener.port())) {
                OutputStream out = socket.getOutputStream();
                out.write(
                    ("POST /a HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n"
                            + "Connection: close\r\n\r\n")
                        .getBytes(StandardCharsets.ISO_8859_1));
                byte[] piece = "1\r\nx\r\n".repeat(1024).getBytes(StandardCharsets.ISO_8859_1);
                for (int i = 0; i < chunks / 1024; i++) {
                  out.write(piece);
                  out.flush();
                }
                out.write("0\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
                out.flush();
                return new String(
                    socket.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
              }
            });

    assertThat(answer)
        .startsWith("HTTP/1.1 200 OK\r\n")
        .endsWith("\r\n\r\nbody=" + "x".repeat(chunks));
  }
}
