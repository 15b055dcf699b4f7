package io.lambdarun.it;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import io.lambdarun.core.InvocationResult;
import io.lambdarun.core.LambdaRuntime;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The README's Python handler answers the same through every backend, cold and warm. */
class SameAnswerAcrossBackendsIT {

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"local", "docker"})
  void thePythonExampleAnswersTheSame(String backend) {
    try (LambdaRuntime runtime =
        LambdaRuntime.builder().backend(backend).imageMappings(Examples.IMAGE_MAPPINGS).build()) {
      InvocationResult cold =
          runtime.invoke(Examples.helloPython("hello-" + backend), "{\"name\":\"world\"}".getBytes(UTF_8));
      InvocationResult warm =
          runtime.invoke(Examples.helloPython("hello-" + backend), "{\"name\":\"again\"}".getBytes(UTF_8));

      assertThat(runtime.backendName()).isEqualTo(backend);
      assertThat(cold.payloadUtf8()).isEqualTo("{\"message\": \"Hello, world!\"}");
      assertThat(cold.functionError()).isEmpty();
      assertThat(cold.coldStart()).isTrue();
      assertThat(warm.payloadUtf8()).isEqualTo("{\"message\": \"Hello, again!\"}");
      assertThat(warm.coldStart()).isFalse();
      assertThat(runtime.warmInstances()).hasSize(1);
    }
  }
}
