package io.lambdarun.it;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import io.lambdarun.api.Archive;
import io.lambdarun.core.InvocationResult;
import io.lambdarun.core.InvokeOptions;
import io.lambdarun.core.LambdaFunction;
import io.lambdarun.core.LambdaRuntime;
import io.lambdarun.k8s.kubelet.KubeletApiServer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The README's Python handler answers the same through every backend, cold and then warm, and its
 * log carries the request id the caller got: local
 * processes, containers on the real Docker engine, and pods behind fabric8's CRUD API server run as
 * real containers by the test kubelet.
 */
class SameAnswerAcrossBackendsIT {

  private static final String NAMESPACE = "lambdarun-same-answer";
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
          runtime.invoke(Examples.helloPython("hello-" + backend), "{\"name\":\"world\"}".getBytes(UTF_8));
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
              "{\"trace\": \"" + trace
                  + "\", \"identity\": \"us-east-1:42\", \"pool\": \"us-east-1:pool\"}");
      assertThat(plain.payloadUtf8())
          .doesNotContain(trace)
          .endsWith("\"identity\": null, \"pool\": null}");
    }
  }
}
