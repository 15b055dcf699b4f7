package io.lambdarun.it.bench;

import com.github.dockerjava.api.DockerClient;
import io.lambdarun.core.LambdaRuntime;
import io.lambdarun.core.model.InvocationResult;
import io.lambdarun.core.model.LambdaFunction;
import io.lambdarun.it.bench.Bench.Report;
import io.lambdarun.it.bench.Bench.Stats;
import java.net.http.HttpClient;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Figure 7 ({@code scale-cold}): 64 callers start at once on a function never invoked, capped at 8
 * instances; timed until 8 invocations that launched an instance have answered (each instance's
 * first event), against 8 floor starts run in parallel: figure 1's docker-java floor on Docker,
 * figure 5's interpreter floor on the local backend. Rounds alternate which goes first; the
 * instance count is sampled every 5 ms (warmInstances() and the backend's live launches).
 */
final class ScaleOutColdBenchmark {

  private static final int CAP = 8;
  private static final int CALLERS = 64;
  private static final Duration LIMIT = Duration.ofSeconds(120);

  private ScaleOutColdBenchmark() {}

  static void run(Report report) throws Exception {
    String backends = System.getProperty("bench.scalecold.backends", "docker,local");
    for (String backend : backends.split(",")) {
      runOn(report, backend.trim());
    }
    report.note(
        "lambdarun: "
            + CALLERS
            + " threads released at once, each calling"
            + " LambdaRuntime.invoke (the README's hello handler) back to back on a function never"
            + " invoked, maxInstancesPerFunction("
            + CAP
            + "); timed until the "
            + CAP
            + "th answer"
            + " whose InvocationResult.coldStart() is true; the function is evicted between rounds,"
            + " outside the timing. floor: "
            + CAP
            + " of figure 1's floor of the arm's mode (docker,"
            + " Runtime API mode with network host: docker-java create in host network mode, copy,"
            + " start, the event to the first /next of a raw Runtime API until its /response;"
            + " docker-rie: docker-java create, copy, start, inspect, GET probe, first POST) or of"
            + " figure 5's floor (local:"
            + " the interpreter with the backend's runtime client against a minimal Runtime API, one"
            + " per start) run on "
            + CAP
            + " threads released at once, timed until the last"
            + " answered; docker floor containers are removed after the timing, local floor processes"
            + " are killed as each answers. Rounds alternate floor-first / lambdarun-first");
  }

  private static void runOn(Report report, String backend) throws Exception {
    int warmup = Bench.setting("scalecold.warmup", 1);
    int rounds = Bench.setting("scalecold.rounds", 5);
    Bench.TapProvider tap = new Bench.TapProvider(Bench.backendOf(backend));
    List<Long> floor = new ArrayList<>();
    List<Long> subject = new ArrayList<>();
    List<Double> ratios = new ArrayList<>();
    AtomicInteger errors = new AtomicInteger();
    AtomicInteger maxListed = new AtomicInteger();
    ExecutorService pool = Executors.newFixedThreadPool(CALLERS);
    try (ParallelFloor floorStarts =
            Bench.backendOf(backend).equals("docker")
                ? new DockerFloor(backend.equals("docker-rie"))
                : new LocalFloor();
        LambdaRuntime runtime =
            Bench.runtime(tap, backend)
                .maxInstancesPerFunction(CAP)
                .idleTimeout(Duration.ofMinutes(30))
                .build()) {
      for (int i = 0; i < warmup + rounds; i++) {
        LambdaFunction fn = Bench.hello("bench-scale-cold-" + i);
        long a;
        long b;
        if (i % 2 == 0) {
          a = floorOnce(floorStarts, pool);
          b = subjectOnce(runtime, fn, pool, errors, maxListed, tap);
        } else {
          b = subjectOnce(runtime, fn, pool, errors, maxListed, tap);
          a = floorOnce(floorStarts, pool);
        }
        runtime.evict(fn.functionName());
        awaitNoneLive(tap);
        System.out.printf(
            "  %s %s %d: floor %.1f ms, lambdarun %.1f ms, at most %d launches at once%n",
            backend, i < warmup ? "warmup" : "round", i, a / 1e6, b / 1e6, tap.maxLaunching.get());
        if (i >= warmup) {
          floor.add(a);
          subject.add(b);
          ratios.add((double) b / a);
        }
      }
    } finally {
      pool.shutdownNow();
      pool.awaitTermination(10, TimeUnit.SECONDS);
    }
    Stats f = Stats.ofNanos(floor);
    Stats s = Stats.ofNanos(subject);
    Stats r = Stats.of(ratios.stream().mapToDouble(Double::doubleValue).toArray());
    double ratio = s.median() / f.median();
    int most = Math.max(tap.maxLive.get(), maxListed.get());
    report.row(
        Bench.describe(backend)
            + ", until "
            + CAP
            + " instances answered their first event (ms), "
            + rounds
            + " pairs",
        f.mmm(),
        s.mmm(),
        Bench.fmt(ratio) + " (pairwise " + r.mmm() + ")",
        "median <= 1.3",
        ratio <= 1.3);
    report.row(
        Bench.describe(backend) + ", errors / most instances alive",
        "0 / " + CAP,
        errors.get() + " / " + most,
        errors.get() + " errors, max " + most,
        "0, <= " + CAP,
        errors.get() == 0 && most <= CAP);
    report.note(
        backend
            + ": "
            + tap.launches.get()
            + " launches in "
            + (warmup + rounds)
            + " rounds; at most "
            + tap.maxLaunching.get()
            + " backend launch() calls under way at once"
            + " (a delegating backend counts them)");
  }

  /** 64 callers released at once; nanoseconds until the 8th cold-start answer. */
  private static long subjectOnce(
      LambdaRuntime runtime,
      LambdaFunction fn,
      ExecutorService pool,
      AtomicInteger errors,
      AtomicInteger maxListed,
      Bench.TapProvider tap)
      throws Exception {
    CountDownLatch go = new CountDownLatch(1);
    AtomicInteger cold = new AtomicInteger();
    AtomicLong done = new AtomicLong();
    long deadline = System.nanoTime() + LIMIT.toNanos();
    List<Future<?>> futures = new ArrayList<>();
    for (int i = 0; i < CALLERS; i++) {
      futures.add(
          pool.submit(
              () -> {
                go.await();
                while (cold.get() < CAP && System.nanoTime() < deadline) {
                  try {
                    InvocationResult result = runtime.invoke(fn, LocalColdStartBenchmark.EVENT);
                    if (!LocalColdStartBenchmark.ANSWER.equals(result.payloadUtf8())) {
                      errors.incrementAndGet();
                    } else if (result.coldStart() && cold.incrementAndGet() == CAP) {
                      done.set(System.nanoTime());
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
    long start = System.nanoTime();
    go.countDown();
    while (!futures.stream().allMatch(Future::isDone)) {
      maxListed.accumulateAndGet(runtime.warmInstances().size(), Math::max);
      maxListed.accumulateAndGet(tap.liveCount.get(), Math::max);
      Thread.sleep(5);
    }
    for (Future<?> future : futures) {
      future.get();
    }
    if (cold.get() < CAP) {
      throw new IllegalStateException(
          "only "
              + cold.get()
              + " of "
              + CAP
              + " instances answered their first event within "
              + LIMIT.toSeconds()
              + " s");
    }
    return done.get() - start;
  }

  /** 8 floor starts released at once; nanoseconds until the last answered. */
  private static long floorOnce(ParallelFloor starts, ExecutorService pool) throws Exception {
    CountDownLatch go = new CountDownLatch(1);
    List<Future<Long>> ends = new ArrayList<>();
    for (int i = 0; i < CAP; i++) {
      int slot = i;
      ends.add(
          pool.submit(
              () -> {
                go.await();
                long begin = System.nanoTime();
                return begin + starts.once(slot);
              }));
    }
    long start = System.nanoTime();
    go.countDown();
    long last = 0;
    for (Future<Long> end : ends) {
      last = Math.max(last, end.get(LIMIT.toSeconds(), TimeUnit.SECONDS));
    }
    starts.cleanUp();
    return last - start;
  }

  private static void awaitNoneLive(Bench.TapProvider tap) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (tap.liveCount.get() > 0 && System.nanoTime() < deadline) {
      Thread.sleep(10);
    }
  }

  /** One floor start in a slot of its own; {@link #cleanUp()} after the parallel starts. */
  private interface ParallelFloor extends AutoCloseable {
    /** Starts, answers the first event; returns its duration in nanoseconds. */
    long once(int slot) throws Exception;

    void cleanUp();
  }

  /**
   * Figure 1's floor of the arm's mode: the same image through docker-java; containers removed
   * after timing.
   */
  private static final class DockerFloor implements ParallelFloor {
    private final boolean rie;
    private final DockerClient docker = DockerColdStartBenchmark.dockerClient();
    private final HttpClient http =
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofMillis(1500))
            .build();
    private final byte[] tar;
    private final List<String> started = Collections.synchronizedList(new ArrayList<>());

    DockerFloor(boolean rie) throws Exception {
      this.rie = rie;
      tar = DockerColdStartBenchmark.codeTar(Bench.ROOT.resolve("examples/hello-python"));
      DockerColdStartBenchmark.removeLeftovers(docker);
    }

    @Override
    public long once(int slot) throws Exception {
      return rie
          ? DockerColdStartBenchmark.floorOnce(docker, http, tar, started)
          : DockerColdStartBenchmark.floorRuntimeApiOnce(docker, tar, started);
    }

    @Override
    public void cleanUp() {
      List<String> ids = List.copyOf(started);
      started.clear();
      ids.forEach(id -> DockerColdStartBenchmark.remove(docker, id));
    }

    @Override
    public void close() throws Exception {
      cleanUp();
      docker.close();
    }
  }

  /** Figure 5's floor: the interpreter and runtime client, one minimal Runtime API per slot. */
  private static final class LocalFloor implements ParallelFloor {
    private final List<LocalColdStartBenchmark.MiniRuntimeApi> apis = new ArrayList<>();
    private final String python;
    private final Path runtimeDir;

    LocalFloor() throws Exception {
      python = LocalColdStartBenchmark.interpreter();
      runtimeDir = LocalColdStartBenchmark.installClient();
      for (int i = 0; i < CAP; i++) {
        apis.add(new LocalColdStartBenchmark.MiniRuntimeApi());
      }
    }

    @Override
    public long once(int slot) throws Exception {
      return LocalColdStartBenchmark.floorOnce(
          apis.get(slot), python, runtimeDir.resolve("lambdarun_runtime.py"), runtimeDir);
    }

    @Override
    public void cleanUp() {}

    @Override
    public void close() {
      apis.forEach(LocalColdStartBenchmark.MiniRuntimeApi::close);
    }
  }
}
