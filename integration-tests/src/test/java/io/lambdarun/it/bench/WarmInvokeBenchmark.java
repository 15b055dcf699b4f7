package io.lambdarun.it.bench;

import io.lambdarun.api.Instance;
import io.lambdarun.api.LaunchSpec;
import io.lambdarun.core.LambdaRuntime;
import io.lambdarun.core.model.InvocationResult;
import io.lambdarun.core.model.InvokeOptions;
import io.lambdarun.core.model.LambdaFunction;
import io.lambdarun.core.pool.HttpPath;
import io.lambdarun.core.runtimeapi.RuntimeApiAnswer;
import io.lambdarun.core.runtimeapi.RuntimeApiHost;
import io.lambdarun.core.runtimeapi.RuntimeApiInstance;
import io.lambdarun.core.telemetry.LambdaRuntimeListener;
import io.lambdarun.it.bench.Bench.Report;
import io.lambdarun.it.bench.Bench.Stats;
import io.lambdarun.micrometer.LambdaMetrics;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.UUID;

/**
 * Figure 2: {@code invoke} on a warm instance against the leanest raw round trip of the same
 * payload, for 1 KB and 256 KB events, in each instance mode. RIE-endpoint mode ({@code
 * docker-rie}): a keep-alive HTTP POST to the same instance endpoint (taken from the launch the
 * backend returned), the whole request prepared once, written with one call on a kept-alive socket
 * with TCP_NODELAY, the answer read by Content-Length; reference arms: the JDK's {@code
 * java.net.http.HttpClient} (a typical embedder's raw POST) and core's own {@code HttpInvoker.post}
 * alone. Runtime API mode ({@code docker}, {@code local}, {@code local-java}): the event handed to
 * the parked {@code /next} of a {@link RawRuntimeApi} on a second instance of the same spec;
 * reference arms: core's {@link RuntimeApiHost} alone on a third, and the backend's {@code
 * exitCode} alone. The arms run in the same rounds, in random order, so a gap can be placed.
 */
final class WarmInvokeBenchmark {

  private WarmInvokeBenchmark() {}

  static void run(Report report) throws Exception {
    String backends = System.getProperty("bench.backends", "docker-rie,docker,local");
    for (String backend : backends.split(",")) {
      String arm = backend.trim();
      if (Bench.modeOf(arm).startsWith("RIE")) {
        runOn(report, arm);
      } else {
        runOnRuntimeApi(report, arm);
      }
    }
    report.note(
        "RIE-endpoint mode (docker-rie: lambdarun.docker.instance-protocol=rie, default"
            + " bridge, port published on 127.0.0.1): floor = a kept-alive java.net.Socket"
            + " (TCP_NODELAY) to Instance.invocationUri() of the warm instance, the request (head and"
            + " body) prepared once and written in one call, the answer read by Content-Length;"
            + " reference arms: the JDK HttpClient (HTTP/1.1, keep-alive) POSTing the same bytes, and"
            + " core's HttpInvoker.post alone");
    report.note(
        "Runtime API mode (docker: the default protocol with lambdarun.docker.network=host;"
            + " local; local-java): floor = a second instance of the same function launched by the"
            + " same backend from the spec core used, whose runtime client calls a raw Runtime API in"
            + " the harness (RawRuntimeApi: a ServerSocket on 127.0.0.1 driven by the timing thread);"
            + " timed from writing the event to the parked /next (head and body prepared before the"
            + " clock, one write) until the /response body has arrived; reference arm: core's"
            + " RuntimeApiHost alone (RuntimeApiInstance.invoke on a third instance: no pool, no"
            + " FunctionInvoker)");
    report.note(
        "lambdarun: LambdaRuntime.invoke of the same function (handler bench.echo returns"
            + " {\"size\": n}; on local-java a java21 function, io.lambdarun.it.bench.JavaEcho,"
            + " returns {\"size\":n}); the arms run in a fresh random order every round (seeded),"
            + " after a warm-up");
  }

  /** One arm of the figure: a timed round trip, in nanoseconds. */
  interface Arm {
    long time(byte[] payload, String expected) throws Exception;
  }

  /**
   * Runtime API mode: lambdarun against the raw Runtime API floor and core's RuntimeApiHost alone,
   * on three instances of the same function.
   */
  private static void runOnRuntimeApi(Report report, String backend) throws Exception {
    boolean javaArm = backend.equals("local-java");
    Bench.TapProvider tap = new Bench.TapProvider(Bench.backendOf(backend));
    try (LambdaRuntime runtime = Bench.runtime(tap, backend).maxInstancesPerFunction(1).build();
        LambdaRuntime observed = observed(backend);
        RuntimeApiHost host = RuntimeApiHost.start("bench-host")) {
      LambdaFunction fn =
          javaArm
              ? Bench.javaEchoFunction("bench-warm")
              : Bench.benchFunction("bench-warm", "echo");
      runtime.invoke(fn, Bench.payload(16));
      observed.invoke(fn, Bench.payload(16));
      LaunchSpec spec = tap.specs.get(0);
      if (!spec.usesRuntimeApi()) {
        throw new IllegalStateException(
            "backend '"
                + backend
                + "' launched the function in"
                + " RIE-endpoint mode; this arm measures Runtime API mode");
      }
      Duration init = Duration.ofSeconds(60);
      try (RawRuntimeApi raw = RawRuntimeApi.launch(tap.backend, spec, init);
          RuntimeApiInstance alone = host.launch(tap.backend, spec, init)) {
        try {
          Arm floor = (payload, expected) -> raw.time(raw.event(payload), expected);
          Arm subject = (payload, expected) -> timeInvoke(runtime, fn, payload, expected);
          Arm hostAlone = (payload, expected) -> timeHost(alone, payload, expected);
          Arm withTelemetry = (payload, expected) -> timeInvoke(observed, fn, payload, expected);
          Instance instance = tap.launched.get(0);
          Arm exitCheck =
              (payload, expected) -> {
                long start = System.nanoTime();
                tap.backend.exitCode(instance);
                return System.nanoTime() - start;
              };
          measure(
              report,
              tap,
              Bench.describe(backend),
              javaArm,
              floor,
              subject,
              List.of(
                  new Reference(
                      "reference, core's RuntimeApiHost alone (RuntimeApiInstance"
                          + ".invoke, no pool, no FunctionInvoker)",
                      hostAlone),
                  new Reference(
                      "diagnosis, the backend's exitCode(instance) alone, which"
                          + " RuntimeApiInstance.invoke asks before an event only when the"
                          + " runtime client's connection is closed or missing",
                      exitCheck),
                  new Reference(
                      "reference, invoke with a LogSink, a listener and"
                          + " runtime-micrometer's LambdaMetrics registered (its own warm instance)",
                      withTelemetry)));
        } finally {
          tap.backend.terminate(alone.instance());
        }
      }
    }
  }

  /**
   * A second runtime on the same backend that feeds a log sink, a listener and Micrometer, as an
   * embedder forwarding logs and metrics does (issue 16); the sink and the listener do nothing.
   */
  private static LambdaRuntime observed(String backend) {
    return Bench.runtime(new Bench.TapProvider(Bench.backendOf(backend)), backend)
        .maxInstancesPerFunction(1)
        .addLogSink(record -> {})
        .addListener(new LambdaRuntimeListener() {})
        .addListener(new LambdaMetrics(new SimpleMeterRegistry()))
        .build();
  }

  private static long timeHost(RuntimeApiInstance alone, byte[] payload, String expected) {
    String requestId = UUID.randomUUID().toString();
    long start = System.nanoTime();
    RuntimeApiAnswer answer = alone.invoke(requestId, payload, InvokeOptions.DEFAULT);
    long elapsed = System.nanoTime() - start;
    if (answer.outcome() != RuntimeApiAnswer.Outcome.SUCCESS
        || !expected.equals(answer.bodyText())) {
      throw new IllegalStateException(
          "RuntimeApiHost answered " + answer.outcome() + " '" + answer.bodyText() + "'");
    }
    return elapsed;
  }

  /** A reference arm: reported, not judged. */
  record Reference(String label, Arm arm) {}

  /**
   * Runs floor, subject and references in a fresh random order every round, for 1 KB and 256 KB,
   * and reports the subject against the floor.
   */
  private static void measure(
      Report report,
      Bench.TapProvider tap,
      String backend,
      boolean javaArm,
      Arm floorArm,
      Arm subjectArm,
      List<Reference> references)
      throws Exception {
    for (int size : new int[] {1024, 256 * 1024}) {
      boolean small = size == 1024;
      int warmup = Bench.setting("warm.warmup", small ? 300 : 100);
      int n = Bench.setting(small ? "warm.n1k" : "warm.n256k", small ? 2000 : 600);
      byte[] payload = Bench.payload(size);
      String expected = (javaArm ? "{\"size\":" : "{\"size\": ") + (size - 11) + "}";
      int arms = 2 + references.size();
      List<List<Long>> samples = new ArrayList<>();
      for (int k = 0; k < arms; k++) {
        samples.add(new ArrayList<>(n));
      }
      List<Integer> order = new ArrayList<>();
      for (int k = 0; k < arms; k++) {
        order.add(k);
      }
      java.util.Random shuffle = new java.util.Random(42);
      long[] round = new long[arms];
      for (int i = 0; i < warmup + n; i++) {
        // a fresh random order every round: each arm follows every other arm equally often,
        // so none inherits a systematically shorter or longer pause of the machine
        java.util.Collections.shuffle(order, shuffle);
        for (int k : order) {
          Arm arm = k == 0 ? floorArm : k == 1 ? subjectArm : references.get(k - 2).arm();
          round[k] = arm.time(payload, expected);
        }
        if (i >= warmup) {
          for (int k = 0; k < arms; k++) {
            samples.get(k).add(round[k]);
          }
        }
      }
      if (tap.launches.get() != 1) {
        throw new IllegalStateException(
            "the function was launched "
                + tap.launches.get()
                + " times; the figure needs one warm instance");
      }
      Stats f = Stats.ofNanos(samples.get(0));
      Stats s = Stats.ofNanos(samples.get(1));
      double median = s.median() / f.median();
      double p99 = s.p99() / f.p99();
      String label = backend + ", " + (small ? "1 KB" : "256 KB") + ", " + n + " rounds";
      report.row(
          label + ": median (ms)", f.mmm(), s.mmm(), Bench.fmt(median), "<= 1.05", median <= 1.05);
      report.row(
          label + ": p99 (ms)",
          Bench.fmt(f.p99()),
          Bench.fmt(s.p99()),
          Bench.fmt(p99),
          "<= 1.3",
          p99 <= 1.3);
      for (int k = 0; k < references.size(); k++) {
        Stats r = Stats.ofNanos(samples.get(k + 2));
        report.reference(
            label + ": " + references.get(k).label(),
            f.mmm(),
            r.mmm(),
            Bench.fmt(r.median() / f.median()) + ", p99 " + Bench.fmt(r.p99() / f.p99()));
      }
    }
  }

  /** RIE-endpoint mode (docker-rie): lambdarun against the raw keep-alive POST to the endpoint. */
  private static void runOn(Report report, String backend) throws Exception {
    Bench.TapProvider tap = new Bench.TapProvider(Bench.backendOf(backend));
    try (LambdaRuntime runtime = Bench.runtime(tap, backend).maxInstancesPerFunction(1).build()) {
      LambdaFunction fn = Bench.benchFunction("bench-warm", "echo");
      runtime.invoke(fn, Bench.payload(16));
      Instance instance = tap.launched.get(0);
      boolean diagnose = Boolean.parseBoolean(System.getProperty("bench.warm.diagnose", "true"));
      HttpClient jdk =
          HttpClient.newBuilder()
              .version(HttpClient.Version.HTTP_1_1)
              .connectTimeout(Duration.ofMillis(1500))
              .build();
      // core's HTTP path alone (core's internal HttpPath: HttpInvoker.post on its own connection)
      try (RawPost raw = new RawPost(instance.invocationUri());
          HttpPath core = diagnose ? new HttpPath(instance) : null) {
        Arm floor = (payload, expected) -> raw.time(raw.request(payload), expected);
        Arm subject = (payload, expected) -> timeInvoke(runtime, fn, payload, expected);
        List<Reference> references = new ArrayList<>();
        references.add(
            new Reference(
                "reference, JDK HttpClient POST",
                (payload, expected) ->
                    timeJdk(
                        jdk,
                        HttpRequest.newBuilder(instance.invocationUri())
                            .timeout(Duration.ofSeconds(30))
                            .POST(HttpRequest.BodyPublishers.ofByteArray(payload))
                            .build(),
                        expected)));
        if (core != null) {
          references.add(
              new Reference(
                  "diagnosis, core's HttpInvoker.post alone on its own"
                      + " connection (no pool, no FunctionInvoker)",
                  (payload, expected) -> timePost(core, payload, expected)));
        }
        measure(report, tap, Bench.describe(backend), false, floor, subject, references);
      }
    }
  }

  /** The leanest keep-alive POST: one socket, the request written in one call. */
  static final class RawPost implements AutoCloseable {
    private final URI uri;
    private Socket socket;
    private OutputStream out;
    private InputStream in;

    RawPost(URI uri) {
      this.uri = uri;
    }

    byte[] request(byte[] body) {
      String head =
          "POST "
              + uri.getRawPath()
              + " HTTP/1.1\r\nHost: "
              + uri.getHost()
              + ":"
              + uri.getPort()
              + "\r\nContent-Type: application/json\r\nContent-Length: "
              + body.length
              + "\r\n\r\n";
      byte[] headBytes = head.getBytes(StandardCharsets.US_ASCII);
      byte[] request = new byte[headBytes.length + body.length];
      System.arraycopy(headBytes, 0, request, 0, headBytes.length);
      System.arraycopy(body, 0, request, headBytes.length, body.length);
      return request;
    }

    long time(byte[] request, String expected) throws IOException {
      long start = System.nanoTime();
      if (socket == null) {
        socket = new Socket();
        socket.setTcpNoDelay(true);
        socket.connect(new InetSocketAddress(uri.getHost(), uri.getPort()), 1500);
        socket.setSoTimeout(30_000);
        out = socket.getOutputStream();
        in = new BufferedInputStream(socket.getInputStream(), 8192);
      }
      out.write(request);
      out.flush();
      int status = -1;
      int length = -1;
      boolean close = false;
      String line;
      while (!(line = readLine(in)).isEmpty()) {
        if (status < 0) {
          status = Integer.parseInt(line.split(" ", 3)[1]);
        } else {
          String lower = line.toLowerCase(Locale.ROOT);
          if (lower.startsWith("content-length:")) {
            length = Integer.parseInt(line.substring(15).trim());
          } else if (lower.startsWith("connection:") && lower.contains("close")) {
            close = true;
          }
        }
      }
      byte[] body = in.readNBytes(length);
      long elapsed = System.nanoTime() - start;
      if (close || length < 0) {
        close();
      }
      String text = new String(body, StandardCharsets.UTF_8);
      if (status != 200 || !expected.equals(text)) {
        throw new IllegalStateException("raw POST answered " + status + " '" + text + "'");
      }
      return elapsed;
    }

    private static String readLine(InputStream in) throws IOException {
      ByteArrayOutputStream line = new ByteArrayOutputStream(64);
      int c;
      while ((c = in.read()) != '\n') {
        if (c < 0) {
          throw new IOException("connection closed in the answer's head");
        }
        if (c != '\r') {
          line.write(c);
        }
      }
      return line.toString(StandardCharsets.US_ASCII);
    }

    @Override
    public void close() throws IOException {
      if (socket != null) {
        socket.close();
        socket = null;
      }
    }
  }

  private static long timeInvoke(
      LambdaRuntime runtime, LambdaFunction fn, byte[] payload, String expected) {
    long start = System.nanoTime();
    InvocationResult result = runtime.invoke(fn, payload);
    long elapsed = System.nanoTime() - start;
    if (!expected.equals(result.payloadUtf8())) {
      throw new IllegalStateException("lambdarun answered '" + result.payloadUtf8() + "'");
    }
    return elapsed;
  }

  private static long timePost(HttpPath core, byte[] payload, String expected) throws Exception {
    long start = System.nanoTime();
    HttpPath.Answer response =
        core.post(
            payload, UUID.randomUUID().toString(), InvokeOptions.DEFAULT, Duration.ofSeconds(65));
    long elapsed = System.nanoTime() - start;
    String body = new String(response.body(), StandardCharsets.UTF_8);
    if (response.statusCode() != 200 || !expected.equals(body)) {
      throw new IllegalStateException(
          "HttpInvoker.post answered " + response.statusCode() + " '" + body + "'");
    }
    return elapsed;
  }

  private static long timeJdk(HttpClient jdk, HttpRequest request, String expected)
      throws Exception {
    long start = System.nanoTime();
    HttpResponse<byte[]> response = jdk.send(request, HttpResponse.BodyHandlers.ofByteArray());
    long elapsed = System.nanoTime() - start;
    String body = new String(response.body(), StandardCharsets.UTF_8);
    if (response.statusCode() != 200 || !expected.equals(body)) {
      throw new IllegalStateException(
          "JDK POST answered " + response.statusCode() + " '" + body + "'");
    }
    return elapsed;
  }
}
