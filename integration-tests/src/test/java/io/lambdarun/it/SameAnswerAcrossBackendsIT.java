package io.lambdarun.it;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import io.lambdarun.api.Archive;
import io.lambdarun.core.LambdaRuntime;
import io.lambdarun.core.model.FunctionError;
import io.lambdarun.core.model.InvocationResult;
import io.lambdarun.core.model.InvokeOptions;
import io.lambdarun.core.model.LambdaFunction;
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
import java.util.Base64;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The same functions give the same answers through every backend: local processes, containers on
 * the real Docker engine, and pods behind fabric8's CRUD API server run as real containers by the
 * test kubelet, all in Runtime API mode with their calls to core on 127.0.0.1. The README's Python
 * and Java handlers answer alike, cold and then warm, with the caller's request id in their logs;
 * each of Lambda's outcomes (a result holding {@code errorMessage}, Unhandled and Handled errors,
 * the timeout, an exit, an init error) is the same everywhere; and no other peer can take, answer
 * or fail an instance's events.
 */
class SameAnswerAcrossBackendsIT {

  private static final String NAMESPACE = "lambdarun-same-answer";

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

  private static KubeletApiServer cluster;

  @BeforeAll
  static void startCluster() {
    cluster = new KubeletApiServer(NAMESPACE);
  }

  @AfterAll
  static void stopCluster() {
    cluster.close();
  }

  private static LambdaRuntime runtimeFor(String backend) {
    return Backends.runtime(backend, cluster, NAMESPACE);
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"local", "docker", "kubernetes"})
  void thePythonExampleAnswersTheSame(String backend) {
    try (LambdaRuntime runtime = runtimeFor(backend)) {
      InvocationResult cold =
          runtime.invoke(
              Examples.helloPython("hello-" + backend), "{\"name\":\"world\"}".getBytes(UTF_8));
      InvocationResult warm =
          runtime.invoke(
              Examples.helloPython("hello-" + backend),
              "{\"name\":\"again\"}".getBytes(UTF_8),
              InvokeOptions.builder().logTail(true).build());

      assertThat(runtime.backendName()).isEqualTo(backend);
      assertThat(cold.payloadUtf8()).isEqualTo("{\"message\": \"Hello, world!\"}");
      assertThat(cold.functionError()).isEmpty();
      assertThat(cold.coldStart()).isTrue();
      assertThat(warm.payloadUtf8()).isEqualTo("{\"message\": \"Hello, again!\"}");
      assertThat(warm.coldStart()).isFalse();
      assertThat(warm.logResult())
          .as("the log tail holds the handler's line with the request id the caller got")
          .map(tail -> new String(Base64.getDecoder().decode(tail), UTF_8))
          .hasValueSatisfying(
              tail -> assertThat(tail).contains("greeting again in request " + warm.requestId()));
      assertThat(runtime.warmInstances()).hasSize(1);
    }
  }

  /**
   * The README's Java handler answers the same through every backend: AWS's Java runtime interface
   * client in a child JVM on the local backend, in the Java test image on Docker and Kubernetes.
   */
  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"local", "docker", "kubernetes"})
  void theJavaExampleAnswersTheSame(String backend) {
    try (LambdaRuntime runtime = runtimeFor(backend)) {
      LambdaFunction hello = Examples.helloJava("hello-java-" + backend);
      InvocationResult cold = runtime.invoke(hello, "{\"name\":\"world\"}".getBytes(UTF_8));
      InvocationResult warm =
          runtime.invoke(
              hello,
              "{\"name\":\"again\"}".getBytes(UTF_8),
              InvokeOptions.builder().logTail(true).build());

      assertThat(cold.payloadUtf8()).isEqualTo("{\"message\":\"Hello, world!\"}");
      assertThat(cold.functionError()).isEmpty();
      assertThat(cold.coldStart()).isTrue();
      assertThat(warm.payloadUtf8()).isEqualTo("{\"message\":\"Hello, again!\"}");
      assertThat(warm.coldStart()).isFalse();
      assertThat(warm.logResult())
          .map(tail -> new String(Base64.getDecoder().decode(tail), UTF_8))
          .hasValueSatisfying(
              tail -> assertThat(tail).contains("greeting again in request " + warm.requestId()));
    }
  }

  /**
   * One Python runtime client on every backend: the test image runs the local backend's {@code
   * lambdarun_runtime.py}, so Decimals, non-ASCII text and log lines come out alike.
   */
  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"local", "docker", "kubernetes"})
  void thePythonClientSerializesAndLogsTheSame(String backend, @TempDir Path code)
      throws IOException {
    Files.writeString(
        code.resolve("app.py"),
        String.join(
            "\n",
            "import decimal",
            "import logging",
            "",
            "def handler(event, context):",
            "    logging.warning('pricing in request %s', context.aws_request_id)",
            "    return {'price': decimal.Decimal('19.90'), 'city': 'Z\u00fcrich'}",
            ""),
        UTF_8);
    LambdaFunction function =
        LambdaFunction.builder()
            .functionName("client-" + backend)
            .runtime("python3.12")
            .handler("app.handler")
            .code(Archive.ofDirectory("client", code))
            .build();
    try (LambdaRuntime runtime = runtimeFor(backend)) {
      InvocationResult result =
          runtime.invoke(
              function, "{}".getBytes(UTF_8), InvokeOptions.builder().logTail(true).build());

      assertThat(result.functionError()).isEmpty();
      assertThat(result.payloadUtf8()).isEqualTo("{\"price\": 19.90, \"city\": \"Z\u00fcrich\"}");
      assertThat(result.logResult())
          .map(tail -> new String(Base64.getDecoder().decode(tail), UTF_8))
          .hasValueSatisfying(
              tail ->
                  assertThat(tail)
                      .containsPattern(
                          "\\[WARNING\\]\t\\d{4}-\\d{2}-\\d{2}T[0-9:.]{12}Z\t"
                              + result.requestId()
                              + "\tpricing in request "
                              + result.requestId()
                              + "\n"));
    }
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"local", "docker", "kubernetes"})
  void theCallersTraceIdAndCognitoIdentityReachTheHandler(String backend, @TempDir Path code)
      throws IOException {
    Files.writeString(
        code.resolve("app.py"),
        String.join(
            "\n",
            "import os",
            "",
            "def handler(event, context):",
            "    return {'trace': os.environ.get('_X_AMZN_TRACE_ID'),",
            "            'identity': context.identity.cognito_identity_id,",
            "            'pool': context.identity.cognito_identity_pool_id}",
            ""),
        UTF_8);
    LambdaFunction function =
        LambdaFunction.builder()
            .functionName("caller-" + backend)
            .runtime("python3.12")
            .handler("app.handler")
            .code(Archive.ofDirectory("caller", code))
            .build();
    String trace = "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1";
    try (LambdaRuntime runtime = runtimeFor(backend)) {
      InvocationResult traced =
          runtime.invoke(
              function,
              "{}".getBytes(UTF_8),
              InvokeOptions.builder()
                  .traceId(trace)
                  .cognitoIdentity(
                      "{\"cognitoIdentityId\":\"us-east-1:42\","
                          + "\"cognitoIdentityPoolId\":\"us-east-1:pool\"}")
                  .build());
      InvocationResult plain = runtime.invoke(function, "{}".getBytes(UTF_8));

      assertThat(traced.payloadUtf8())
          .isEqualTo(
              "{\"trace\": \""
                  + trace
                  + "\", \"identity\": \"us-east-1:42\", \"pool\": \"us-east-1:pool\"}");
      assertThat(plain.payloadUtf8())
          .doesNotContain(trace)
          .endsWith("\"identity\": null, \"pool\": null}");
    }
  }

  private static LambdaFunction outcomes(String name, Path code, String handler)
      throws IOException {
    return outcomes(name, code, handler, Duration.ofSeconds(2));
  }

  private static LambdaFunction outcomes(String name, Path code, String handler, Duration timeout)
      throws IOException {
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
