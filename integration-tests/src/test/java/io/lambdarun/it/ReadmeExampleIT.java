package io.lambdarun.it;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import io.lambdarun.api.Archive;
import io.lambdarun.core.LambdaRuntime;
import io.lambdarun.core.model.InvocationResult;
import io.lambdarun.core.model.LambdaFunction;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The README's embedding example, as written there, compiles and prints the handler's answer. */
class ReadmeExampleIT {

  @Test
  void theEmbeddingExampleWorksAsDocumented() {
    Path examples = Path.of("..").toAbsolutePath().normalize();
    String printed;
    // --- as in README.md "Embed it" (paths relative to the repository root) ---
    try (LambdaRuntime runtime = LambdaRuntime.builder().backend("local").build()) {
      LambdaFunction hello =
          LambdaFunction.builder()
              .functionName("hello")
              .runtime("python3.12")
              .handler("app.handler")
              .code(Archive.ofDirectory("hello", examples.resolve("examples/hello-python")))
              .build();
      InvocationResult result = runtime.invoke(hello, "{\"name\":\"world\"}".getBytes(UTF_8));
      printed = result.payloadUtf8();
    }
    // ---
    assertThat(printed).isEqualTo("{\"message\": \"Hello, world!\"}");
  }
}
