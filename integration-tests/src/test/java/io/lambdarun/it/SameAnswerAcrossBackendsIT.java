package io.lambdarun.it;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import io.lambdarun.api.RuntimeConfig;
import io.lambdarun.core.InvocationResult;
import io.lambdarun.core.InvokeOptions;
import io.lambdarun.core.LambdaRuntime;
import io.lambdarun.k8s.kubelet.KubeletApiServer;
import java.util.Base64;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
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

  private static RuntimeConfig configFor(String backend) {
    if (!backend.equals("kubernetes")) {
      return RuntimeConfig.empty();
    }
    return RuntimeConfig.of(cluster.runtimeConfig(NAMESPACE));
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"local", "docker", "kubernetes"})
  void thePythonExampleAnswersTheSame(String backend) {
    try (LambdaRuntime runtime =
        LambdaRuntime.builder()
            .backend(backend)
            .config(configFor(backend))
            .imageMappings(Examples.IMAGE_MAPPINGS)
            .build()) {
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
}
