package io.lambdarun.tck;

import io.lambdarun.api.ContainerRuntime;
import io.lambdarun.api.Instance;
import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/** Sends events to an instance's RIE endpoint the way lambdarun's core does. */
public final class RieClient {

  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  /**
   * A reply of the endpoint.
   *
   * @param status the HTTP status
   * @param body the body text
   * @param functionError the {@value io.lambdarun.api.ContainerRuntime#FUNCTION_ERROR_HEADER}
   *     header ({@code Handled} or {@code Unhandled}), empty when absent
   */
  public record Reply(int status, String body, String functionError) {}

  /**
   * Posts one event and waits for the reply.
   *
   * @param instance the instance
   * @param event the JSON event
   * @return the reply
   * @throws IOException if the endpoint cannot be reached
   */
  public Reply invoke(Instance instance, String event) throws IOException {
    HttpRequest request =
        HttpRequest.newBuilder(instance.invocationUri())
            .timeout(Duration.ofSeconds(60))
            .POST(HttpRequest.BodyPublishers.ofString(event, StandardCharsets.UTF_8))
            .build();
    try {
      HttpResponse<String> response =
          http.send(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
      return new Reply(
          response.statusCode(),
          response.body(),
          response.headers().firstValue(ContainerRuntime.FUNCTION_ERROR_HEADER).orElse(""));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while invoking " + instance.id(), e);
    }
  }
}
