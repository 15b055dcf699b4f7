package io.lambdarun.it;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.lambdarun.api.Archive;
import io.lambdarun.core.LambdaRuntime;
import io.lambdarun.core.model.FunctionError;
import io.lambdarun.core.model.InvocationResult;
import io.lambdarun.core.model.LambdaFunction;
import io.lambdarun.it.javahandler.GreeterArchive;
import io.lambdarun.k8s.kubelet.KubeletApiServer;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A Java function (a {@code RequestHandler<Map, String>} zipped from the test classes) runs on
 * Docker and on Kubernetes (pods run by the test kubelet) from the Java test image, whose runtime
 * client is AWS's Java runtime interface client: the answer, the request id the handler saw, the
 * client's own error document for an uncaught exception, and the JVM settings of AWS's runtime.
 */
class JavaImageIT {

  private static final String NAMESPACE = "lambdarun-java-image";
  private static final ObjectMapper JSON = new ObjectMapper();
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

  private static LambdaFunction greeter(String name, String runtime) {
    return LambdaFunction.builder()
        .functionName(name)
        .runtime(runtime)
        .handler(GreeterArchive.HANDLER)
        .code(GreeterArchive.archive())
        .memoryMib(512)
        .build();
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"docker", "kubernetes"})
  void theHandlerAnswersWithTheRequestIdOfTheResult(String backend) {
    try (LambdaRuntime runtime = runtimeFor(backend)) {
      LambdaFunction function = greeter("greeter-" + backend, "java17");

      InvocationResult cold = runtime.invoke(function, "{\"name\":\"world\"}".getBytes(UTF_8));
      InvocationResult warm = runtime.invoke(function, "{\"name\":\"again\"}".getBytes(UTF_8));

      assertThat(cold.functionError()).isEmpty();
      assertThat(cold.payloadUtf8())
          .isEqualTo("\"Hello, world! (request " + cold.requestId() + ")\"");
      assertThat(cold.coldStart()).isTrue();
      assertThat(warm.payloadUtf8())
          .isEqualTo("\"Hello, again! (request " + warm.requestId() + ")\"");
      assertThat(warm.coldStart()).isFalse();
      assertThat(warm.requestId()).isNotEqualTo(cold.requestId());
    }
  }

  /** Lambda's class path: jars in the code's {@code lib/} and in a layer's {@code java/lib/}. */
  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"docker", "kubernetes"})
  void theHandlerLoadsFromJarsInTheCodesLibAndInALayersJavaLib(String backend) {
    byte[] jar = GreeterArchive.zip();
    LambdaFunction inLib =
        greeter("lib-greeter-" + backend, "java21").toBuilder()
            .code(Archive.ofBytes("lib", GreeterArchive.zipOf("lib/greeter.jar", jar)))
            .build();
    LambdaFunction inLayer =
        greeter("layer-greeter-" + backend, "java21").toBuilder()
            .code(Archive.ofBytes("readme", GreeterArchive.zipOf("README.txt", new byte[] {'x'})))
            .layers(
                List.of(
                    Archive.ofBytes("layer", GreeterArchive.zipOf("java/lib/greeter.jar", jar))))
            .build();
    try (LambdaRuntime runtime = runtimeFor(backend)) {
      InvocationResult fromLib = runtime.invoke(inLib, "{\"name\":\"lib\"}".getBytes(UTF_8));
      InvocationResult fromLayer = runtime.invoke(inLayer, "{\"name\":\"layer\"}".getBytes(UTF_8));

      assertThat(fromLib.payloadUtf8())
          .isEqualTo("\"Hello, lib! (request " + fromLib.requestId() + ")\"");
      assertThat(fromLayer.payloadUtf8())
          .isEqualTo("\"Hello, layer! (request " + fromLayer.requestId() + ")\"");
    }
  }

  /**
   * Lambda's java17 settings for 512 MB: a heap of 85 % (445645k), serial GC, C1 only; and the
   * function's own {@code JAVA_TOOL_OPTIONS}.
   */
  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"docker", "kubernetes"})
  void theJvmRunsWithLambdasSettingsForTheFunctionsMemory(String backend) {
    try (LambdaRuntime runtime = runtimeFor(backend)) {
      LambdaFunction function =
          greeter("jvm-greeter-" + backend, "java17").toBuilder()
              .environment(Map.of("JAVA_TOOL_OPTIONS", "-Dgreeter.tool.option=on"))
              .build();

      InvocationResult result = runtime.invoke(function, "{\"jvmFlags\":1}".getBytes(UTF_8));

      assertThat(result.functionError()).isEmpty();
      assertThat(result.payloadUtf8().replace("\"", "").split(" "))
          .contains(
              "-XX:MaxHeapSize=445645k",
              "-XX:+UseSerialGC",
              "-XX:+TieredCompilation",
              "-XX:TieredStopAtLevel=1",
              "-Dgreeter.tool.option=on");
    }
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"docker", "kubernetes"})
  void anUncaughtExceptionIsTheClientsErrorDocument(String backend) throws IOException {
    try (LambdaRuntime runtime = runtimeFor(backend)) {
      LambdaFunction function = greeter("failing-greeter-" + backend, "java21");

      InvocationResult result = runtime.invoke(function, "{\"fail\":\"you\"}".getBytes(UTF_8));

      assertThat(result.functionError()).contains(FunctionError.UNHANDLED);
      JsonNode error = JSON.readTree(result.payload());
      assertThat(error.get("errorType").asText()).isEqualTo("java.lang.IllegalStateException");
      assertThat(error.get("errorMessage").asText()).isEqualTo("planned failure for you");
      assertThat(error.get("stackTrace").get(0).asText())
          .startsWith("io.lambdarun.it.javahandler.Greeter.handleRequest(Greeter.java:");
    }
  }
}
