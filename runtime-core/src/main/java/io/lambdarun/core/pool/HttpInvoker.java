package io.lambdarun.core.pool;

import io.lambdarun.api.Instance;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Optional;

/**
 * Posts events to instance endpoints over one keep-alive HTTP client shared by every runtime in
 * the process (a JDK 17 client cannot be closed, so one per runtime would leak its thread).
 */
public final class HttpInvoker {

  /** The header carrying lambdarun's request id to the instance. */
  public static final String REQUEST_ID_HEADER = "X-Amzn-RequestId";

  /** The header carrying the caller's base64 client context. */
  public static final String CLIENT_CONTEXT_HEADER = "X-Amz-Client-Context";

  /** How long establishing a connection may take before the instance counts as unreachable. */
  public static final Duration CONNECT_TIMEOUT = Duration.ofMillis(1500);

  private static final HttpClient CLIENT =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(CONNECT_TIMEOUT)
          .followRedirects(HttpClient.Redirect.NEVER)
          .build();

  /**
   * Opens and closes a TCP connection to the instance's endpoint, so that a dead or black-holed
   * instance is noticed within {@link #CONNECT_TIMEOUT} instead of after the function timeout
   * (a pooled keep-alive connection to it would otherwise swallow the event).
   *
   * @param instance the instance
   * @throws IOException if the endpoint does not accept a connection in time
   */
  public void probe(Instance instance) throws IOException {
    URI endpoint = instance.endpoint();
    int port = endpoint.getPort() != -1 ? endpoint.getPort() : 80;
    try (Socket socket = new Socket()) {
      socket.connect(
          new InetSocketAddress(endpoint.getHost(), port), (int) CONNECT_TIMEOUT.toMillis());
    }
  }

  /**
   * Sends one event and waits for the answer.
   *
   * @param instance the instance
   * @param payload the event
   * @param requestId lambdarun's request id
   * @param clientContext the client context header, if any
   * @param timeout how long to wait for the whole answer
   * @return the response
   * @throws IOException on transport failure; {@link java.net.ConnectException} and {@link
   *     java.net.http.HttpConnectTimeoutException} mean the event never reached the instance
   * @throws InterruptedException if the calling thread is interrupted
   */
  public HttpResponse<byte[]> post(
      Instance instance,
      byte[] payload,
      String requestId,
      Optional<String> clientContext,
      Duration timeout)
      throws IOException, InterruptedException {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(instance.invocationUri())
            .timeout(timeout)
            .header(REQUEST_ID_HEADER, requestId)
            .POST(HttpRequest.BodyPublishers.ofByteArray(payload));
    clientContext.ifPresent(context -> request.header(CLIENT_CONTEXT_HEADER, context));
    return CLIENT.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
  }
}
