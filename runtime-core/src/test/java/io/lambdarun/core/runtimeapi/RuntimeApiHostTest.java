package io.lambdarun.core.runtimeapi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lambdarun.api.Instance;
import io.lambdarun.api.LaunchFailedException;
import io.lambdarun.api.LaunchSpec;
import io.lambdarun.api.PackageType;
import io.lambdarun.core.model.InvokeOptions;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class RuntimeApiHostTest {

  private static final String NEXT = "/2018-06-01/runtime/invocation/next";

  private final RuntimeApiHost host = RuntimeApiHost.start("test-runtime-api");
  private final ClientBackend backend = new ClientBackend();

  @AfterEach
  void close() {
    host.close();
  }

  /** One HTTP exchange over a fresh connection from a chosen source address. */
  record Exchange(int status, Map<String, String> headers, String body) {}

  static Exchange call(
      String address,
      String source,
      String method,
      String path,
      Map<String, String> headers,
      byte[] body)
      throws IOException {
    int colon = address.lastIndexOf(':');
    try (Socket socket = new Socket()) {
      socket.bind(new InetSocketAddress(InetAddress.getByName(source), 0));
      socket.connect(
          new InetSocketAddress(
              address.substring(0, colon), Integer.parseInt(address.substring(colon + 1))),
          5000);
      socket.setSoTimeout(20_000);
      StringBuilder head = new StringBuilder(method + " " + path + " HTTP/1.1\r\nHost: x\r\n");
      headers.forEach((name, value) -> head.append(name).append(": ").append(value).append("\r\n"));
      head.append("Content-Length: ").append(body.length).append("\r\nConnection: close\r\n\r\n");
      OutputStream out = socket.getOutputStream();
      out.write(head.toString().getBytes(StandardCharsets.ISO_8859_1));
      out.write(body);
      out.flush();
      return parse(socket.getInputStream());
    }
  }

  private static Exchange parse(InputStream in) throws IOException {
    ByteArrayOutputStream all = new ByteArrayOutputStream();
    in.transferTo(all);
    String text = all.toString(StandardCharsets.UTF_8);
    int split = text.indexOf("\r\n\r\n");
    String[] lines = text.substring(0, split).split("\r\n");
    Map<String, String> headers = new LinkedHashMap<>();
    for (int i = 1; i < lines.length; i++) {
      int colon = lines[i].indexOf(':');
      headers.put(
          lines[i].substring(0, colon).toLowerCase(Locale.ROOT),
          lines[i].substring(colon + 1).strip());
    }
    return new Exchange(
        Integer.parseInt(lines[0].split(" ")[1]), headers, text.substring(split + 4));
  }

  static Exchange post(String address, String path, Map<String, String> headers, String body)
      throws IOException {
    return call(address, "127.0.0.1", "POST", path, headers, body.getBytes(StandardCharsets.UTF_8));
  }

  /**
   * A backend whose "instance" is a thread acting as a runtime client: it takes events from {@code
   * /next} and hands each to the test through {@link #events}; the test answers through the API.
   */
  static final class ClientBackend extends ClientThreadBackend {
    final BlockingQueue<Exchange> events = new LinkedBlockingQueue<>();
    volatile String initError;

    @Override
    void runClient() throws IOException {
      if (initError != null) {
        post(runtimeApi, "/2018-06-01/runtime/init/error", Map.of(), initError);
        return;
      }
      while (exitStatus == null) {
        events.add(call(runtimeApi, "127.0.0.1", "GET", NEXT, Map.of(), new byte[0]));
      }
    }

    @Override
    public String logs(Instance instance, Instant since) {
      return "Traceback: the handler module is missing";
    }
  }

  /** The spec of the test function, with {@code timeout}. */
  static LaunchSpec spec(Duration timeout) {
    return LaunchSpec.builder()
        .functionName("fn")
        .functionArn("arn:aws:lambda:us-east-1:000000000000:function:fn")
        .deployId("d1")
        .packageType(PackageType.IMAGE)
        .image("lambdarun/test-python:latest")
        .timeout(timeout)
        .build();
  }

  /** Keeps the host's loop thread busy until {@code release} opens. */
  static void blockTheLoop(RuntimeApiHost host, CountDownLatch release) {
    host.execute(
        () -> {
          try {
            release.await();
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
        });
  }

  private RuntimeApiInstance launch() {
    return host.launch(backend, spec(Duration.ofSeconds(3)), Duration.ofSeconds(10));
  }

  /** Invokes on a side thread, returns the event the runtime client received. */
  private Exchange deliver(
      RuntimeApiInstance instance,
      String requestId,
      InvokeOptions options,
      CompletableFuture<RuntimeApiAnswer> answer)
      throws InterruptedException {
    Thread caller =
        new Thread(
            () ->
                answer.complete(
                    instance.invoke(
                        requestId, "{\"n\":1}".getBytes(StandardCharsets.UTF_8), options)));
    caller.start();
    Exchange event = backend.events.poll(10, TimeUnit.SECONDS);
    assertThat(event).as("the event the runtime client received").isNotNull();
    return event;
  }

  private RuntimeApiAnswer answer(CompletableFuture<RuntimeApiAnswer> answer) throws Exception {
    return answer.get(10, TimeUnit.SECONDS);
  }

  @Test
  @DisplayName(
      "the instance gets its address in AWS_LAMBDA_RUNTIME_API and the event with every header")
  void eventCarriesTheHeaders() throws Exception {
    RuntimeApiInstance instance = launch();
    assertThat(backend.runtimeApi).isEqualTo(instance.address()).startsWith("127.0.0.1:");
    var answer = new CompletableFuture<RuntimeApiAnswer>();
    String context =
        Base64.getEncoder()
            .encodeToString("{\"custom\":{\"k\":\"v\"}}".getBytes(StandardCharsets.UTF_8));
    Exchange event =
        deliver(
            instance,
            "req-1",
            InvokeOptions.builder()
                .traceId("Root=1-abc-def;Sampled=1")
                .cognitoIdentity("{\"cognitoIdentityId\":\"id-1\"}")
                .clientContext(context)
                .build(),
            answer);
    assertThat(event.body()).isEqualTo("{\"n\":1}");
    assertThat(event.headers())
        .containsEntry("lambda-runtime-aws-request-id", "req-1")
        .containsEntry("lambda-runtime-trace-id", "Root=1-abc-def;Sampled=1")
        .containsEntry("lambda-runtime-cognito-identity", "{\"cognitoIdentityId\":\"id-1\"}")
        .containsEntry("lambda-runtime-client-context", "{\"custom\":{\"k\":\"v\"}}")
        .containsEntry(
            "lambda-runtime-invoked-function-arn",
            "arn:aws:lambda:us-east-1:000000000000:function:fn");
    long deadline = Long.parseLong(event.headers().get("lambda-runtime-deadline-ms"));
    assertThat(deadline).isBetween(System.currentTimeMillis(), System.currentTimeMillis() + 3_100);
    post(
        instance.address(),
        "/2018-06-01/runtime/invocation/req-1/response",
        Map.of(),
        "{\"errorMessage\":\"not an error\"}");
    RuntimeApiAnswer result = answer(answer);
    assertThat(result.outcome()).isEqualTo(RuntimeApiAnswer.Outcome.SUCCESS);
    assertThat(result.functionError()).isEmpty();
    assertThat(result.bodyText()).isEqualTo("{\"errorMessage\":\"not an error\"}");
  }

  @Test
  @DisplayName(
      "the caller writes its event to a waiting /next itself, so a busy loop thread does not hold"
          + " it back")
  void callerDeliversToAWaitingNext() throws Exception {
    RuntimeApiInstance instance = launch();
    CountDownLatch release = new CountDownLatch(1);
    blockTheLoop(host, release);
    var answer = new CompletableFuture<RuntimeApiAnswer>();
    try {
      Exchange event = deliver(instance, "req-d", InvokeOptions.DEFAULT, answer);
      assertThat(event.headers()).containsEntry("lambda-runtime-aws-request-id", "req-d");
    } finally {
      release.countDown();
    }
    post(instance.address(), "/2018-06-01/runtime/invocation/req-d/response", Map.of(), "{}");
    assertThat(answer(answer).outcome()).isEqualTo(RuntimeApiAnswer.Outcome.SUCCESS);
  }

  @Test
  @DisplayName(
      "an event larger than the socket buffers reaches the runtime client whole, finished by the"
          + " loop")
  void largeEventArrivesWhole() throws Exception {
    RuntimeApiInstance instance = launch();
    byte[] payload = new byte[6 * 1024 * 1024];
    for (int i = 0; i < payload.length; i++) {
      payload[i] = (byte) ('a' + i % 26);
    }
    var answer = new CompletableFuture<RuntimeApiAnswer>();
    new Thread(() -> answer.complete(instance.invoke("req-big", payload, InvokeOptions.DEFAULT)))
        .start();
    Exchange event = backend.events.poll(10, TimeUnit.SECONDS);
    assertThat(event).as("the event the runtime client received").isNotNull();
    assertThat(event.body()).isEqualTo(new String(payload, StandardCharsets.US_ASCII));
    post(instance.address(), "/2018-06-01/runtime/invocation/req-big/response", Map.of(), "{}");
    assertThat(answer(answer).outcome()).isEqualTo(RuntimeApiAnswer.Outcome.SUCCESS);
  }

  @Test
  @DisplayName("an invoke after the host closed is not delivered")
  void invokeAfterCloseIsNotDelivered() {
    RuntimeApiInstance instance = launch();
    host.close();
    RuntimeApiAnswer result = instance.invoke("req-n", new byte[0], InvokeOptions.DEFAULT);
    assertThat(result.outcome()).isEqualTo(RuntimeApiAnswer.Outcome.NOT_DELIVERED);
    assertThat(backend.events).isEmpty();
  }

  @Test
  @DisplayName("/error is Handled with Lambda-Runtime-Function-Error-Type: Handled, else Unhandled")
  void handledAndUnhandled() throws Exception {
    RuntimeApiInstance instance = launch();
    var handled = new CompletableFuture<RuntimeApiAnswer>();
    deliver(instance, "req-h", InvokeOptions.DEFAULT, handled);
    post(
        instance.address(),
        "/2018-06-01/runtime/invocation/req-h/error",
        Map.of("Lambda-Runtime-Function-Error-Type", "Handled"),
        "{\"errorMessage\":\"h\",\"errorType\":\"E\"}");
    assertThat(answer(handled).outcome()).isEqualTo(RuntimeApiAnswer.Outcome.HANDLED);

    var unhandled = new CompletableFuture<RuntimeApiAnswer>();
    deliver(instance, "req-u", InvokeOptions.DEFAULT, unhandled);
    post(
        instance.address(),
        "/2018-06-01/runtime/invocation/req-u/error",
        Map.of("Lambda-Runtime-Function-Error-Type", "Runtime.Crash"),
        "boom");
    RuntimeApiAnswer result = answer(unhandled);
    assertThat(result.outcome()).isEqualTo(RuntimeApiAnswer.Outcome.UNHANDLED);
    assertThat(result.bodyText())
        .isEqualTo("{\"errorMessage\":\"boom\",\"errorType\":\"Runtime.Crash\"}");
  }

  @Test
  @DisplayName(
      "a response over 6291556 bytes is refused with 413 and answered"
          + " Function.ResponseSizeTooLarge")
  void oversizedResponse() throws Exception {
    RuntimeApiInstance instance = launch();
    var answer = new CompletableFuture<RuntimeApiAnswer>();
    deliver(instance, "req-big", InvokeOptions.DEFAULT, answer);
    Exchange refused =
        post(
            instance.address(),
            "/2018-06-01/runtime/invocation/req-big/response",
            Map.of(),
            "x".repeat(6_291_557));
    assertThat(refused.status()).isEqualTo(413);
    RuntimeApiAnswer result = answer(answer);
    assertThat(result.outcome()).isEqualTo(RuntimeApiAnswer.Outcome.UNHANDLED);
    assertThat(result.bodyText())
        .contains("\"errorType\":\"Function.ResponseSizeTooLarge\"")
        .contains("(6291557 bytes)");
  }

  @Test
  @DisplayName(
      "a peer other than the instance gets 403 on /next, /response and /error and the event stays"
          + " intact")
  void guardRefusesOtherPeers() throws Exception {
    RuntimeApiInstance instance = launch();
    var answer = new CompletableFuture<RuntimeApiAnswer>();
    deliver(instance, "req-g", InvokeOptions.DEFAULT, answer);
    String response = "/2018-06-01/runtime/invocation/req-g/response";
    String error = "/2018-06-01/runtime/invocation/req-g/error";
    assertThat(call(instance.address(), "127.0.0.2", "GET", NEXT, Map.of(), new byte[0]).status())
        .isEqualTo(403);
    assertThat(
            call(
                    instance.address(),
                    "127.0.0.2",
                    "POST",
                    response,
                    Map.of(),
                    "stolen".getBytes(StandardCharsets.UTF_8))
                .status())
        .isEqualTo(403);
    assertThat(
            call(
                    instance.address(),
                    "127.0.0.2",
                    "POST",
                    error,
                    Map.of(),
                    "failed".getBytes(StandardCharsets.UTF_8))
                .status())
        .isEqualTo(403);
    assertThat(answer).isNotDone();
    assertThat(post(instance.address(), response, Map.of(), "\"mine\"").status()).isEqualTo(202);
    assertThat(answer(answer).bodyText()).isEqualTo("\"mine\"");
  }

  @Test
  @DisplayName("a function past its timeout is answered 'Task timed out after N.00 seconds'")
  void timeout() throws Exception {
    RuntimeApiInstance instance =
        host.launch(backend, spec(Duration.ofSeconds(1)), Duration.ofSeconds(10));
    var answer = new CompletableFuture<RuntimeApiAnswer>();
    deliver(instance, "req-t", InvokeOptions.DEFAULT, answer);
    RuntimeApiAnswer result = answer(answer);
    assertThat(result.outcome()).isEqualTo(RuntimeApiAnswer.Outcome.TIMEOUT);
    assertThat(result.bodyText()).isEqualTo("Task timed out after 1.00 seconds");
    assertThat(result.instanceReusable()).isFalse();
  }

  @Test
  @DisplayName(
      "a runtime that dies under an event is answered Runtime.ExitError, found by exitCode polling")
  void exitError() throws Exception {
    RuntimeApiInstance instance = launch();
    var answer = new CompletableFuture<RuntimeApiAnswer>();
    deliver(instance, "req-x", InvokeOptions.DEFAULT, answer);
    backend.exitStatus = 3;
    RuntimeApiAnswer result = answer(answer);
    assertThat(result.outcome()).isEqualTo(RuntimeApiAnswer.Outcome.EXIT_ERROR);
    assertThat(result.bodyText())
        .isEqualTo(
            "{\"errorMessage\":\"RequestId: req-x Error: Runtime exited with error: exit status"
                + " 3\",\"errorType\":\"Runtime.ExitError\"}");
  }

  @Test
  @DisplayName(
      "an init error is the first event's answer, as Runtime.InitError when the client gave no"
          + " type")
  void initError() throws Exception {
    backend.initError = "cannot import module";
    RuntimeApiInstance instance = launch();
    RuntimeApiAnswer result = instance.invoke("req-i", new byte[0], InvokeOptions.DEFAULT);
    assertThat(result.outcome()).isEqualTo(RuntimeApiAnswer.Outcome.INIT_ERROR);
    assertThat(result.functionError()).isPresent();
    assertThat(result.bodyText())
        .isEqualTo(
            "{\"errorMessage\":\"cannot import module\",\"errorType\":\"Runtime.InitError\"}");
  }

  @Test
  @DisplayName(
      "a runtime that exits before its first /next fails the launch with its status and log")
  void earlyExitFailsTheLaunch() {
    backend.exitStatus = 1;
    assertThatThrownBy(this::launch)
        .isInstanceOf(LaunchFailedException.class)
        .hasMessageContaining("exited with status 1 before asking for an event")
        .hasMessageContaining("the handler module is missing");
  }

  @Test
  @DisplayName("stopping an instance, or the whole host, answers a taken event LOST")
  void stoppingAnswersEveryCaller() throws Exception {
    RuntimeApiInstance stopped = launch();
    CompletableFuture<RuntimeApiAnswer> answer = new CompletableFuture<>();
    deliver(stopped, "req-l", InvokeOptions.DEFAULT, answer);
    stopped.close();
    assertThat(answer(answer).outcome()).isEqualTo(RuntimeApiAnswer.Outcome.LOST);

    RuntimeApiInstance running = launch();
    CompletableFuture<RuntimeApiAnswer> inFlight = new CompletableFuture<>();
    deliver(running, "req-c", InvokeOptions.DEFAULT, inFlight);
    host.close();
    assertThat(answer(inFlight).outcome()).isEqualTo(RuntimeApiAnswer.Outcome.LOST);
  }
}
