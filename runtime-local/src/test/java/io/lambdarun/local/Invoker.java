package io.lambdarun.local;

import io.lambdarun.api.ContainerRuntime;
import io.lambdarun.api.Instance;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/** Posts events to an instance's RIE endpoint the way core does. */
final class Invoker {

  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  /** A reply: status, body, and the function-error header if any. */
  record Reply(int status, String body, Optional<String> functionError) {}

  Reply invoke(Instance instance, String event) {
    return invoke(instance, event, Map.of());
  }

  Reply invoke(Instance instance, String event, Map<String, String> headers) {
    return post(instance.invocationUri(), event, headers);
  }

  Reply post(URI uri, String event, Map<String, String> headers) {
    HttpRequest.Builder builder =
        HttpRequest.newBuilder(uri)
            .timeout(Duration.ofSeconds(60))
            .POST(HttpRequest.BodyPublishers.ofString(event, StandardCharsets.UTF_8));
    headers.forEach(builder::header);
    HttpRequest request = builder.build();
    try {
      HttpResponse<String> response =
          http.send(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
      return new Reply(
          response.statusCode(),
          response.body(),
          response.headers().firstValue(ContainerRuntime.FUNCTION_ERROR_HEADER));
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
