package io.lambdarun.core.pool;

import io.lambdarun.api.Instance;
import io.lambdarun.core.model.InvokeOptions;
import java.io.IOException;
import java.time.Duration;

/**
 * Core's HTTP path to one instance on its own, without the pool or {@link FunctionInvoker}: the
 * exchange {@link HttpInvoker} makes, over a keep-alive connection of this object's own. Internal:
 * for benchmarks that measure that path alone; not an API.
 */
public final class HttpPath implements AutoCloseable {

  private final HttpInvoker http = new HttpInvoker();
  private final Instance instance;
  private final InstanceConnection connection;

  /**
   * Opens the path to an instance; the connection is established by the first post.
   *
   * @param instance an instance with an invocation endpoint (not in Runtime API mode)
   * @throws java.util.NoSuchElementException if the instance has no endpoint
   */
  public HttpPath(Instance instance) {
    this.instance = instance;
    this.connection = new InstanceConnection(instance.endpoint().orElseThrow());
  }

  /**
   * Posts one event and waits for the answer, as {@link FunctionInvoker} does for a pooled
   * instance.
   *
   * @param payload the event
   * @param requestId the request id to send
   * @param options the client context, trace id and Cognito identity to pass on
   * @param timeout how long to wait for the whole answer
   * @return the answer's status and body
   * @throws IOException on a transport or protocol failure
   */
  public Answer post(byte[] payload, String requestId, InvokeOptions options, Duration timeout)
      throws IOException {
    InstanceResponse response =
        http.post(connection, instance, payload, requestId, options, timeout);
    return new Answer(response.statusCode(), response.body());
  }

  /** Closes the connection. */
  @Override
  public void close() {
    connection.close();
  }

  /**
   * An instance's answer.
   *
   * @param statusCode the HTTP status
   * @param body the body; empty when it exceeded 6 MB and was not read
   */
  public record Answer(int statusCode, byte[] body) {}
}
