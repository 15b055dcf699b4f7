package io.lambdarun.core.testing;

import io.lambdarun.api.Availability;
import io.lambdarun.api.ContainerRuntime;
import io.lambdarun.api.ContainerRuntimeProvider;
import io.lambdarun.api.HostAccess;
import io.lambdarun.api.Instance;
import io.lambdarun.api.LaunchSpec;
import io.lambdarun.api.LogLine;
import io.lambdarun.api.LogLineListener;
import io.lambdarun.api.Owner;
import io.lambdarun.api.RuntimeApiAccess;
import io.lambdarun.api.RuntimeConfig;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;

/**
 * An in-test backend in Runtime API mode whose instances are threads acting as runtime clients that
 * write to their output. Each instance writes {@code init <id>} while starting. The event, a JSON
 * string, says what the client does: {@code "log:<tag>:<n>"} writes {@code <tag> line <i>} for i =
 * 1..n, 2 ms apart, then answers the event; {@code "alloc:<mib>"} raises the instance's peak memory
 * to that many MiB; {@code "raw:<text>"} writes the text as one line ({@code '} as {@code "});
 * {@code "late:<text>"} answers, then writes the text 5 ms later; {@code "hang"} never answers;
 * {@code "exit"} dies with status 9 under the event; {@code "handled"} posts a Handled error;
 * anything else is echoed.
 *
 * <p>When {@code streams} is true the backend streams each instance's lines through {@link
 * ContainerRuntime#followLogs} (delivering the lines written before the call first); otherwise it
 * keeps them for {@link ContainerRuntime#logs}, as a backend written before streaming does.
 */
public final class LoggingBackend implements ContainerRuntimeProvider {

  /** The instances launched, in order. */
  public final List<String> launched = new CopyOnWriteArrayList<>();

  /** How often core asked for an instance's peak memory. */
  public final AtomicInteger memoryQuestions = new AtomicInteger();

  private final boolean streams;
  private final Map<String, Output> outputs = new ConcurrentHashMap<>();
  private final Map<String, Integer> exits = new ConcurrentHashMap<>();
  private final Map<String, Long> peaks = new ConcurrentHashMap<>();
  private final AtomicInteger ids = new AtomicInteger();
  private final HttpClient http = HttpClient.newHttpClient();

  /**
   * Creates the backend.
   *
   * @param streams whether it streams its instances' output
   */
  public LoggingBackend(boolean streams) {
    this.streams = streams;
  }

  @Override
  public String name() {
    return "logging-fake";
  }

  @Override
  public Availability availability(RuntimeConfig config) {
    return Availability.available("in-test backend");
  }

  @Override
  public ContainerRuntime create(RuntimeConfig config, Owner owner) {
    return new Runtime();
  }

  /** One instance's output: kept lines and, once followed, the listener they stream to. */
  private static final class Output {
    private final List<LogLine> lines = new ArrayList<>();
    private LogLineListener listener;

    synchronized void write(String text) {
      LogLine line = new LogLine(Instant.now(), text);
      if (listener != null) {
        listener.onLine(line);
      } else {
        lines.add(line);
      }
    }

    synchronized void follow(LogLineListener value) {
      lines.forEach(value::onLine);
      lines.clear();
      listener = value;
    }

    synchronized String since(Instant since) {
      return lines.stream()
          .filter(line -> !line.timestamp().isBefore(since))
          .map(line -> line.text() + "\n")
          .collect(Collectors.joining());
    }
  }

  private final class Runtime implements ContainerRuntime {
    @Override
    public String name() {
      return LoggingBackend.this.name();
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
      String id = "logging-" + ids.incrementAndGet();
      Output output = new Output();
      outputs.put(id, output);
      peaks.put(id, 41L << 20);
      output.write("init " + id);
      String api =
          "http://" + spec.environment().get("AWS_LAMBDA_RUNTIME_API") + "/2018-06-01/runtime";
      Thread client = new Thread(() -> serve(id, output, api), "logging-client-" + id);
      client.setDaemon(true);
      client.start();
      launched.add(id);
      return Instance.of(id);
    }

    @Override
    public boolean followLogs(Instance instance, LogLineListener listener) {
      if (streams) {
        outputs.get(instance.id()).follow(listener);
      }
      return streams;
    }

    @Override
    public OptionalLong maxMemoryUsedBytes(Instance instance) {
      memoryQuestions.incrementAndGet();
      Long peak = peaks.get(instance.id());
      return peak == null ? OptionalLong.empty() : OptionalLong.of(peak);
    }

    @Override
    public OptionalInt exitCode(Instance instance) {
      Integer status = exits.get(instance.id());
      return status == null ? OptionalInt.empty() : OptionalInt.of(status);
    }

    @Override
    public void terminate(Instance instance) {
      exits.putIfAbsent(instance.id(), 137);
    }

    @Override
    public String logs(Instance instance, Instant since) {
      Output output = outputs.get(instance.id());
      return output == null ? "" : output.since(since);
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

  private void serve(String id, Output output, String api) {
    try {
      while (!exits.containsKey(id)) {
        HttpResponse<String> next =
            http.send(
                HttpRequest.newBuilder(URI.create(api + "/invocation/next")).build(),
                HttpResponse.BodyHandlers.ofString());
        String requestId = next.headers().firstValue("Lambda-Runtime-Aws-Request-Id").orElseThrow();
        String invocation = api + "/invocation/" + requestId;
        String event = next.body().replace("\"", "");
        if (event.startsWith("log:")) {
          String[] parts = event.split(":");
          for (int i = 1; i <= Integer.parseInt(parts[2]); i++) {
            output.write(parts[1] + " line " + i);
            Thread.sleep(2);
          }
          post(invocation + "/response", next.body(), null);
        } else if (event.startsWith("alloc:")) {
          peaks.put(id, Long.parseLong(event.substring(6)) << 20);
          post(invocation + "/response", next.body(), null);
        } else if (event.startsWith("late:")) {
          post(invocation + "/response", "null", null);
          Thread.sleep(5);
          output.write(event.substring(5));
        } else if (event.startsWith("raw:")) {
          output.write(event.substring(4).replace('\'', '"'));
          post(invocation + "/response", "null", null);
        } else if (event.equals("hang")) {
          while (!exits.containsKey(id)) {
            Thread.sleep(20);
          }
        } else if (event.equals("exit")) {
          output.write("about to exit");
          exits.put(id, 9);
        } else if (event.equals("handled")) {
          post(invocation + "/error", "{\"errorMessage\":\"no\",\"errorType\":\"E\"}", "Handled");
        } else {
          post(invocation + "/response", next.body(), null);
        }
      }
    } catch (IOException e) {
      // the port closed: the instance was retired
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
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
