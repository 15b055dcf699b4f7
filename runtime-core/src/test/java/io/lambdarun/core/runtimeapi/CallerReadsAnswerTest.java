package io.lambdarun.core.runtimeapi;

import static org.assertj.core.api.Assertions.assertThat;

import io.lambdarun.core.model.InvokeOptions;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The invoking thread reads its own answer on the connection its event went out on. */
class CallerReadsAnswerTest {

  private final RuntimeApiHost host = RuntimeApiHost.start("test-caller-reads");
  private final EchoClientBackend backend = new EchoClientBackend();
  private final CountDownLatch loopBlocked = new CountDownLatch(1);

  @AfterEach
  void close() {
    loopBlocked.countDown();
    host.close();
  }

  /**
   * A backend whose instance is a runtime client on one keep-alive connection, as AWS's clients
   * are: it answers every event with its own body.
   */
  static final class EchoClientBackend extends ClientThreadBackend {
    volatile Socket socket;
    final AtomicInteger connections = new AtomicInteger();

    /** Ends the "process": its status is set and its connection closed, as an exit does. */
    void exit(int status) throws IOException {
      exitStatus = status;
      socket.close();
    }

    @Override
    void runClient() throws IOException {
      int colon = runtimeApi.lastIndexOf(':');
      try (Socket socket =
          new Socket(
              runtimeApi.substring(0, colon), Integer.parseInt(runtimeApi.substring(colon + 1)))) {
        this.socket = socket;
        connections.incrementAndGet();
        socket.setTcpNoDelay(true);
        InputStream in = socket.getInputStream();
        OutputStream out = socket.getOutputStream();
        while (exitStatus == null) {
          send(out, "GET /2018-06-01/runtime/invocation/next HTTP/1.1\r\nHost: x\r\n\r\n", null);
          Message event = Message.read(in);
          String requestId = event.header("lambda-runtime-aws-request-id");
          send(
              out,
              "POST /2018-06-01/runtime/invocation/"
                  + requestId
                  + "/response HTTP/1.1\r\nHost: x\r\nContent-Length: "
                  + event.body().length
                  + "\r\n\r\n",
              event.body());
          Message accepted = Message.read(in);
          if (!accepted.head().startsWith("HTTP/1.1 202")) {
            throw new IOException("response not accepted: " + accepted.head());
          }
        }
      }
    }

    private static void send(OutputStream out, String head, byte[] body) throws IOException {
      out.write(head.getBytes(StandardCharsets.ISO_8859_1));
      if (body != null) {
        out.write(body);
      }
      out.flush();
    }
  }

  /** One HTTP message with a Content-Length body, read off a keep-alive connection. */
  record Message(String head, byte[] body) {
    static Message read(InputStream in) throws IOException {
      ByteArrayOutputStream head = new ByteArrayOutputStream();
      int lastFour = 0;
      while (lastFour != 0x0D0A0D0A) {
        int b = in.read();
        if (b < 0) {
          throw new IOException("connection closed");
        }
        head.write(b);
        lastFour = (lastFour << 8) | b;
      }
      String text = head.toString(StandardCharsets.ISO_8859_1);
      Message headOnly = new Message(text, new byte[0]);
      String length = headOnly.header("content-length");
      return new Message(text, in.readNBytes(length == null ? 0 : Integer.parseInt(length)));
    }

    String header(String name) {
      for (String line : head.split("\r\n")) {
        int colon = line.indexOf(':');
        if (colon > 0 && line.substring(0, colon).toLowerCase(Locale.ROOT).equals(name)) {
          return line.substring(colon + 1).strip();
        }
      }
      return null;
    }
  }

  private RuntimeApiInstance launch() {
    return host.launch(
        backend, RuntimeApiHostTest.spec(Duration.ofSeconds(3)), Duration.ofSeconds(10));
  }

  private static RuntimeApiAnswer invokeWithin10s(RuntimeApiInstance instance, String body)
      throws Exception {
    return CompletableFuture.supplyAsync(
            () ->
                instance.invoke(
                    "req-" + body, body.getBytes(StandardCharsets.UTF_8), InvokeOptions.DEFAULT))
        .get(10, TimeUnit.SECONDS);
  }

  @Test
  @DisplayName(
      "with the loop thread busy, events and answers still flow on a keep-alive runtime client:"
          + " the invoking thread writes each event and reads its answer on the client's one"
          + " connection")
  void answersDoNotNeedTheLoop() throws Exception {
    RuntimeApiInstance instance = launch();
    RuntimeApiHostTest.blockTheLoop(host, loopBlocked);
    for (int i = 1; i <= 3; i++) {
      RuntimeApiAnswer answer = invokeWithin10s(instance, "{\"n\":" + i + "}");
      assertThat(answer.outcome()).isEqualTo(RuntimeApiAnswer.Outcome.SUCCESS);
      assertThat(answer.bodyText()).isEqualTo("{\"n\":" + i + "}");
    }
    assertThat(backend.connections.get()).as("connections the client opened").isEqualTo(1);
  }

  @Test
  @DisplayName(
      "a streamed invoke after answers read by callers gets the connection back to the loop, and"
          + " the callers take it again after")
  void streamedInvokeHandsTheConnectionToTheLoop() throws Exception {
    RuntimeApiInstance instance = launch();
    assertThat(invokeWithin10s(instance, "\"a\"").bodyText()).isEqualTo("\"a\"");
    ByteArrayOutputStream chunks = new ByteArrayOutputStream();
    RuntimeApiAnswer streamed =
        instance.invokeStreaming(
            "req-s",
            "\"s\"".getBytes(StandardCharsets.UTF_8),
            InvokeOptions.DEFAULT,
            chunks::writeBytes);
    assertThat(streamed.outcome()).isEqualTo(RuntimeApiAnswer.Outcome.SUCCESS);
    assertThat(streamed.bodyText()).isEqualTo("\"s\"");
    assertThat(invokeWithin10s(instance, "\"b\"").bodyText()).isEqualTo("\"b\"");
  }

  @Test
  @DisplayName(
      "after a burst of 40 concurrent invokes the host keeps 32 pollers for the next ones and"
          + " closes the rest")
  void idlePollersAreBounded() {
    List<CallerPoller> burst = new ArrayList<>();
    for (int i = 0; i < 40; i++) {
      burst.add(host.borrowPoller());
    }
    assertThat(burst).doesNotContainNull().doesNotHaveDuplicates();
    burst.forEach(host::returnPoller);
    assertThat(host.idlePollers()).isEqualTo(32);
    CallerPoller again = host.borrowPoller();
    assertThat(again).isIn(burst);
    assertThat(host.idlePollers()).isEqualTo(31);
    host.returnPoller(again);
  }

  @Test
  @DisplayName(
      "a runtime that exits between events, its connection left unread, is not delivered the"
          + " next event")
  void exitWhileIdleIsNotDelivered() throws Exception {
    RuntimeApiInstance instance = launch();
    assertThat(invokeWithin10s(instance, "\"a\"").outcome())
        .isEqualTo(RuntimeApiAnswer.Outcome.SUCCESS);
    backend.exit(1);
    assertThat(invokeWithin10s(instance, "\"b\"").outcome())
        .isEqualTo(RuntimeApiAnswer.Outcome.NOT_DELIVERED);
  }
}
