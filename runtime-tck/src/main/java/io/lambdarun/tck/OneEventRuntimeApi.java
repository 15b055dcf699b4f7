package io.lambdarun.tck;

import static java.nio.charset.StandardCharsets.UTF_8;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The smallest Lambda Runtime API a backend test needs, on 127.0.0.1: the first {@code /next} gets
 * the one event with its request id, later ones are held until {@link #close()}; the runtime's
 * {@code /response}, {@code /error} or {@code /init/error} completes {@link #answer()}.
 *
 * <p>Hand {@link #address()} to an instance as {@code AWS_LAMBDA_RUNTIME_API} (or as {@link
 * io.lambdarun.api.LaunchSpec#runtimeApi()}); the instance must share the host's loopback
 * interface, for example a container in host network mode.
 */
public final class OneEventRuntimeApi implements AutoCloseable {

  private static final String PREFIX = "/2018-06-01/runtime/";

  /**
   * What the runtime posted.
   *
   * @param path the path after {@code /2018-06-01/runtime/}, e.g. {@code invocation/r-1/response}
   * @param body the posted body
   */
  public record Answer(String path, String body) {}

  private final HttpServer server;
  private final String requestId;
  private final AtomicReference<byte[]> event;
  private final AtomicInteger nextCalls = new AtomicInteger();
  private final CompletableFuture<Answer> answer = new CompletableFuture<>();
  private final ConcurrentLinkedQueue<HttpExchange> held = new ConcurrentLinkedQueue<>();

  /**
   * Starts the Runtime API on an ephemeral port of 127.0.0.1.
   *
   * @param requestId the request id the event is handed out with
   * @param event the event, JSON
   * @throws IOException if no port can be bound
   */
  public OneEventRuntimeApi(String requestId, String event) throws IOException {
    this.requestId = requestId;
    this.event = new AtomicReference<>(event.getBytes(UTF_8));
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
    server.createContext(PREFIX, this::handle);
    server.start();
  }

  /**
   * Returns the value for {@code AWS_LAMBDA_RUNTIME_API}.
   *
   * @return {@code 127.0.0.1:port}
   */
  public String address() {
    return "127.0.0.1:" + server.getAddress().getPort();
  }

  /**
   * Counts the calls of {@code /next} so far, for failure messages.
   *
   * @return the number of calls
   */
  public int nextCalls() {
    return nextCalls.get();
  }

  /**
   * Returns what the runtime posts for the event (or its init error).
   *
   * @return a future completed by the first post
   */
  public CompletableFuture<Answer> answer() {
    return answer;
  }

  private void handle(HttpExchange exchange) throws IOException {
    String path = exchange.getRequestURI().getPath().substring(PREFIX.length());
    byte[] body = exchange.getRequestBody().readAllBytes();
    if (exchange.getRequestMethod().equals("GET") && path.equals("invocation/next")) {
      nextCalls.incrementAndGet();
      byte[] payload = event.getAndSet(null);
      if (payload == null) {
        held.add(exchange);
        return;
      }
      exchange.getResponseHeaders().add("Lambda-Runtime-Aws-Request-Id", requestId);
      exchange
          .getResponseHeaders()
          .add("Lambda-Runtime-Deadline-Ms", Long.toString(System.currentTimeMillis() + 60_000));
      exchange
          .getResponseHeaders()
          .add(
              "Lambda-Runtime-Invoked-Function-Arn",
              "arn:aws:lambda:us-east-1:000000000000:function:bootstrap-test");
      exchange.getResponseHeaders().add("Content-Type", "application/json");
      send(exchange, 200, payload);
    } else if (exchange.getRequestMethod().equals("POST")) {
      answer.complete(new Answer(path, new String(body, UTF_8)));
      send(exchange, 202, "{\"status\":\"OK\"}".getBytes(UTF_8));
    } else {
      send(exchange, 404, new byte[0]);
    }
  }

  private static void send(HttpExchange exchange, int status, byte[] body) throws IOException {
    exchange.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
    exchange.getResponseBody().write(body);
    exchange.close();
  }

  /** Stops the server and drops the held {@code /next} calls. */
  @Override
  public void close() {
    server.stop(0);
    HttpExchange exchange;
    while ((exchange = held.poll()) != null) {
      exchange.close();
    }
  }
}
