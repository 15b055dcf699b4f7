package example;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import io.lambdarun.api.Archive;
import io.lambdarun.core.LambdaRuntime;
import io.lambdarun.core.model.InvocationResult;
import io.lambdarun.core.model.InvokeOptions;
import io.lambdarun.core.model.LambdaFunction;
import java.nio.file.Path;
import java.util.Base64;
import org.junit.jupiter.api.Test;

/** The packaged example jar, run as the README runs it: java21 on the local backend. */
class HelloJarIT {

  @Test
  void thePackagedJarGreetsByNameAndLogsTheRequestId() {
    try (LambdaRuntime runtime = LambdaRuntime.builder().backend("local").build()) {
      LambdaFunction hello =
          LambdaFunction.builder()
              .functionName("hello-java")
              .runtime("java21")
              .handler("example.Hello::handleRequest")
              .code(Archive.ofFile(Path.of("target/hello-java.jar")))
              .build();
      InvocationResult result =
          runtime.invoke(
              hello,
              "{\"name\":\"world\"}".getBytes(UTF_8),
              InvokeOptions.builder().logTail(true).build());
      assertThat(result.payloadUtf8()).isEqualTo("{\"message\":\"Hello, world!\"}");
      assertThat(result.functionError()).isEmpty();
      String log = new String(Base64.getDecoder().decode(result.logResult().orElseThrow()), UTF_8);
      assertThat(log).contains("greeting world in request " + result.requestId());
    }
  }
}
