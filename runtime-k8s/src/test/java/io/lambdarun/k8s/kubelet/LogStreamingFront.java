package io.lambdarun.k8s.kubelet;

import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketConnectOptions;
import java.io.Closeable;
import java.io.IOException;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The API server's front door on 127.0.0.1: streams {@code pods/<name>/log?follow=true} from the
 * {@link TestKubelet} as the container writes (fabric8's mock sends a response body only whole, so
 * it cannot follow a log), and passes every other request, watches' WebSockets included, to the
 * mock API server unchanged.
 */
final class LogStreamingFront implements AutoCloseable {

  private static final Pattern LOG_PATH =
      Pattern.compile("/api/v1/namespaces/([^/]+)/pods/([^/]+)/log");
  private static final Set<String> HOP_BY_HOP =
      Set.of("connection", "transfer-encoding", "content-length", "keep-alive", "upgrade", "host");
  private static final Set<String> HANDSHAKE =
      Set.of(
          "connection",
          "upgrade",
          "host",
          "sec-websocket-key",
          "sec-websocket-version",
          "sec-websocket-extensions",
          "sec-websocket-protocol");

  private final Vertx vertx = Vertx.vertx();
  private final HttpClientAgent http = vertx.createHttpClient();
  private final WebSocketClient webSockets = vertx.createWebSocketClient();
  private final TestKubelet kubelet;
  private final int backendPort;
  private final HttpServer server;

  LogStreamingFront(TestKubelet kubelet, int backendPort) {
    this.kubelet = kubelet;
    this.backendPort = backendPort;
    this.server =
        join(vertx.createHttpServer().requestHandler(this::handle).listen(0, "127.0.0.1"));
  }

  int port() {
    return server.actualPort();
  }

  private void handle(HttpServerRequest request) {
    Matcher log = LOG_PATH.matcher(request.path());
    if (request.method() == HttpMethod.GET
        && log.matches()
        && "true".equals(request.getParam("follow"))) {
      follow(request, log.group(1), log.group(2), request.getParam("container", "lambda"));
    } else if (request.canUpgradeToWebSocket()) {
      passWebSocket(request);
    } else {
      pass(request);
    }
  }

  private void follow(HttpServerRequest request, String namespace, String pod, String container) {
    HttpServerResponse response = request.response();
    Optional<Closeable> stream =
        kubelet.followLogs(
            namespace,
            pod,
            container,
            bytes -> response.write(Buffer.buffer(bytes)),
            () -> response.end());
    if (stream.isEmpty()) {
      response
          .setStatusCode(404)
          .putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
          .end(
              "{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"status\":\"Failure\","
                  + "\"reason\":\"NotFound\",\"code\":404,\"message\":\"no log\"}");
      return;
    }
    response.setChunked(true).putHeader(HttpHeaders.CONTENT_TYPE, "text/plain").writeHead();
    response.closeHandler(closed -> closeQuietly(stream.get()));
  }

  private void pass(HttpServerRequest request) {
    request
        .body()
        .compose(
            body ->
                http.request(
                        new RequestOptions()
                            .setMethod(request.method())
                            .setHost("127.0.0.1")
                            .setPort(backendPort)
                            .setURI(request.uri())
                            .setHeaders(copy(request.headers(), HOP_BY_HOP)))
                    .compose(out -> out.send(body)))
        .onSuccess(in -> answer(request.response(), in))
        .onFailure(error -> request.response().setStatusCode(502).end(error.toString()));
  }

  private static void answer(HttpServerResponse response, HttpClientResponse in) {
    response.setStatusCode(in.statusCode());
    response.headers().addAll(copy(in.headers(), HOP_BY_HOP));
    response.setChunked(true);
    in.pipeTo(response);
  }

  private void passWebSocket(HttpServerRequest request) {
    WebSocketConnectOptions options =
        new WebSocketConnectOptions()
            .setHost("127.0.0.1")
            .setPort(backendPort)
            .setURI(request.uri())
            .setHeaders(copy(request.headers(), HANDSHAKE));
    String protocols = request.getHeader("Sec-WebSocket-Protocol");
    if (protocols != null) {
      for (String protocol : protocols.split(",")) {
        options.addSubProtocol(protocol.strip());
      }
    }
    request
        .toWebSocket()
        .onSuccess(
            front -> {
              front.pause();
              webSockets
                  .connect(options)
                  .onSuccess(
                      back -> {
                        connect(front, back);
                        front.resume();
                      })
                  .onFailure(error -> front.close());
            });
  }

  private static void connect(ServerWebSocket front, WebSocket back) {
    front.textMessageHandler(back::writeTextMessage);
    front.binaryMessageHandler(back::writeBinaryMessage);
    back.textMessageHandler(front::writeTextMessage);
    back.binaryMessageHandler(front::writeBinaryMessage);
    front.closeHandler(closed -> back.close());
    back.closeHandler(closed -> front.close());
  }

  private static MultiMap copy(MultiMap headers, Set<String> left) {
    MultiMap out = MultiMap.caseInsensitiveMultiMap();
    headers.forEach(
        (name, value) -> {
          if (!left.contains(name.toLowerCase(Locale.ROOT))) {
            out.add(name, value);
          }
        });
    return out;
  }

  private static void closeQuietly(Closeable stream) {
    try {
      stream.close();
    } catch (IOException e) {
      // the follow ends either way
    }
  }

  private static <T> T join(Future<T> future) {
    try {
      return future.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    } catch (ExecutionException | TimeoutException e) {
      throw new IllegalStateException("the API server's front did not start", e);
    }
  }

  @Override
  public void close() {
    join(vertx.close());
  }
}
