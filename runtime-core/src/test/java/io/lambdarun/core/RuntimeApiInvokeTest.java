package io.lambdarun.core;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import io.lambdarun.api.RuntimeConfig;
import io.lambdarun.core.model.FunctionError;
import io.lambdarun.core.model.InvocationResult;
import io.lambdarun.core.model.InvokeOptions;
import io.lambdarun.core.model.LambdaFunction;
import io.lambdarun.core.model.ResponseStreamListener;
import io.lambdarun.core.testing.RuntimeApiBackend;
import java.io.ByteArrayOutputStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Core runs a backend with a Runtime API access in Runtime API mode, with Lambda's outcomes. */
class RuntimeApiInvokeTest {

  private final RuntimeApiBackend backend = new RuntimeApiBackend();
  private final LambdaRuntime runtime =
      LambdaRuntime.builder()
          .config(RuntimeConfig.empty())
          .addProvider(backend)
          .backend(backend.name())
          .sweepOrphansOnStart(false)
          .build();

  @AfterEach
  void close() {
    runtime.close();
  }

  private InvocationResult invoke(LambdaFunction function, String event) {
    return runtime.invoke(function, event.getBytes(UTF_8));
  }

  @Test
  @DisplayName("a result holding errorMessage is a success, a Handled error is Handled, warm")
  void exactOutcomes() {
    LambdaFunction fn = TestFunctions.python("exact").build();
    InvocationResult data = invoke(fn, "\"data\"");
    assertThat(data.functionError()).isEmpty();
    assertThat(data.payloadUtf8()).isEqualTo("{\"errorMessage\":\"just data\"}");
    InvocationResult handled = invoke(fn, "\"handled\"");
    assertThat(handled.functionError()).contains(FunctionError.HANDLED);
    assertThat(handled.coldStart()).isFalse();
    assertThat(backend.launched).hasSize(1);
  }

  @Test
  @DisplayName(
      "invokeStreaming hands the listener a streamed and a buffered response, not an error"
          + " document, on one warm instance")
  void streamingInvoke() {
    LambdaFunction fn = TestFunctions.python("streams").build();
    List<String> started = new ArrayList<>();
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    ResponseStreamListener listener =
        new ResponseStreamListener() {
          @Override
          public void started(String requestId) {
            started.add(requestId);
          }

          @Override
          public void chunk(byte[] bytes) {
            body.writeBytes(bytes);
          }
        };
    InvocationResult streamed =
        runtime.invokeStreaming(fn, "\"stream\"".getBytes(UTF_8), InvokeOptions.DEFAULT, listener);
    assertThat(streamed.functionError()).isEmpty();
    assertThat(streamed.payload()).isEmpty();
    assertThat(body.toString(UTF_8)).isEqualTo("streamed answer");
    assertThat(started).containsExactly(streamed.requestId());

    body.reset();
    InvocationResult buffered =
        runtime.invokeStreaming(fn, "\"fine\"".getBytes(UTF_8), InvokeOptions.DEFAULT, listener);
    assertThat(body.toString(UTF_8)).isEqualTo("\"fine\"");
    assertThat(buffered.payload()).isEmpty();
    assertThat(buffered.coldStart()).isFalse();

    body.reset();
    InvocationResult handled =
        runtime.invokeStreaming(fn, "\"handled\"".getBytes(UTF_8), InvokeOptions.DEFAULT, listener);
    assertThat(handled.functionError()).contains(FunctionError.HANDLED);
    assertThat(handled.payloadUtf8()).isEqualTo("{\"errorMessage\":\"no\",\"errorType\":\"E\"}");
    assertThat(body.size()).isZero();
    assertThat(backend.launched).hasSize(1);
  }

  @Test
  @DisplayName("a timeout answers Sandbox.Timedout and replaces the instance")
  void timeoutReplacesTheInstance() {
    LambdaFunction fn = TestFunctions.python("slow").timeout(Duration.ofSeconds(1)).build();
    InvocationResult timedOut = invoke(fn, "\"hang\"");
    assertThat(timedOut.functionError()).contains(FunctionError.UNHANDLED);
    assertThat(timedOut.payloadUtf8())
        .contains("\"errorType\":\"Sandbox.Timedout\"")
        .contains("Task timed out after 1.00 seconds");
    assertThat(backend.terminated).containsExactly("client-1");
    InvocationResult next = invoke(fn, "\"fine\"");
    assertThat(next.payloadUtf8()).isEqualTo("\"fine\"");
    assertThat(next.coldStart()).isTrue();
  }

  @Test
  @DisplayName("a runtime dying under the event answers Runtime.ExitError and is replaced")
  void exitError() {
    LambdaFunction fn = TestFunctions.python("dies").build();
    InvocationResult died = invoke(fn, "\"exit\"");
    assertThat(died.functionError()).contains(FunctionError.UNHANDLED);
    assertThat(died.payloadUtf8())
        .contains("\"errorType\":\"Runtime.ExitError\"")
        .contains("exit status 9");
    assertThat(backend.terminated).containsExactly("client-1");
  }

  @Test
  @DisplayName("a runtime that died while idle never gets the event: a fresh instance serves it")
  void idleDeathIsRetriedOnAFreshInstance() {
    LambdaFunction fn = TestFunctions.python("idle").build();
    assertThat(invoke(fn, "\"die\"").payloadUtf8()).isEqualTo("\"bye\"");
    InvocationResult next = invoke(fn, "\"again\"");
    assertThat(next.functionError()).isEmpty();
    assertThat(next.payloadUtf8()).isEqualTo("\"again\"");
    assertThat(next.coldStart()).isTrue();
    assertThat(backend.launched).containsExactly("client-1", "client-2");
  }
}
