package io.lambdarun.it.bench;

import io.lambdarun.api.Instance;
import io.lambdarun.core.InvocationResult;
import io.lambdarun.core.LambdaFunction;
import io.lambdarun.core.LambdaRuntime;
import io.lambdarun.core.pool.HttpInvoker;
import io.lambdarun.it.bench.Bench.Report;
import io.lambdarun.it.bench.Bench.Stats;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * Figure 2: {@code invoke} on a warm instance against a raw keep-alive HTTP POST of the same
 * payload to the same instance endpoint (taken from the launch the backend returned), for 1 KB and
 * 256 KB events. Calls alternate subject/raw, raw/subject, so both see the same machine state.
 */
final class WarmInvokeBenchmark {

  private WarmInvokeBenchmark() {}

  static void run(Report report) throws Exception {
    String backends = System.getProperty("bench.backends", "docker,local");
    for (String backend : backends.split(",")) {
      runOn(report, backend.trim(), Bench.PYTHON_IMAGE);
    }
    report.note("raw: one java.net.http.HttpClient (HTTP/1.1, keep-alive) POSTing the same bytes"
        + " to Instance.invocationUri() of the warm instance; lambdarun: LambdaRuntime.invoke of"
        + " the same function (handler bench.echo returns {\"size\": n}); calls alternate"
        + " position after a warm-up (with the diagnosis arm: lambdarun, raw, HttpInvoker.post in"
        + " rotation)");
  }

  private static void runOn(Report report, String backend, String image) throws Exception {
    Bench.TapProvider tap = new Bench.TapProvider(backend);
    try (LambdaRuntime runtime =
        LambdaRuntime.builder()
            .addProvider(tap)
            .backend(tap.backendName())
            .imageMappings("python3.12=" + image)
            .maxInstancesPerFunction(1)
            .build()) {
      LambdaFunction fn = Bench.benchFunction("bench-warm", "echo");
      runtime.invoke(fn, Bench.payload(16));
      Instance instance = tap.launched.get(0);
      // core's HTTP path alone, looked up reflectively: HttpInvoker is core's internal class and
      // its signature may change; without a matching method the diagnosis arm is left out
      java.lang.reflect.Method postMethod = diagnosisMethod();
      boolean diagnose = postMethod != null
          && Boolean.parseBoolean(System.getProperty("bench.warm.diagnose", "true"));
      Object core = diagnose ? new HttpInvoker() : null;
      HttpClient raw = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofMillis(1500)).build();
      for (int size : new int[] {1024, 256 * 1024}) {
        boolean small = size == 1024;
        int warmup = Bench.setting("warm.warmup", small ? 300 : 100);
        int n = Bench.setting(small ? "warm.n1k" : "warm.n256k", small ? 2000 : 600);
        byte[] payload = Bench.payload(size);
        String expected = "{\"size\": " + (size - 11) + "}";
        HttpRequest request =
            HttpRequest.newBuilder(instance.invocationUri()).timeout(Duration.ofSeconds(30))
                .POST(HttpRequest.BodyPublishers.ofByteArray(payload)).build();
        List<Long> floor = new ArrayList<>(n);
        List<Long> subject = new ArrayList<>(n);
        List<Long> postOnly = new ArrayList<>(n);
        for (int i = 0; i < warmup + n; i++) {
          // three arms, each position in turn: lambdarun, raw, and (diagnosis) core's
          // HttpInvoker.post alone, i.e. lambdarun's HTTP path without the pool and the probe
          long a = 0;
          long b = 0;
          long c = 0;
          for (int k = 0; k < 3; k++) {
            switch ((i + k) % 3) {
              case 0 -> b = timeInvoke(runtime, fn, payload, expected);
              case 1 -> a = timeRaw(raw, request, expected);
              default -> c = diagnose ? timePost(postMethod, core, instance, payload, expected) : 0;
            }
          }
          if (i >= warmup) {
            floor.add(a);
            subject.add(b);
            postOnly.add(c);
          }
        }
        if (tap.launches.get() != 1) {
          throw new IllegalStateException("the function was launched " + tap.launches.get()
              + " times; the figure needs one warm instance");
        }
        Stats f = Stats.ofNanos(floor);
        Stats s = Stats.ofNanos(subject);
        double median = s.median() / f.median();
        double p99 = s.p99() / f.p99();
        String label = backend + ", " + (small ? "1 KB" : "256 KB") + ", " + n + " pairs";
        report.row(label + ": median (ms)", f.mmm(), s.mmm(), Bench.fmt(median), "<= 1.10",
            median <= 1.10);
        report.row(label + ": p99 (ms)", Bench.fmt(f.p99()), Bench.fmt(s.p99()), Bench.fmt(p99),
            "<= 1.5", p99 <= 1.5);
        if (diagnose) {
          Stats c = Stats.ofNanos(postOnly);
          report.reference(label + ": diagnosis, core's HttpInvoker.post alone (no pool, no"
              + " per-event probe)", f.mmm(), c.mmm(), Bench.fmt(c.median() / f.median())
              + ", p99 " + Bench.fmt(c.p99() / f.p99()));
        }
      }
    }
  }

  private static long timeInvoke(LambdaRuntime runtime, LambdaFunction fn, byte[] payload, String expected) {
    long start = System.nanoTime();
    InvocationResult result = runtime.invoke(fn, payload);
    long elapsed = System.nanoTime() - start;
    if (!expected.equals(result.payloadUtf8())) {
      throw new IllegalStateException("lambdarun answered '" + result.payloadUtf8() + "'");
    }
    return elapsed;
  }

  private static java.lang.reflect.Method diagnosisMethod() {
    try {
      java.lang.reflect.Method method = HttpInvoker.class.getMethod("post", Instance.class,
          byte[].class, String.class, Optional.class, Duration.class);
      return HttpResponse.class.isAssignableFrom(method.getReturnType()) ? method : null;
    } catch (NoSuchMethodException e) {
      System.out.println("  (no public HttpInvoker.post(Instance, ...): diagnosis arm left out)");
      return null;
    }
  }

  @SuppressWarnings("unchecked")
  private static long timePost(
      java.lang.reflect.Method post, Object core, Instance instance, byte[] payload, String expected)
      throws Exception {
    long start = System.nanoTime();
    HttpResponse<byte[]> response = (HttpResponse<byte[]>) post.invoke(core, instance, payload,
        UUID.randomUUID().toString(), Optional.empty(), Duration.ofSeconds(65));
    long elapsed = System.nanoTime() - start;
    String body = new String(response.body(), StandardCharsets.UTF_8);
    if (response.statusCode() != 200 || !expected.equals(body)) {
      throw new IllegalStateException("HttpInvoker.post answered " + response.statusCode() + " '" + body + "'");
    }
    return elapsed;
  }

  private static long timeRaw(HttpClient raw, HttpRequest request, String expected) throws Exception {
    long start = System.nanoTime();
    HttpResponse<byte[]> response = raw.send(request, HttpResponse.BodyHandlers.ofByteArray());
    long elapsed = System.nanoTime() - start;
    String body = new String(response.body(), StandardCharsets.UTF_8);
    if (response.statusCode() != 200 || !expected.equals(body)) {
      throw new IllegalStateException("raw POST answered " + response.statusCode() + " '" + body + "'");
    }
    return elapsed;
  }
}
