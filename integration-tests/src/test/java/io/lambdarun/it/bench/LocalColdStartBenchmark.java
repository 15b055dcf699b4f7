package io.lambdarun.it.bench;

import static java.nio.charset.StandardCharsets.UTF_8;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.lambdarun.core.LambdaRuntime;
import io.lambdarun.core.model.InvocationResult;
import io.lambdarun.it.bench.Bench.Report;
import io.lambdarun.it.bench.Bench.Stats;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Figure 5: {@code invoke} on a cold function of the local backend until the response, against the
 * floor of starting the same interpreter with the same runtime client (the backend's own {@code
 * lambdarun_runtime.py}) against a minimal in-JVM Runtime API and answering one event.
 */
final class LocalColdStartBenchmark {

  static final byte[] EVENT = "{\"name\":\"world\"}".getBytes(UTF_8);
  static final String ANSWER = "{\"message\": \"Hello, world!\"}";

  private LocalColdStartBenchmark() {}

  static void run(Report report) throws Exception {
    int warmup = Bench.setting("warmup", 3);
    int rounds = Bench.setting("local.rounds", 30);
    Path runtimeDir = installClient();
    Path client = runtimeDir.resolve("lambdarun_runtime.py");
    String python = interpreter();
    MiniRuntimeApi api = new MiniRuntimeApi();
    Bench.TapProvider tap = new Bench.TapProvider("local");
    List<Long> floor = new ArrayList<>();
    List<Long> subject = new ArrayList<>();
    List<Double> ratios = new ArrayList<>();
    List<Long> launchPhase = new ArrayList<>();
    try (LambdaRuntime runtime =
        LambdaRuntime.builder().addProvider(tap).backend(tap.backendName()).build()) {
      for (int i = 0; i < warmup + rounds; i++) {
        long a;
        long b;
        if (i % 2 == 0) {
          a = floorOnce(api, python, client, runtimeDir);
          b = subjectOnce(runtime, "bench-local-cold-" + i);
        } else {
          b = subjectOnce(runtime, "bench-local-cold-" + i);
          a = floorOnce(api, python, client, runtimeDir);
        }
        if (i >= warmup) {
          launchPhase.add(tap.lastLaunchNanos);
          floor.add(a);
          subject.add(b);
          ratios.add((double) b / a);
        } else {
          System.out.printf("  warmup %d: floor %.1f ms, lambdarun %.1f ms%n", i, a / 1e6, b / 1e6);
        }
      }
    } finally {
      api.close();
    }
    Stats f = Stats.ofNanos(floor);
    Stats s = Stats.ofNanos(subject);
    Stats r = Stats.of(ratios.stream().mapToDouble(Double::doubleValue).toArray());
    double ratio = s.median() / f.median();
    report.row(
        "cold invoke until response (ms), " + rounds + " pairs",
        f.mmm(),
        s.mmm(),
        Bench.fmt(ratio) + " (pairwise " + r.mmm() + ")",
        "median <= 1.2",
        ratio <= 1.2);
    report.note(
        "median of the backend's launch() inside lambdarun's cold invoke: "
            + Bench.fmt(Stats.ofNanos(launchPhase).median())
            + " ms (starting the process; since the"
            + " Runtime API moved to core, core then waits for the runtime client's first /next);"
            + " the rest is that wait, core, the event and the answer");
    report.note(
        "floor: ProcessBuilder starts `<python3's sys.executable> -u lambdarun_runtime.py` (the backend's own"
            + " runtime client) with _HANDLER, LAMBDA_TASK_ROOT=examples/hello-python, PYTHONPATH and"
            + " AWS_LAMBDA_RUNTIME_API pointing at a minimal JDK HttpServer Runtime API on 127.0.0.1"
            + " that hands out the event; timed until the response is posted back. lambdarun:"
            + " LambdaRuntime.invoke on a new function (backend local), evicted between rounds outside"
            + " the timing; rounds alternate floor-first / lambdarun-first");
  }

  private static long subjectOnce(LambdaRuntime runtime, String name) {
    long start = System.nanoTime();
    InvocationResult result = runtime.invoke(Bench.hello(name), EVENT);
    long elapsed = System.nanoTime() - start;
    if (!ANSWER.equals(result.payloadUtf8()) || !result.coldStart()) {
      throw new IllegalStateException("lambdarun answered '" + result.payloadUtf8() + "'");
    }
    runtime.evict(name);
    return elapsed;
  }

  /** A temporary folder holding the backend's own runtime client, {@code lambdarun_runtime.py}. */
  static Path installClient() throws IOException {
    Path runtimeDir = Bench.tempDir("lambdarun-bench-client");
    try (InputStream in =
        LocalColdStartBenchmark.class.getResourceAsStream(
            "/io/lambdarun/local/lambdarun_runtime.py")) {
      Files.copy(
          in, runtimeDir.resolve("lambdarun_runtime.py"), StandardCopyOption.REPLACE_EXISTING);
    }
    return runtimeDir;
  }

  /** The interpreter python3 resolves to (sys.executable), as the backend runs it: no shims. */
  static String interpreter() throws Exception {
    Process probe =
        new ProcessBuilder("python3", "-c", "import sys; print(sys.executable)")
            .redirectErrorStream(true)
            .start();
    String path = new String(probe.getInputStream().readAllBytes(), UTF_8).strip();
    if (!probe.waitFor(30, TimeUnit.SECONDS) || probe.exitValue() != 0) {
      throw new IllegalStateException("python3 failed: " + path);
    }
    return path;
  }

  static long floorOnce(MiniRuntimeApi api, String python, Path client, Path runtimeDir)
      throws Exception {
    Path task = Bench.ROOT.resolve("examples/hello-python");
    CompletableFuture<String> answer = api.arm(EVENT);
    long start = System.nanoTime();
    ProcessBuilder builder =
        new ProcessBuilder(python, "-u", client.toString())
            .directory(task.toFile())
            .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
            .redirectOutput(ProcessBuilder.Redirect.DISCARD)
            .redirectErrorStream(true);
    Map<String, String> env = builder.environment();
    env.clear();
    env.put("PATH", System.getenv().getOrDefault("PATH", "/usr/bin:/bin"));
    env.put("AWS_LAMBDA_RUNTIME_API", "127.0.0.1:" + api.port());
    env.put("_HANDLER", "app.handler");
    env.put("LAMBDA_TASK_ROOT", task.toString());
    env.put("LAMBDA_RUNTIME_DIR", runtimeDir.toString());
    env.put("PYTHONPATH", task + ":" + runtimeDir);
    env.put("AWS_LAMBDA_FUNCTION_NAME", "bench-floor");
    Process process = builder.start();
    try {
      String body = answer.get(30, TimeUnit.SECONDS);
      long elapsed = System.nanoTime() - start;
      if (!ANSWER.equals(body)) {
        throw new IllegalStateException("floor answered '" + body + "'");
      }
      return elapsed;
    } finally {
      process.destroyForcibly();
      process.waitFor(10, TimeUnit.SECONDS);
      api.release();
    }
  }

  /** A one-event Runtime API: hands the armed event to the first /next, holds later ones. */
  static final class MiniRuntimeApi implements AutoCloseable {
    private final HttpServer server;
    private final AtomicReference<byte[]> event = new AtomicReference<>();
    private volatile CompletableFuture<String> answer = new CompletableFuture<>();
    private final ConcurrentLinkedQueue<HttpExchange> held = new ConcurrentLinkedQueue<>();

    MiniRuntimeApi() throws IOException {
      server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 64);
      server.createContext("/2018-06-01/runtime/", this::handle);
      server.start();
    }

    int port() {
      return server.getAddress().getPort();
    }

    CompletableFuture<String> arm(byte[] payload) {
      answer = new CompletableFuture<>();
      event.set(payload);
      return answer;
    }

    void release() {
      HttpExchange exchange;
      while ((exchange = held.poll()) != null) {
        exchange.close();
      }
    }

    private void handle(HttpExchange exchange) throws IOException {
      String path = exchange.getRequestURI().getPath();
      byte[] request = exchange.getRequestBody().readAllBytes();
      if (path.endsWith("/invocation/next")) {
        byte[] payload = event.getAndSet(null);
        if (payload == null) {
          held.add(exchange); // the next event never comes; released when the round ends
          return;
        }
        exchange.getResponseHeaders().add("Lambda-Runtime-Aws-Request-Id", "bench-request");
        exchange
            .getResponseHeaders()
            .add("Lambda-Runtime-Deadline-Ms", Long.toString(System.currentTimeMillis() + 30_000));
        exchange
            .getResponseHeaders()
            .add(
                "Lambda-Runtime-Invoked-Function-Arn",
                "arn:aws:lambda:us-east-1:000000000000:function:bench-floor");
        exchange.getResponseHeaders().add("Content-Type", "application/json");
        send(exchange, 200, payload);
      } else if (path.endsWith("/response")) {
        send(exchange, 202, "{\"status\":\"OK\"}".getBytes(UTF_8));
        answer.complete(new String(request, UTF_8));
      } else {
        send(exchange, 202, "{\"status\":\"OK\"}".getBytes(UTF_8));
        answer.complete("error at " + path + ": " + new String(request, UTF_8));
      }
    }

    private static void send(HttpExchange exchange, int status, byte[] body) throws IOException {
      exchange.sendResponseHeaders(status, body.length);
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(body);
      }
    }

    @Override
    public void close() {
      release();
      server.stop(0);
    }
  }
}
