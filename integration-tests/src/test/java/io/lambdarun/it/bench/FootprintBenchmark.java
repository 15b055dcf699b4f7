package io.lambdarun.it.bench;

import static java.nio.charset.StandardCharsets.UTF_8;

import io.lambdarun.core.LambdaRuntime;
import io.lambdarun.core.model.InvocationResult;
import io.lambdarun.core.model.LambdaFunction;
import io.lambdarun.it.bench.Bench.Report;
import io.lambdarun.it.bench.Bench.Stats;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * Figure 6: JVM threads and heap with 1 and with 100 warm instances of the local backend, all of
 * one function. The 100 instances are made by 100 concurrent invocations of a handler that waits
 * for a barrier file (cold starts are serialized by the pool), then released; the harness's own
 * caller threads are gone before anything is measured. Heap is the used heap after full GCs.
 */
final class FootprintBenchmark {

  private static final int MANY = 100;

  private FootprintBenchmark() {}

  static void run(Report report) throws Exception {
    int cycles = Bench.setting("footprint.cycles", 3);
    List<Double> threads1 = new ArrayList<>();
    List<Double> threadsMany = new ArrayList<>();
    List<Double> heap1 = new ArrayList<>();
    List<Double> heapMany = new ArrayList<>();
    List<Double> perInstance = new ArrayList<>();
    Map<String, Integer> namesMany = Map.of();
    Map<String, Integer> restedNames = Map.of();
    int restedThreads = -1;
    int restedOne = -1;
    int idleWait = Bench.setting("footprint.idle", 65);
    for (int cycle = 0; cycle < cycles; cycle++) {
      Path barrier = Bench.tempDir("lambdarun-bench-barrier").resolve("open");
      Files.createFile(barrier);
      byte[] event = ("{\"path\":\"" + barrier + "\"}").getBytes(UTF_8);
      LambdaFunction fn =
          LambdaFunction.builder()
              .functionName("bench-footprint")
              .runtime("python3.12")
              .handler("bench.barrier")
              .timeout(Duration.ofSeconds(600))
              .code(Bench.BENCH_CODE)
              .build();
      Bench.TapProvider tap = new Bench.TapProvider("local", false);
      try (LambdaRuntime runtime =
          LambdaRuntime.builder()
              .addProvider(tap)
              .backend(tap.backendName())
              .maxInstancesPerFunction(MANY)
              .idleTimeout(Duration.ofMinutes(30))
              .build()) {
        for (int i = 0; i < 20; i++) {
          check(runtime.invoke(fn, event));
        }
        if (cycle == cycles - 1 && idleWait > 0) {
          Thread.sleep(idleWait * 1000L);
          restedOne = (int) measure()[0];
        }
        double[] one = measure();
        histogram("histo-1-" + cycle);
        grow(runtime, fn, event, barrier, tap);
        // once more over every warm instance, one caller, so both states were last used the same
        // way
        for (int i = 0; i < MANY; i++) {
          check(runtime.invoke(fn, event));
        }
        int warm = runtime.warmInstances().size();
        if (warm != MANY) {
          throw new IllegalStateException(warm + " warm instances, expected " + MANY);
        }
        double[] many = measure();
        histogram("histo-" + MANY + "-" + cycle);
        namesMany = threadNames();
        if (cycle == cycles - 1 && idleWait > 0) {
          // the JDK HttpClient's worker pool keeps idle threads 60 s; measure again after that
          Thread.sleep(idleWait * 1000L);
          double[] rested = measure();
          restedThreads = (int) rested[0];
          restedNames = threadNames();
        }
        threads1.add(one[0]);
        threadsMany.add(many[0]);
        heap1.add(one[1]);
        heapMany.add(many[1]);
        double per = (many[1] - one[1]) * 1024 / (MANY - 1);
        perInstance.add(per);
        System.out.printf(
            "  cycle %d: threads %d -> %d, heap %.0f KB -> %.0f KB, %.1f KB per instance%n",
            cycle, (int) one[0], (int) many[0], one[1], many[1], per / 1024);
      }
    }
    Stats t1 = Stats.of(toArray(threads1));
    Stats tm = Stats.of(toArray(threadsMany));
    Stats h1 = Stats.of(toArray(heap1));
    Stats hm = Stats.of(toArray(heapMany));
    Stats pi = Stats.of(toArray(perInstance));
    report.row(
        "JVM threads right after use, 1 vs " + MANY + " warm instances (" + cycles + " cycles)",
        t1.mmm(),
        tm.mmm(),
        "+" + Bench.fmt(tm.median() - t1.median()) + " threads",
        "independent of instances",
        tm.median() <= t1.median());
    report.row(
        "used heap after GC (KB), 1 vs " + MANY + " warm instances",
        h1.mmm(),
        hm.mmm(),
        Bench.fmt(pi.median() / 1024)
            + " KB per instance ("
            + Bench.fmt(pi.min() / 1024)
            + " / "
            + Bench.fmt(pi.max() / 1024)
            + ")",
        "< 20 KB per instance",
        pi.median() < 20 * 1024);
    report.note(
        "threads with "
            + MANY
            + " instances right after the 100 concurrent calls, by name"
            + " (N = digits): "
            + namesMany);
    if (restedThreads >= 0) {
      int delta = restedThreads - restedOne;
      report.row(
          "JVM threads at rest (" + idleWait + " s idle), 1 vs " + MANY + " warm instances",
          Integer.toString(restedOne),
          Integer.toString(restedThreads),
          (delta >= 0 ? "+" : "") + delta + " threads",
          "independent of instances",
          delta <= 0);
      report.note(
          "threads with " + MANY + " instances after " + idleWait + " s idle: " + restedNames);
    }
    report.note(
        "per instance = (heap with "
            + MANY
            + " - heap with 1) / "
            + (MANY - 1)
            + "; heap = MemoryMXBean used after 3 System.gc() (G1); threads = ThreadMXBean live count;"
            + " the harness's caller threads have ended before each measurement; the 1-instance state"
            + " was measured after 20 invocations, the "
            + MANY
            + "-instance state after one more"
            + " sequential invocation of each instance");
  }

  /** 100 concurrent calls that hold their instances until the barrier opens: 100 instances. */
  private static void grow(
      LambdaRuntime runtime, LambdaFunction fn, byte[] event, Path barrier, Bench.TapProvider tap)
      throws Exception {
    Files.delete(barrier);
    ExecutorService callers = Executors.newFixedThreadPool(MANY);
    List<Future<InvocationResult>> calls = new ArrayList<>();
    for (int i = 0; i < MANY; i++) {
      calls.add(callers.submit(() -> runtime.invoke(fn, event)));
    }
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(300);
    while (tap.liveCount.get() < MANY && System.nanoTime() < deadline) {
      Thread.sleep(50);
    }
    Files.createFile(barrier);
    for (Future<InvocationResult> call : calls) {
      check(call.get(120, TimeUnit.SECONDS));
    }
    callers.shutdown();
    callers.awaitTermination(30, TimeUnit.SECONDS);
  }

  private static void check(InvocationResult result) {
    if (!"{\"ok\": true}".equals(result.payloadUtf8())) {
      throw new IllegalStateException("answered '" + result.payloadUtf8() + "'");
    }
  }

  /** Live threads and used heap (KB) after full GCs. */
  private static double[] measure() throws InterruptedException {
    for (int i = 0; i < 3; i++) {
      System.gc();
      Thread.sleep(200);
    }
    double threads = ManagementFactory.getThreadMXBean().getThreadCount();
    double heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed() / 1024.0;
    return new double[] {threads, heap};
  }

  /** With -Dbench.footprint.histo=true, saves a class histogram of the live heap for diagnosis. */
  private static void histogram(String name) throws Exception {
    if (!Boolean.getBoolean("bench.footprint.histo")) {
      return;
    }
    Path out = Path.of(System.getProperty("bench.out", "target/bench"), name + ".txt");
    new ProcessBuilder("jcmd", Long.toString(ProcessHandle.current().pid()), "GC.class_histogram")
        .redirectErrorStream(true)
        .redirectOutput(out.toFile())
        .start()
        .waitFor(60, TimeUnit.SECONDS);
  }

  /** Live threads grouped by name with digits removed. */
  private static Map<String, Integer> threadNames() {
    Map<String, Integer> names = new TreeMap<>();
    for (Thread thread : Thread.getAllStackTraces().keySet()) {
      names.merge(
          thread.getName().replaceAll("[0-9a-f]{8,}", "*").replaceAll("\\d+", "N"),
          1,
          Integer::sum);
    }
    return names;
  }

  private static double[] toArray(List<Double> values) {
    return values.stream().mapToDouble(Double::doubleValue).toArray();
  }
}
