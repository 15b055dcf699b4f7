package io.lambdarun.it.bench;

import io.lambdarun.api.Instance;
import io.lambdarun.core.LambdaRuntime;
import io.lambdarun.core.model.InvocationResult;
import io.lambdarun.core.model.LambdaFunction;
import io.lambdarun.it.bench.Bench.Report;
import io.lambdarun.it.bench.Bench.Stats;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Figure 8 ({@code overhead}): pure overhead at concurrency. A handler that answers at once, 64
 * callers, capped at 8 instances: the throughput of {@code LambdaRuntime.invoke} against 8 raw
 * keep-alive clients (the warm figure's floor) driving the same 8 instances in parallel, one each,
 * in windows that alternate which goes first. In Runtime API mode, where instances have no
 * endpoint, the floor's 8 clients are 8 more instances of the same spec, each on a raw Runtime API
 * of its own ({@link RawRuntimeApi}), driven by 8 threads.
 */
final class ConcurrencyOverheadBenchmark {

  private static final int CAP = 8;

  /** 64; fewer ({@code -Dbench.overhead.callers=8}) to see what waiting callers cost. */
  private static final int CALLERS = Bench.setting("overhead.callers", 64);

  private ConcurrencyOverheadBenchmark() {}

  static void run(Report report) throws Exception {
    String backends = System.getProperty("bench.overhead.backends", "local,docker,docker-rie");
    for (String backend : backends.split(",")) {
      runOn(report, backend.trim());
    }
    report.note(
        "floor: "
            + CAP
            + " threads, each driving one instance back to back for the window:"
            + " in RIE-endpoint mode (docker-rie) a kept-alive java.net.Socket (TCP_NODELAY) to"
            + " Instance.invocationUri() of one of the function's "
            + CAP
            + " warm instances (the warm"
            + " figure's raw POST); in Runtime API mode (local, docker with network host) one of "
            + CAP
            + " more instances of the same spec on a raw Runtime API of its own (the warm figure's"
            + " Runtime API floor), since a Runtime API instance has no endpoint and core's is pinned to"
            + " core; lambdarun: "
            + CALLERS
            + " threads"
            + " calling LambdaRuntime.invoke back to back, maxInstancesPerFunction("
            + CAP
            + ");"
            + " handler bench.echo, a 64-byte event; the pool is filled to "
            + CAP
            + " before timing;"
            + " windows alternate floor-first / lambdarun-first; ratio = lambdarun / floor per round");
  }

  private static void runOn(Report report, String backend) throws Exception {
    int rounds = Bench.setting("overhead.rounds", 6);
    Duration window = Duration.ofMillis(Bench.setting("overhead.millis", 3000));
    Bench.TapProvider tap = new Bench.TapProvider(Bench.backendOf(backend));
    LambdaFunction fn = Bench.benchFunction("bench-overhead", "echo");
    byte[] payload = Bench.payload(64);
    String expected = "{\"size\": " + (64 - 11) + "}";
    List<Double> floor = new ArrayList<>();
    List<Double> subject = new ArrayList<>();
    List<Double> ratios = new ArrayList<>();
    AtomicInteger errors = new AtomicInteger();
    AtomicInteger maxListed = new AtomicInteger();
    ExecutorService pool = Executors.newFixedThreadPool(CALLERS);
    try (LambdaRuntime runtime =
        Bench.runtime(tap, backend)
            .maxInstancesPerFunction(CAP)
            .idleTimeout(Duration.ofMinutes(30))
            .build()) {
      long fillDeadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
      while (tap.launches.get() < CAP && System.nanoTime() < fillDeadline) {
        drive(runtime, fn, payload, expected, pool, Duration.ofSeconds(1), errors, maxListed, tap);
      }
      List<Instance> instances = List.copyOf(tap.live.values());
      List<Bench.RoundTrip> raws = new ArrayList<>();
      if (instances.size() != CAP) {
        throw new IllegalStateException(
            instances.size() + " warm instances after filling the pool," + " expected " + CAP);
      }
      try {
        for (Instance instance : instances) {
          raws.add(Bench.floorFor(tap, instance));
        }
        // warm-up: one window of each, not recorded
        raw(raws, payload, expected, pool, window);
        drive(runtime, fn, payload, expected, pool, window, errors, maxListed, tap);
        for (int round = 0; round < rounds; round++) {
          double a;
          double b;
          if (round % 2 == 0) {
            a = raw(raws, payload, expected, pool, window);
            b = drive(runtime, fn, payload, expected, pool, window, errors, maxListed, tap);
          } else {
            b = drive(runtime, fn, payload, expected, pool, window, errors, maxListed, tap);
            a = raw(raws, payload, expected, pool, window);
          }
          floor.add(a);
          subject.add(b);
          ratios.add(b / a);
          System.out.printf(
              "  %s round %d: 8 raw clients %.0f/s, %d callers %.0f/s, ratio %.3f%n",
              backend, round, a, CALLERS, b, b / a);
        }
      } finally {
        // before the runtime closes: a Runtime API floor terminates its instances on the backend
        for (Bench.RoundTrip raw : raws) {
          raw.close();
        }
      }
    } finally {
      pool.shutdownNow();
      pool.awaitTermination(10, TimeUnit.SECONDS);
    }
    Stats f = Stats.of(floor.stream().mapToDouble(Double::doubleValue).toArray());
    Stats s = Stats.of(subject.stream().mapToDouble(Double::doubleValue).toArray());
    Stats r = Stats.of(ratios.stream().mapToDouble(Double::doubleValue).toArray());
    report.row(
        Bench.describe(backend)
            + ", "
            + CALLERS
            + " callers, throughput (invocations/s), "
            + rounds
            + " windows of "
            + window.toMillis()
            + " ms each",
        f.mmm(),
        s.mmm(),
        "median " + Bench.fmt(r.median()) + " (" + r.mmm() + ")",
        ">= 0.85",
        r.median() >= 0.85);
    int most = Math.max(tap.maxLive.get(), maxListed.get());
    report.row(
        Bench.describe(backend) + ", errors / most instances alive",
        "0 / " + CAP,
        errors.get() + " / " + most,
        errors.get() + " errors, max " + most,
        "0, <= " + CAP,
        errors.get() == 0 && most <= CAP);
  }

  /** 8 raw keep-alive clients, one per instance, back to back; answers per second. */
  private static double raw(
      List<Bench.RoundTrip> raws,
      byte[] payload,
      String expected,
      ExecutorService pool,
      Duration window)
      throws Exception {
    CountDownLatch go = new CountDownLatch(1);
    long[] end = new long[1];
    AtomicLong completed = new AtomicLong();
    List<Future<?>> futures = new ArrayList<>();
    for (Bench.RoundTrip raw : raws) {
      futures.add(
          pool.submit(
              () -> {
                go.await();
                while (System.nanoTime() < end[0]) {
                  raw.time(payload, expected);
                  if (System.nanoTime() <= end[0]) {
                    completed.incrementAndGet();
                  }
                }
                return null;
              }));
    }
    end[0] = System.nanoTime() + window.toNanos();
    go.countDown();
    for (Future<?> future : futures) {
      future.get(60, TimeUnit.SECONDS);
    }
    return completed.get() / (window.toNanos() / 1e9);
  }

  /** The callers invoke back to back for the window; answers per second. */
  private static double drive(
      LambdaRuntime runtime,
      LambdaFunction fn,
      byte[] payload,
      String expected,
      ExecutorService pool,
      Duration window,
      AtomicInteger errors,
      AtomicInteger maxListed,
      Bench.TapProvider tap)
      throws Exception {
    CountDownLatch go = new CountDownLatch(1);
    long[] end = new long[1];
    AtomicLong completed = new AtomicLong();
    List<Future<?>> futures = new ArrayList<>();
    for (int i = 0; i < CALLERS; i++) {
      futures.add(
          pool.submit(
              () -> {
                go.await();
                while (System.nanoTime() < end[0]) {
                  try {
                    InvocationResult result = runtime.invoke(fn, payload);
                    if (!expected.equals(result.payloadUtf8())) {
                      errors.incrementAndGet();
                    } else if (System.nanoTime() <= end[0]) {
                      completed.incrementAndGet();
                    }
                  } catch (RuntimeException e) {
                    if (errors.incrementAndGet() <= 3) {
                      e.printStackTrace();
                    }
                  }
                }
                return null;
              }));
    }
    end[0] = System.nanoTime() + window.toNanos();
    go.countDown();
    while (System.nanoTime() < end[0]) {
      maxListed.accumulateAndGet(runtime.warmInstances().size(), Math::max);
      maxListed.accumulateAndGet(tap.liveCount.get(), Math::max);
      Thread.sleep(10);
    }
    for (Future<?> future : futures) {
      future.get(60, TimeUnit.SECONDS);
    }
    return completed.get() / (window.toNanos() / 1e9);
  }
}
