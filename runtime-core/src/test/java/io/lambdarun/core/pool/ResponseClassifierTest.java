package io.lambdarun.core.pool;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import io.lambdarun.core.model.FunctionError;
import java.io.IOException;
import java.net.ConnectException;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpHeaders;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ResponseClassifierTest {

  private static HttpHeaders headers(Map<String, List<String>> values) {
    return HttpHeaders.of(values, (name, value) -> true);
  }

  @Test
  void theHeaderWinsOverTheBody() {
    byte[] plain = "{}".getBytes(UTF_8);
    byte[] error = "{\"errorMessage\":\"x\"}".getBytes(UTF_8);

    assertThat(
            ResponseClassifier.functionError(
                headers(Map.of("X-Amz-Function-Error", List.of("Handled"))), error))
        .contains(FunctionError.HANDLED);
    assertThat(
            ResponseClassifier.functionError(
                headers(Map.of("X-Amz-Function-Error", List.of("Unhandled"))), plain))
        .contains(FunctionError.UNHANDLED);
    assertThat(ResponseClassifier.functionError(headers(Map.of()), error))
        .contains(FunctionError.UNHANDLED);
    assertThat(ResponseClassifier.functionError(headers(Map.of()), plain)).isEmpty();
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "Task timed out after 3.00 seconds",
        "Task timed out after 900.00 seconds\n",
        "Task timed out after 1 seconds"
      })
  void recognisesTheRieTimeoutText(String body) {
    assertThat(ResponseClassifier.isRieTimeout(body.getBytes(UTF_8))).isTrue();
  }

  @ParameterizedTest
  @ValueSource(strings = {"\"Task timed out after 3.00 seconds\"", "Task timed out", "ok"})
  void otherBodiesAreNotTimeouts(String body) {
    assertThat(ResponseClassifier.isRieTimeout(body.getBytes(UTF_8))).isFalse();
  }

  @Test
  void timeoutDocumentHasAwsShape() {
    assertThat(new String(ResponseClassifier.timeoutDocument("r-1", Duration.ofSeconds(30)), UTF_8))
        .isEqualTo(
            "{\"errorType\":\"Sandbox.Timedout\",\"errorMessage\":\"r-1 Task timed out after 30.00"
                + " seconds\"}");
  }

  @Test
  void onlyConnectFailuresProveTheEventNeverArrived() {
    assertThat(FunctionInvoker.neverReached(new ConnectException("refused"))).isTrue();
    assertThat(FunctionInvoker.neverReached(new HttpConnectTimeoutException("slow"))).isTrue();
    assertThat(FunctionInvoker.neverReached(new IOException("wrapped", new ConnectException("x"))))
        .isTrue();
    assertThat(FunctionInvoker.neverReached(new HttpTimeoutException("request timed out")))
        .isFalse();
    assertThat(FunctionInvoker.neverReached(new IOException("connection reset"))).isFalse();
  }
}
