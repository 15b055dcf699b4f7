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
 * Figure 3: 64 concurrent callers on one function whose handler sleeps 100 ms, capped at 8
 * instances, against 8x the throughput of one instance of the same handler driven by one caller
 * over a raw keep-alive POST (RIE-endpoint mode) or a raw Runtime API (Runtime API mode, on an
 * instance of its own: see {@link Bench#floorFor}). Floor and subject windows alternate; the
 * instance count is sampled every 10 ms (warmInstances() and the backend's live launches) and must
 * never exceed the cap.
 */
final class ScalingBenchmark {

  private static final int CAP = 8;
  private static final int CALLERS = 64;
  private static final String ANSWER = "{\"ok\": true}";

  private ScalingBenchmark() {}

  static void run(Report report) throws Exception {
    runWith(report, Bench.PYTHON_IMAGE);
  }

  private static void runWith(Report report, String image) throws Exception {
    String backend = System.getProperty("bench.scaling.backend", "docker");
    int rounds = Bench.setting("scaling.rounds", 3);
    Duration window = Duration.ofSeconds(Bench.setting("scaling.seconds", 6));
    Bench.TapProvider tap = new Bench.TapProvider(Bench.backendOf(backend));
    LambdaFunction fn = Bench.benchFunction("bench-scale", "sleep100");
    byte[] payload = Bench.payload(64);
    List<Double> floor = new ArrayList<>();
    List<Double> subject = new ArrayList<>();
    List<Double> ratios = new ArrayList<>();
    AtomicInteger errors = new AtomicInteger();
    AtomicInteger maxListed = new AtomicInteger();
    ExecutorService callers = Executors.newFixedThreadPool(CALLERS);
    try (LambdaRuntime runtime =
        Bench.runtime(tap, backend)
            .imageMappings("python3.12=" + image)
            .maxInstancesPerFunction(CAP)
            .idleTimeout(Duration.ofMinutes(30))
            .build()) {
      runtime.invoke(fn, payload);
      // warm-up: fill the pool to the cap (cold starts are serialized) and warm the JIT
      drive(
          runtime,
          fn,
          payload,
          callers,
          Duration.ofSeconds(Bench.setting("scaling.warmup", 8)),
          errors,
          maxListed,
          tap);
      System.out.printf("  warm-up: %d launches, %d errors%n", tap.launches.get(), errors.get());
      errors.set(0);
      for (int round = 0; round < rounds; round++) {
        double single = single(tap, tap.live.values().iterator().next(), payload, window);
        double pooled = drive(runtime, fn, payload, callers, window, errors, maxListed, tap);
        floor.add(single * CAP);
        subject.add(pooled);
        ratios.add(pooled / (single * CAP));
        System.out.printf(
            "  round %d: one instance %.2f/s (x8 = %.1f/s), 64 callers %.1f/s, ratio %.3f%n",
            round, single, single * CAP, pooled, pooled / (single * CAP));
      }
    } finally {
      callers.shutdownNow();
      callers.awaitTermination(10, TimeUnit.SECONDS);
    }
    Stats f = Stats.of(floor.stream().mapToDouble(Double::doubleValue).toArray());
    Stats s = Stats.of(subject.stream().mapToDouble(Double::doubleValue).toArray());
    Stats r = Stats.of(ratios.stream().mapToDouble(Double::doubleValue).toArray());
    int most = Math.max(tap.maxLive.get(), maxListed.get());
    report.row(
        Bench.describe(backend)
            + ", throughput (invocations/s), "
            + rounds
            + " windows of "
            + window.toSeconds()
            + " s",
        f.mmm(),
        s.mmm(),
        "median " + Bench.fmt(r.median()) + " (" + r.mmm() + ")",
        ">= 0.8",
        r.median() >= 0.8 && r.min() >= 0.8);
    report.row(
        Bench.describe(backend) + ", errors / most instances",
        "0 / 8",
        errors.get() + " / " + most,
        errors.get() + " errors, max " + most,
        "0, <= 8",
        errors.get() == 0 && most <= CAP);
    report.note(
        "floor: 8 x the throughput of one warm instance of the same handler (sleeps 100 ms),"
            + " one caller, back to back, between the pooled windows: in RIE-endpoint mode raw"
            + " keep-alive POSTs (the warm figure's floor) to the endpoint of one of the pool's"
            + " instances; in Runtime API mode one more instance of the same spec on a raw Runtime API"
            + " of its own (the warm figure's Runtime API floor);"
            + " lambdarun: "
            + CALLERS
            + " threads calling LambdaRuntime.invoke back to back,"
            + " maxInstancesPerFunction(8), pool filled during a warm-up; instance count sampled every"
            + " 10 ms from warmInstances() and from the backend's live launches ("
            + tap.launches.get()
            + " launches in all)");
  }

  /** One caller, back-to-back raw round trips to one instance; invocations per second. */
  private static double single(
      Bench.TapProvider tap, Instance instance, byte[] payload, Duration window) throws Exception {
    try (Bench.RoundTrip raw = Bench.floorFor(tap, instance)) {
      raw.time(payload, ANSWER);
      long start = System.nanoTime();
      long end = start + window.toNanos();
      int done = 0;
      long now;
      while ((now = System.nanoTime()) < end) {
        raw.time(payload, ANSWER);
        done++;
      }
      return done / ((now - start) / 1e9);
    }
  }

  /** 64 callers invoke back to back for the window; completed invocations per second. */
  private static double drive(
      LambdaRuntime runtime,
      LambdaFunction fn,
      byte[] payload,
      ExecutorService callers,
      Duration window,
      AtomicInteger errors,
      AtomicInteger maxListed,
      Bench.TapProvider tap)
      throws Exception {
    CountDownLatch go = new CountDownLatch(1);
    long[] bounds = new long[2];
    AtomicLong completed = new AtomicLong();
    List<Future<?>> futures = new ArrayList<>();
    for (int i = 0; i < CALLERS; i++) {
      futures.add(
          callers.submit(
              () -> {
                go.await();
                while (System.nanoTime() < bounds[1]) {
                  try {
                    InvocationResult result = runtime.invoke(fn, payload);
                    if (result.isFunctionError()) {
                      errors.incrementAndGet();
                    } else if (System.nanoTime() <= bounds[1]) {
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
    bounds[0] = System.nanoTime();
    bounds[1] = bounds[0] + window.toNanos();
    go.countDown();
    while (System.nanoTime() < bounds[1]) {
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
