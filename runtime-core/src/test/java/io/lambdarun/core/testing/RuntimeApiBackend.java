package io.lambdarun.core.testing;

import io.lambdarun.api.Availability;
import io.lambdarun.api.ContainerRuntime;
import io.lambdarun.api.ContainerRuntimeProvider;
import io.lambdarun.api.HostAccess;
import io.lambdarun.api.Instance;
import io.lambdarun.api.LaunchSpec;
import io.lambdarun.api.Owner;
import io.lambdarun.api.RuntimeApiAccess;
import io.lambdarun.api.RuntimeConfig;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An in-test backend in Runtime API mode whose instances are threads acting as runtime clients. The
 * event, a JSON string, says what the client does: {@code "data"} answers a result holding {@code
 * errorMessage}, {@code "handled"} posts a Handled error, {@code "hang"} never answers, {@code
 * "exit"} dies with status 9 under the event, {@code "die"} answers and then dies while idle,
 * {@code "stream"} answers {@code streamed answer} in {@code Lambda-Runtime-Function-Response-Mode:
 * streaming} (chunked); anything else is echoed.
 */
public final class RuntimeApiBackend implements ContainerRuntimeProvider {

  /** The instances launched, in order. */
  public final List<String> launched = new CopyOnWriteArrayList<>();

  /** The instances terminated, in order. */
  public final List<String> terminated = new CopyOnWriteArrayList<>();

  private final Map<String, Integer> exits = new ConcurrentHashMap<>();
  private final AtomicInteger ids = new AtomicInteger();
  private final HttpClient http = HttpClient.newHttpClient();

  @Override
  public String name() {
    return "runtime-api-fake";
  }

  @Override
  public Availability availability(RuntimeConfig config) {
    return Availability.available("in-test backend");
  }

  @Override
  public ContainerRuntime create(RuntimeConfig config, Owner owner) {
    return new Runtime();
  }

  private final class Runtime implements ContainerRuntime {
    @Override
    public String name() {
      return RuntimeApiBackend.this.name();
    }

    @Override
    public HostAccess hostAccess() {
      return HostAccess.loopback();
    }

    @Override
    public Optional<RuntimeApiAccess> runtimeApiAccess() {
      return Optional.of(RuntimeApiAccess.loopback());
    }

    @Override
    public Instance launch(LaunchSpec spec) {
      String id = "client-" + ids.incrementAndGet();
      String api =
          "http://" + spec.environment().get("AWS_LAMBDA_RUNTIME_API") + "/2018-06-01/runtime";
      Thread client = new Thread(() -> serve(id, api), "test-client-" + id);
      client.setDaemon(true);
      client.start();
      launched.add(id);
      return Instance.of(id);
    }

    @Override
    public OptionalInt exitCode(Instance instance) {
      Integer status = exits.get(instance.id());
      return status == null ? OptionalInt.empty() : OptionalInt.of(status);
    }

    @Override
    public void terminate(Instance instance) {
      exits.putIfAbsent(instance.id(), 137);
      terminated.add(instance.id());
    }

    @Override
    public String logs(Instance instance, Instant since) {
      return "";
    }

    @Override
    public int sweepOrphans() {
      return 0;
    }

    @Override
    public void prepull(String image) {}

    @Override
    public void close() {}
  }

  private void serve(String id, String api) {
    try {
      while (!exits.containsKey(id)) {
        HttpResponse<String> next =
            http.send(
                HttpRequest.newBuilder(URI.create(api + "/invocation/next")).build(),
                HttpResponse.BodyHandlers.ofString());
        String requestId = next.headers().firstValue("Lambda-Runtime-Aws-Request-Id").orElseThrow();
        String invocation = api + "/invocation/" + requestId;
        switch (next.body()) {
          case "\"data\"" ->
              post(invocation + "/response", "{\"errorMessage\":\"just data\"}", null);
          case "\"handled\"" ->
              post(
                  invocation + "/error",
                  "{\"errorMessage\":\"no\",\"errorType\":\"E\"}",
                  "Handled");
          case "\"hang\"" -> {
            while (!exits.containsKey(id)) {
              Thread.sleep(20);
            }
          }
          case "\"exit\"" -> exits.put(id, 9);
          case "\"die\"" -> {
            post(invocation + "/response", "\"bye\"", null);
            exits.put(id, 0);
          }
          case "\"stream\"" -> postStreamed(invocation + "/response", "streamed answer");
          default -> post(invocation + "/response", next.body(), null);
        }
      }
    } catch (IOException e) {
      // the port closed: the instance was retired
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Posts with a body of unknown length, which the JDK's client sends chunked. */
  private void postStreamed(String uri, String body) throws IOException, InterruptedException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    http.send(
        HttpRequest.newBuilder(URI.create(uri))
            .header("Lambda-Runtime-Function-Response-Mode", "streaming")
            .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(bytes)))
            .build(),
        HttpResponse.BodyHandlers.discarding());
  }

  private void post(String uri, String body, String errorType)
      throws IOException, InterruptedException {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create(uri))
            .POST(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8));
    if (errorType != null) {
      request.header("Lambda-Runtime-Function-Error-Type", errorType);
    }
    http.send(request.build(), HttpResponse.BodyHandlers.discarding());
  }
}
