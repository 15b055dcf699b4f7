package io.lambdarun.it;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import io.lambdarun.api.Archive;
import io.lambdarun.core.FunctionError;
import io.lambdarun.core.InvocationResult;
import io.lambdarun.core.LambdaFunction;
import io.lambdarun.core.LambdaRuntime;
import io.lambdarun.k8s.kubelet.KubeletApiServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Lambda's exact outcomes through {@code LambdaRuntime} on every backend in Runtime API mode (issue
 * 11 §6), and the guard that keeps an instance's events to the instance: local processes,
 * containers on the real Docker engine and pods run as containers by the test kubelet, all calling
 * core's Runtime API on 127.0.0.1.
 */
class RuntimeApiOutcomesIT {

  private static final String NAMESPACE = "lambdarun-runtime-api";
  private static KubeletApiServer cluster;

  @BeforeAll
  static void startCluster() {
    cluster = new KubeletApiServer(NAMESPACE);
  }

  @AfterAll
  static void stopCluster() {
    cluster.close();
  }

  private static final String OUTCOMES =
      String.join(
          "\n",
          "import os, time",
          "",
          "def handler(event, context):",
          "    action = event['action']",
          "    if action == 'data':",
          "        return {'errorMessage': 'just data'}",
          "    if action == 'raise':",
          "        raise ValueError('planned')",
          "    if action == 'sleep':",
          "        time.sleep(60)",
          "    if action == 'exit':",
          "        os._exit(3)",
          "    if action == 'address':",
          "        return os.environ['AWS_LAMBDA_RUNTIME_API']",
          "    if action == 'wait':",
          "        time.sleep(event['seconds'])",
          "        return 'released'",
          "    return os.getpid()",
          "");

  private static LambdaRuntime runtimeFor(String backend) {
    return Backends.runtime(backend, cluster, NAMESPACE);
  }

  private static LambdaFunction outcomes(String name, Path code, String handler)
      throws IOException {
    return outcomes(name, code, handler, Duration.ofSeconds(2));
  }

  private static LambdaFunction outcomes(
      String name, Path code, String handler, Duration timeout) throws IOException {
    Files.writeString(code.resolve("app.py"), OUTCOMES, UTF_8);
    return LambdaFunction.builder()
        .functionName(name)
        .runtime("python3.12")
        .handler(handler)
        .timeout(timeout)
        .code(Archive.ofDirectory("outcomes", code))
        .build();
  }

  private static InvocationResult invoke(LambdaRuntime runtime, LambdaFunction fn, String event) {
    return runtime.invoke(fn, event.getBytes(UTF_8));
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"local", "docker", "kubernetes"})
  void eachOutcomeIsLambdas(String backend, @TempDir Path code) throws IOException {
    LambdaFunction fn = outcomes("outcomes-" + backend, code, "app.handler");
    try (LambdaRuntime runtime = runtimeFor(backend)) {
      InvocationResult data = invoke(runtime, fn, "{\"action\":\"data\"}");
      assertThat(data.functionError()).as("a result holding errorMessage").isEmpty();
      assertThat(data.payloadUtf8()).isEqualTo("{\"errorMessage\": \"just data\"}");

      InvocationResult raised = invoke(runtime, fn, "{\"action\":\"raise\"}");
      assertThat(raised.functionError()).contains(FunctionError.UNHANDLED);
      assertThat(raised.payloadUtf8())
          .contains("\"errorType\": \"ValueError\"")
          .contains("\"errorMessage\": \"planned\"");
      assertThat(raised.coldStart()).as("the instance survives a function error").isFalse();

      InvocationResult timedOut = invoke(runtime, fn, "{\"action\":\"sleep\"}");
      assertThat(timedOut.functionError()).contains(FunctionError.UNHANDLED);
      assertThat(timedOut.payloadUtf8())
          .isEqualTo(
              "{\"errorType\":\"Sandbox.Timedout\",\"errorMessage\":\""
                  + timedOut.requestId()
                  + " Task timed out after 2.00 seconds\"}");
      assertThat(runtime.warmInstances()).as("the timed-out instance is replaced").isEmpty();

      InvocationResult exited = invoke(runtime, fn, "{\"action\":\"exit\"}");
      assertThat(exited.coldStart()).isTrue();
      assertThat(exited.functionError()).contains(FunctionError.UNHANDLED);
      assertThat(exited.payloadUtf8())
          .isEqualTo(
              "{\"errorMessage\":\"RequestId: "
                  + exited.requestId()
                  + " Error: Runtime exited with error: exit status 3\","
                  + "\"errorType\":\"Runtime.ExitError\"}");
      assertThat(invoke(runtime, fn, "{\"action\":\"pid\"}").coldStart()).isTrue();
    }
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"local", "docker", "kubernetes"})
  void anInitErrorAnswersTheEventAndTheInstanceIsReplaced(String backend, @TempDir Path code)
      throws IOException {
    LambdaFunction fn = outcomes("init-" + backend, code, "app.missing");
    try (LambdaRuntime runtime = runtimeFor(backend)) {
      for (int i = 0; i < 2; i++) {
        InvocationResult result = invoke(runtime, fn, "{\"action\":\"pid\"}");
        assertThat(result.functionError()).contains(FunctionError.UNHANDLED);
        assertThat(result.payloadUtf8())
            .contains("\"errorType\": \"Runtime.HandlerNotFound\"")
            .contains("Handler 'missing' missing on module 'app'");
        assertThat(result.coldStart()).isTrue();
      }
    }
  }

  /** A custom runtime's bootstrap that declines every event as a Handled error. */
  private static final String DECLINING_BOOTSTRAP =
      String.join(
          "\n",
          "#!/usr/bin/env python3",
          "import os, urllib.request",
          "api = 'http://' + os.environ['AWS_LAMBDA_RUNTIME_API'] + '/2018-06-01/runtime/invocation/'",
          "while True:",
          "    with urllib.request.urlopen(api + 'next') as event:",
          "        request_id = event.headers['Lambda-Runtime-Aws-Request-Id']",
          "    error = urllib.request.Request(",
          "        api + request_id + '/error',",
          "        data=b'{\"errorMessage\":\"declined\",\"errorType\":\"Declined\"}',",
          "        headers={'Lambda-Runtime-Function-Error-Type': 'Handled'})",
          "    urllib.request.urlopen(error).close()",
          "");

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"local", "docker", "kubernetes"})
  void aBootstrapReportsHandledErrors(String backend, @TempDir Path code) throws IOException {
    Path bootstrap = code.resolve("bootstrap");
    Files.writeString(bootstrap, DECLINING_BOOTSTRAP, UTF_8);
    Files.setPosixFilePermissions(bootstrap, PosixFilePermissions.fromString("rwxr-xr-x"));
    LambdaFunction fn =
        LambdaFunction.builder()
            .functionName("handled-" + backend)
            .runtime("provided.al2023")
            .handler("unused")
            .code(Archive.ofDirectory("bootstrap", code))
            .build();
    try (LambdaRuntime runtime = runtimeFor(backend)) {
      InvocationResult result = invoke(runtime, fn, "{}");
      assertThat(result.functionError()).contains(FunctionError.HANDLED);
      assertThat(result.payloadUtf8())
          .isEqualTo("{\"errorMessage\":\"declined\",\"errorType\":\"Declined\"}");
    }
  }

  /**
   * The guard end to end: while a function holds an event (it sleeps 5 s), a client bound to
   * 127.0.0.2 asks the instance's own Runtime API for an event and answers and fails the one in
   * flight; the event then ends as the handler answers it.
   */
  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"local", "docker", "kubernetes"})
  void anotherPeerCanNeitherTakeNorAnswerTheInstancesEvents(String backend, @TempDir Path code)
      throws Exception {
    LambdaFunction fn = outcomes("guard-" + backend, code, "app.handler", Duration.ofSeconds(30));
    try (LambdaRuntime runtime = runtimeFor(backend)) {
      String address = invoke(runtime, fn, "{\"action\":\"address\"}").payloadUtf8();
      address = address.substring(1, address.length() - 1);
      assertThat(address).startsWith("127.0.0.1:");
      CompletableFuture<InvocationResult> held =
          CompletableFuture.supplyAsync(
              () -> invoke(runtime, fn, "{\"action\":\"wait\",\"seconds\":5}"));
      Thread.sleep(500);
      String invocation = "/2018-06-01/runtime/invocation/";
      assertThat(status(address, "GET", invocation + "next")).isEqualTo(403);
      assertThat(status(address, "POST", invocation + "any-id/response")).isEqualTo(403);
      assertThat(status(address, "POST", invocation + "any-id/error")).isEqualTo(403);
      assertThat(held).isNotDone();
      InvocationResult result = held.get(20, TimeUnit.SECONDS);
      assertThat(result.functionError()).isEmpty();
      assertThat(result.payloadUtf8()).isEqualTo("\"released\"");
    }
  }

  /** The status of one request sent from 127.0.0.2. */
  private static int status(String address, String method, String path) throws IOException {
    int colon = address.lastIndexOf(':');
    try (Socket socket = new Socket()) {
      socket.bind(new InetSocketAddress(InetAddress.getByName("127.0.0.2"), 0));
      socket.connect(
          new InetSocketAddress(
              address.substring(0, colon), Integer.parseInt(address.substring(colon + 1))),
          5000);
      socket.setSoTimeout(5000);
      String body = method.equals("POST") ? "{}" : "";
      socket
          .getOutputStream()
          .write(
              (method
                      + " "
                      + path
                      + " HTTP/1.1\r\nHost: x\r\nContent-Length: "
                      + body.length()
                      + "\r\nConnection: close\r\n\r\n"
                      + body)
                  .getBytes(UTF_8));
      ByteArrayOutputStream answer = new ByteArrayOutputStream();
      socket.getInputStream().transferTo(answer);
      return Integer.parseInt(answer.toString(UTF_8).split(" ")[1]);
    }
  }
}
