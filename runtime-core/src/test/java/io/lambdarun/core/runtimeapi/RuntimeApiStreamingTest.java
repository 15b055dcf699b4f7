package io.lambdarun.core.runtimeapi;

import static org.assertj.core.api.Assertions.assertThat;

import io.lambdarun.core.model.InvokeOptions;
import io.lambdarun.core.runtimeapi.RuntimeApiHostTest.ClientBackend;
import io.lambdarun.core.runtimeapi.RuntimeApiHostTest.Exchange;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Response streaming on the Runtime API, driven by a hand-written runtime client that writes the
 * chunked body of {@code Lambda-Runtime-Function-Response-Mode: streaming} over a raw socket.
 */
class RuntimeApiStreamingTest {

  private final RuntimeApiHost host = RuntimeApiHost.start("stream-runtime-api");

  @AfterEach
  void close() {
    host.close();
  }

  /** A streaming {@code /response} in progress, written chunk by chunk by the test. */
  private static final class StreamedPost implements AutoCloseable {
    private final Socket socket;
    private final OutputStream out;

    StreamedPost(String address, String requestId) throws IOException {
      int colon = address.lastIndexOf(':');
      socket =
          new Socket(address.substring(0, colon), Integer.parseInt(address.substring(colon + 1)));
      socket.setSoTimeout(20_000);
      out = socket.getOutputStream();
      out.write(
          ("POST /2018-06-01/runtime/invocation/"
                  + requestId
                  + "/response HTTP/1.1\r\n"
                  + "Host: x\r\n"
                  + "Lambda-Runtime-Function-Response-Mode: streaming\r\n"
                  + "Transfer-Encoding: chunked\r\n"
                  + "Trailer: Lambda-Runtime-Function-Error-Type,"
                  + " Lambda-Runtime-Function-Error-Body\r\n"
                  + "Connection: close\r\n\r\n")
              .getBytes(StandardCharsets.ISO_8859_1));
      out.flush();
    }

    void chunk(byte[] data) throws IOException {
      out.write((Integer.toHexString(data.length) + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
      out.write(data);
      out.write("\r\n".getBytes(StandardCharsets.ISO_8859_1));
      out.flush();
    }

    void raw(String text) throws IOException {
      out.write(text.getBytes(StandardCharsets.ISO_8859_1));
      out.flush();
    }

    void chunk(String text) throws IOException {
      chunk(text.getBytes(StandardCharsets.UTF_8));
    }

    /** Ends the body with these trailer lines and returns the status line of the answer. */
    String end(String... trailers) throws IOException {
      StringBuilder last = new StringBuilder("0\r\n");
      for (String trailer : trailers) {
        last.append(trailer).append("\r\n");
      }
      out.write(last.append("\r\n").toString().getBytes(StandardCharsets.ISO_8859_1));
      out.flush();
      return answer();
    }

    /** Reads the answer to its end and returns its status line. */
    String answer() throws IOException {
      InputStream in = socket.getInputStream();
      ByteArrayOutputStream answer = new ByteArrayOutputStream();
      in.transferTo(answer);
      String text = answer.toString(StandardCharsets.UTF_8);
      return text.substring(0, text.indexOf("\r\n"));
    }

    @Override
    public void close() throws IOException {
      socket.close();
    }
  }

  private RuntimeApiInstance launch(ClientBackend backend) {
    return host.launch(
        backend, RuntimeApiHostTest.spec(Duration.ofSeconds(30)), Duration.ofSeconds(10));
  }

  /** Invokes streaming on a side thread; waits until the runtime client holds the event. */
  private static CompletableFuture<RuntimeApiAnswer> invokeStreaming(
      RuntimeApiInstance instance, ClientBackend backend, String requestId, Consumer<byte[]> chunks)
      throws InterruptedException {
    CompletableFuture<RuntimeApiAnswer> answer = new CompletableFuture<>();
    Thread caller =
        new Thread(
            () -> {
              try {
                answer.complete(
                    instance.invokeStreaming(
                        requestId,
                        "{}".getBytes(StandardCharsets.UTF_8),
                        InvokeOptions.DEFAULT,
                        chunks));
              } catch (RuntimeException e) {
                answer.completeExceptionally(e);
              }
            });
    caller.start();
    Exchange event = backend.events.poll(10, TimeUnit.SECONDS);
    assertThat(event).as("the event the runtime client received").isNotNull();
    return answer;
  }

  private static String text(byte[] bytes) {
    return new String(bytes, StandardCharsets.UTF_8);
  }

  @Test
  @DisplayName("each chunk reaches the caller while the runtime is still writing the response")
  void firstChunkArrivesBeforeTheRuntimeFinishes() throws Exception {
    ClientBackend backend = new ClientBackend();
    RuntimeApiInstance instance = launch(backend);
    BlockingQueue<String> received = new LinkedBlockingQueue<>();
    CompletableFuture<RuntimeApiAnswer> answer =
        invokeStreaming(instance, backend, "req-s", bytes -> received.add(text(bytes)));
    try (StreamedPost post = new StreamedPost(instance.address(), "req-s")) {
      post.chunk("first ");
      assertThat(received.poll(10, TimeUnit.SECONDS)).isEqualTo("first ");
      assertThat(answer).isNotDone();
      post.chunk("second");
      assertThat(received.poll(10, TimeUnit.SECONDS)).isEqualTo("second");
      assertThat(post.end()).isEqualTo("HTTP/1.1 202 Accepted");
    }
    RuntimeApiAnswer result = answer.get(10, TimeUnit.SECONDS);
    assertThat(result.outcome()).isEqualTo(RuntimeApiAnswer.Outcome.SUCCESS);
    assertThat(result.body()).isEmpty();
    assertThat(received).isEmpty();
  }

  @Test
  @DisplayName("error trailers after some chunks make the invocation an Unhandled error")
  void errorTrailersBecomeTheError() throws Exception {
    ClientBackend backend = new ClientBackend();
    RuntimeApiInstance instance = launch(backend);
    BlockingQueue<String> received = new LinkedBlockingQueue<>();
    CompletableFuture<RuntimeApiAnswer> answer =
        invokeStreaming(instance, backend, "req-e", bytes -> received.add(text(bytes)));
    String error = "{\"errorType\":\"Error\",\"errorMessage\":\"broke mid-stream\"}";
    try (StreamedPost post = new StreamedPost(instance.address(), "req-e")) {
      post.chunk("partial");
      assertThat(
              post.end(
                  "Lambda-Runtime-Function-Error-Type: Error",
                  "Lambda-Runtime-Function-Error-Body: "
                      + Base64.getEncoder().encodeToString(error.getBytes(StandardCharsets.UTF_8))))
          .isEqualTo("HTTP/1.1 202 Accepted");
    }
    RuntimeApiAnswer result = answer.get(10, TimeUnit.SECONDS);
    assertThat(result.outcome()).isEqualTo(RuntimeApiAnswer.Outcome.UNHANDLED);
    assertThat(result.bodyText()).isEqualTo(error);
    assertThat(List.copyOf(received)).containsExactly("partial");
  }

  @Test
  @DisplayName("a buffered invoke gathers a streamed response; a streaming one gets a buffered one")
  void streamedAndBufferedResponsesMeetEitherCaller() throws Exception {
    ClientBackend backend = new ClientBackend();
    RuntimeApiInstance instance = launch(backend);
    CompletableFuture<RuntimeApiAnswer> buffered = new CompletableFuture<>();
    new Thread(
            () -> buffered.complete(instance.invoke("req-b", new byte[0], InvokeOptions.DEFAULT)))
        .start();
    assertThat(backend.events.poll(10, TimeUnit.SECONDS)).isNotNull();
    try (StreamedPost post = new StreamedPost(instance.address(), "req-b")) {
      post.chunk("one,");
      post.chunk("two");
      assertThat(post.end()).isEqualTo("HTTP/1.1 202 Accepted");
    }
    assertThat(buffered.get(10, TimeUnit.SECONDS).bodyText()).isEqualTo("one,two");

    BlockingQueue<String> received = new LinkedBlockingQueue<>();
    CompletableFuture<RuntimeApiAnswer> streaming =
        invokeStreaming(instance, backend, "req-c", bytes -> received.add(text(bytes)));
    RuntimeApiHostTest.post(
        instance.address(), "/2018-06-01/runtime/invocation/req-c/response", Map.of(), "whole");
    RuntimeApiAnswer result = streaming.get(10, TimeUnit.SECONDS);
    assertThat(result.outcome()).isEqualTo(RuntimeApiAnswer.Outcome.SUCCESS);
    assertThat(result.bodyText()).isEqualTo("whole");
    assertThat(received).isEmpty();
  }

  @Test
  @DisplayName(
      "a reader that does not read pauses only its own instance: another instance answers, the"
          + " writer is held back, no thread is added, and every byte arrives once it reads")
  void slowReaderDoesNotBlockOtherInstances() throws Exception {
    ClientBackend slowBackend = new ClientBackend();
    RuntimeApiInstance slow = launch(slowBackend);
    CountDownLatch reading = new CountDownLatch(1);
    AtomicLong received = new AtomicLong();
    CompletableFuture<RuntimeApiAnswer> slowAnswer =
        invokeStreaming(
            slow,
            slowBackend,
            "req-slow",
            bytes -> {
              try {
                reading.await();
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
              received.addAndGet(bytes.length);
            });
    int total = 16 * 1024 * 1024;
    CompletableFuture<String> writer = new CompletableFuture<>();
    Thread writing =
        new Thread(
            () -> {
              try (StreamedPost post = new StreamedPost(slow.address(), "req-slow")) {
                byte[] piece = new byte[64 * 1024];
                for (int sent = 0; sent < total; sent += piece.length) {
                  post.chunk(piece);
                }
                writer.complete(post.end());
              } catch (IOException | RuntimeException e) {
                writer.completeExceptionally(e);
              }
            });
    writing.start();
    long hostThreads = hostThreads();

    ClientBackend otherBackend = new ClientBackend();
    RuntimeApiInstance other = launch(otherBackend);
    CompletableFuture<RuntimeApiAnswer> otherAnswer = new CompletableFuture<>();
    new Thread(
            () ->
                otherAnswer.complete(other.invoke("req-other", new byte[0], InvokeOptions.DEFAULT)))
        .start();
    assertThat(otherBackend.events.poll(10, TimeUnit.SECONDS)).isNotNull();
    RuntimeApiHostTest.post(
        other.address(), "/2018-06-01/runtime/invocation/req-other/response", Map.of(), "fine");
    assertThat(otherAnswer.get(10, TimeUnit.SECONDS).bodyText()).isEqualTo("fine");
    assertThat(hostThreads()).isEqualTo(hostThreads);
    Thread.sleep(300);
    assertThat(writer).as("the writer of 16 MiB, held back by the paused reader").isNotDone();

    reading.countDown();
    assertThat(writer.get(20, TimeUnit.SECONDS)).isEqualTo("HTTP/1.1 202 Accepted");
    assertThat(slowAnswer.get(20, TimeUnit.SECONDS).outcome())
        .isEqualTo(RuntimeApiAnswer.Outcome.SUCCESS);
    assertThat(received.get()).isEqualTo(total);
  }

  @Test
  @DisplayName(
      "a streamed response beyond 20 MiB is refused with 413 and answered"
          + " Function.ResponseSizeTooLarge; the listener had the bytes up to the limit")
  void streamBeyondTheLimitIsRefused() throws Exception {
    ClientBackend backend = new ClientBackend();
    RuntimeApiInstance instance = launch(backend);
    AtomicLong received = new AtomicLong();
    CompletableFuture<RuntimeApiAnswer> answer =
        invokeStreaming(instance, backend, "req-big", bytes -> received.addAndGet(bytes.length));
    long limit = 20L * 1024 * 1024;
    try (StreamedPost post = new StreamedPost(instance.address(), "req-big")) {
      byte[] piece = new byte[1024 * 1024];
      for (int i = 0; i < 20; i++) {
        post.chunk(piece);
      }
      post.chunk(new byte[1]);
      assertThat(post.end()).isEqualTo("HTTP/1.1 413 Payload Too Large");
    }
    RuntimeApiAnswer result = answer.get(20, TimeUnit.SECONDS);
    assertThat(result.outcome()).isEqualTo(RuntimeApiAnswer.Outcome.UNHANDLED);
    assertThat(result.bodyText())
        .contains("\"errorType\":\"Function.ResponseSizeTooLarge\"")
        .contains("(" + (limit + 1) + " bytes)");
    assertThat(received.get()).isEqualTo(limit);
  }

  @Test
  @DisplayName("a streamed body keeps the framing checks: chunk data longer than its size is 400")
  void streamedBodyKeepsTheFramingChecks() throws Exception {
    ClientBackend backend = new ClientBackend();
    RuntimeApiInstance instance = launch(backend);
    invokeStreaming(instance, backend, "req-bad", bytes -> {});
    try (StreamedPost post = new StreamedPost(instance.address(), "req-bad")) {
      post.raw("5\r\nabcdefg\r\n");
      assertThat(post.answer()).isEqualTo("HTTP/1.1 400 Bad Request");
    }
  }

  private static long hostThreads() {
    return Thread.getAllStackTraces().keySet().stream()
        .filter(thread -> thread.getName().startsWith("stream-runtime-api"))
        .count();
  }
}
