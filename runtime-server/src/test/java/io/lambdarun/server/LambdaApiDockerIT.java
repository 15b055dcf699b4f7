package io.lambdarun.server;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import io.lambdarun.api.Archive;
import io.lambdarun.core.LambdaRuntime;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.Base64;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.lambda.LambdaClient;
import software.amazon.awssdk.services.lambda.model.InvokeResponse;
import software.amazon.awssdk.services.lambda.model.LogType;
import software.amazon.awssdk.services.lambda.model.Runtime;

/**
 * The same API on the Docker backend (the locally built {@code lambdarun/test-python} image): the
 * server does not depend on the backend, and the answers are the local backend's.
 */
class LambdaApiDockerIT {

  private static final Path HELLO = Path.of("..", "examples", "hello-python").toAbsolutePath();

  @Test
  void theExampleAnswersAlikeOnDockerAndItsContainerGoesWithTheFunction() throws IOException {
    byte[] zip;
    try (InputStream in = Archive.ofDirectory("hello", HELLO).open()) {
      zip = in.readAllBytes();
    }
    try (TestServer server =
        TestServer.start(
            LambdaRuntime.builder()
                .backend("docker")
                .imageMappings("python3.12=lambdarun/test-python:latest")
                .build(),
            TestServer.options())) {
      LambdaRuntime runtime = server.runtime();
      LambdaClient lambda = server.lambda();
      lambda.createFunction(
          r ->
              r.functionName("hello-docker")
                  .runtime(Runtime.PYTHON3_12)
                  .handler("app.handler")
                  .role(TestServer.ROLE)
                  .code(c -> c.zipFile(SdkBytes.fromByteArray(zip))));
      InvokeResponse invoked =
          lambda.invoke(
              r ->
                  r.functionName("hello-docker")
                      .logType(LogType.TAIL)
                      .payload(SdkBytes.fromUtf8String("{\"name\":\"docker\"}")));
      assertThat(invoked.statusCode()).isEqualTo(200);
      assertThat(invoked.functionError()).isNull();
      assertThat(invoked.payload().asUtf8String()).isEqualTo("{\"message\": \"Hello, docker!\"}");
      assertThat(new String(Base64.getDecoder().decode(invoked.logResult()), UTF_8))
          .contains("greeting docker in request " + invoked.responseMetadata().requestId());
      assertThat(runtime.warmInstances()).hasSize(1);
      assertThat(runtime.warmInstances().get(0).backend()).isEqualTo("docker");

      lambda.deleteFunction(r -> r.functionName("hello-docker"));
      assertThat(runtime.warmInstances()).as("the deleted function's container").isEmpty();
    }
  }
}
