package io.lambdarun.it.bench;

import static java.nio.charset.StandardCharsets.UTF_8;

import io.lambdarun.api.Instance;
import io.lambdarun.core.LambdaRuntime;
import io.lambdarun.core.model.InvocationResult;
import io.lambdarun.core.model.LambdaFunction;
import io.lambdarun.it.bench.Bench.Report;
import io.lambdarun.it.bench.Bench.Stats;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryUsage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.ToDoubleFunction;
import java.util.stream.Stream;

/**
 * Figure 9 ({@code footprint-rss}): what 1, 50 and 100 warm instances of one function on the local
 * backend cost the machine: resident memory (RSS from {@code /proc}) of the embedding JVM and of
 * the instances' processes, and the JVM's file descriptors ({@code /proc/self/fd}); then what is
 * left after {@code close()}. The instances are made as figure 6 makes them (concurrent calls to a
 * handler that waits on a barrier file), after one discarded warm-up cycle so that the class
 * loader's jar files do not count as leaks.
 */
final class ProcessFootprintBenchmark {

  private static final int[] STEPS = {1, 50, 100};

  private ProcessFootprintBenchmark() {}

  /** One measured state: counts, and memory in KB. */
  private record Sample(
      int instances,
      int fds,
      double jvmRss,
      double heap,
      double committed,
      double instanceRss,
      double instancePss,
      int processes,
      Map<String, Integer> fdKinds) {}

  static void run(Report report) throws Exception {
    int cycles = Bench.setting("rss.cycles", 3);
    cycle(null, STEPS[0] + 1); // warm-up: loads every class a cycle needs
    List<List<Sample>> samples = new ArrayList<>();
    List<Double> fdLeaks = new ArrayList<>();
    List<Double> processLeaks = new ArrayList<>();
    Map<String, Integer> leakedKinds = new TreeMap<>();
    for (int c = 0; c < cycles; c++) {
      Leftover left = cycle(samples, STEPS[STEPS.length - 1]);
      fdLeaks.add((double) left.fds());
      processLeaks.add((double) left.processes());
      left.kinds().forEach((k, v) -> leakedKinds.merge(k, v, Math::max));
    }
    int last = STEPS[STEPS.length - 1];
    String states = "1 / " + STEPS[1] + " / " + last;
    perInstance(report, samples, "JVM file descriptors", Sample::fds, states, "fd", 1.0, 0.1, 0.05);
    perInstance(
        report, samples, "JVM used heap after GC (KB)", Sample::heap, states, "KB", 1.0, 0.25, 5);
    perInstance(report, samples, "JVM RSS (KB)", Sample::jvmRss, states, "KB", 1.0, -1, 0);
    perInstance(
        report, samples, "JVM committed heap (KB)", Sample::committed, states, "KB", 1.0, -1, 0);
    perInstance(
        report,
        samples,
        "instances' processes, RSS summed",
        Sample::instanceRss,
        states,
        "KB",
        1024.0,
        -1,
        0);
    perInstance(
        report,
        samples,
        "instances' processes, PSS summed",
        Sample::instancePss,
        states,
        "KB",
        1024.0,
        -1,
        0);
    Stats total1 =
        Stats.of(
            samples.stream()
                .mapToDouble(s -> s.get(0).jvmRss() + s.get(0).instanceRss())
                .map(v -> v / 1024)
                .toArray());
    Stats totalMany =
        Stats.of(
            samples.stream()
                .mapToDouble(s -> s.get(s.size() - 1).jvmRss() + s.get(s.size() - 1).instanceRss())
                .map(v -> v / 1024)
                .toArray());
    report.reference(
        "RSS of the JVM plus its instances' processes (MB), 1 vs " + last + " instances",
        total1.mmm(),
        totalMany.mmm(),
        Bench.fmt((totalMany.median() - total1.median()) / (last - 1)) + " MB per instance");
    report.reference(
        "processes per instance",
        "-",
        Bench.fmt(samples.get(0).get(STEPS.length - 1).processes() / (double) last),
        "-");
    List<Sample> lastCycle = samples.get(samples.size() - 1);
    Map<String, Integer> perKind = new TreeMap<>(lastCycle.get(STEPS.length - 1).fdKinds());
    lastCycle.get(0).fdKinds().forEach((kind, n) -> perKind.merge(kind, -n, Integer::sum));
    perKind.values().removeIf(v -> v == 0);
    report.note(
        "JVM descriptors added by "
            + (last - 1)
            + " more instances, by kind (last cycle): "
            + perKind);
    Stats fd = Stats.of(fdLeaks.stream().mapToDouble(Double::doubleValue).toArray());
    Stats proc = Stats.of(processLeaks.stream().mapToDouble(Double::doubleValue).toArray());
    report.row(
        "left after close(): JVM file descriptors / instance processes ("
            + cycles
            + " cycles, max)",
        "0 / 0",
        Bench.fmt(fd.max()) + " / " + Bench.fmt(proc.max()),
        "-",
        "0 / 0",
        fd.max() == 0 && proc.max() == 0);
    if (!leakedKinds.isEmpty()) {
      report.note("kinds of descriptors left after close(): " + leakedKinds);
    }
    report.note(
        "per instance = slope from 1 to "
            + last
            + " instances; linear = the slopes 1 -> "
            + STEPS[1]
            + " and "
            + STEPS[1]
            + " -> "
            + last
            + " agree within the tolerance shown;"
            + " JVM RSS is reported, not judged (see BENCHMARKS.md)");
    report.note(
        "RSS = VmRSS of /proc/<pid>/status, PSS = Pss of /proc/<pid>/smaps_rollup (shared"
            + " pages split between the processes sharing them, so the sum is what the instances cost"
            + " together); an instance's processes = the pid the backend reports (Instance.details()"
            + " \"pid\") and its descendants; heap = MemoryMXBean used after 3 System.gc(); file"
            + " descriptors = entries of /proc/self/fd; the harness keeps one Instance record per"
            + " launch (a delegating backend reads the pids), about 1 KB each; 'left after close()' ="
            + " descriptors after close() minus before the runtime was built, and instance processes"
            + " still alive 10 s after close()");
  }

  /** Reports the per-instance slope of one quantity and whether it is linear. */
  private static void perInstance(
      Report report,
      List<List<Sample>> samples,
      String what,
      ToDoubleFunction<Sample> value,
      String states,
      String unit,
      double divisor,
      double tolerance,
      double slack) {
    List<Double> slopes = new ArrayList<>();
    List<Double> first = new ArrayList<>();
    List<Double> second = new ArrayList<>();
    List<Double> at1 = new ArrayList<>();
    List<Double> atMany = new ArrayList<>();
    for (List<Sample> cycle : samples) {
      Sample one = cycle.get(0);
      Sample mid = cycle.get(1);
      Sample many = cycle.get(2);
      slopes.add(slope(one, many, value));
      first.add(slope(one, mid, value));
      second.add(slope(mid, many, value));
      at1.add(value.applyAsDouble(one));
      atMany.add(value.applyAsDouble(many));
    }
    Stats s = Stats.of(slopes.stream().mapToDouble(Double::doubleValue).toArray());
    double a = Stats.of(first.stream().mapToDouble(Double::doubleValue).toArray()).median();
    double b = Stats.of(second.stream().mapToDouble(Double::doubleValue).toArray()).median();
    Stats one = Stats.of(at1.stream().mapToDouble(v -> v / divisor).toArray());
    Stats many = Stats.of(atMany.stream().mapToDouble(v -> v / divisor).toArray());
    String scale = divisor == 1.0 ? unit : "MB";
    String ratio =
        Bench.fmt(s.median())
            + " "
            + unit
            + " per instance ("
            + s.mmm()
            + "; 1 -> "
            + STEPS[1]
            + ": "
            + Bench.fmt(a)
            + ", "
            + STEPS[1]
            + " -> "
            + STEPS[2]
            + ": "
            + Bench.fmt(b)
            + ")";
    String label =
        what + ", 1 vs " + STEPS[2] + " instances" + (divisor == 1.0 ? "" : " (" + scale + ")");
    if (tolerance < 0) {
      report.reference(label, one.mmm(), many.mmm(), ratio);
    } else {
      boolean linear = Math.abs(a - b) <= tolerance * Math.max(Math.abs(a), Math.abs(b)) + slack;
      report.row(
          label,
          one.mmm(),
          many.mmm(),
          ratio,
          "linear (slopes within "
              + Math.round(tolerance * 100)
              + " % + "
              + Bench.fmt(slack)
              + " "
              + unit
              + ")",
          linear);
    }
    System.out.printf("  %s at %s instances: slopes %s%n", what, states, slopes);
  }

  private static double slope(Sample from, Sample to, ToDoubleFunction<Sample> v) {
    return (v.applyAsDouble(to) - v.applyAsDouble(from)) / (to.instances() - from.instances());
  }

  /** What close() left behind. */
  private record Leftover(int fds, int processes, Map<String, Integer> kinds) {}

  /**
   * Builds a runtime, grows the function to each step (all steps up to {@code upTo}), measures each
   * state into {@code samples} (null: measure nothing), closes the runtime and reports what is
   * left.
   */
  private static Leftover cycle(List<List<Sample>> samples, int upTo) throws Exception {
    Path barrier = Bench.tempDir("lambdarun-bench-barrier").resolve("open");
    Files.createFile(barrier);
    byte[] event = ("{\"path\":\"" + barrier + "\"}").getBytes(UTF_8);
    LambdaFunction fn =
        LambdaFunction.builder()
            .functionName("bench-footprint-rss")
            .runtime("python3.12")
            .handler("bench.barrier")
            .timeout(Duration.ofSeconds(600))
            .code(Bench.BENCH_CODE)
            .build();
    gc();
    Map<String, Integer> before = fdKinds();
    Bench.TapProvider tap = new Bench.TapProvider("local");
    List<Sample> measured = new ArrayList<>();
    try (LambdaRuntime runtime =
        LambdaRuntime.builder()
            .addProvider(tap)
            .backend(tap.backendName())
            .maxInstancesPerFunction(STEPS[STEPS.length - 1])
            .idleTimeout(Duration.ofMinutes(30))
            .build()) {
      for (int step : STEPS) {
        if (step > upTo) {
          break;
        }
        grow(runtime, fn, event, barrier, tap, step);
        if (samples != null) {
          measured.add(measure(tap.launched));
          System.out.println("  " + measured.get(measured.size() - 1));
        }
      }
      if (samples == null) {
        grow(runtime, fn, event, barrier, tap, upTo);
      }
    }
    List<Long> pids = pids(tap.launched);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (pids.stream().anyMatch(ProcessFootprintBenchmark::alive)
        && System.nanoTime() < deadline) {
      Thread.sleep(50);
    }
    gc();
    Map<String, Integer> after = fdKinds();
    Map<String, Integer> kinds = new TreeMap<>();
    after.forEach(
        (kind, n) -> {
          int extra = n - before.getOrDefault(kind, 0);
          if (extra != 0) {
            kinds.put(kind, extra);
          }
        });
    before.forEach((kind, n) -> kinds.putIfAbsent(kind, after.containsKey(kind) ? 0 : -n));
    kinds.values().removeIf(v -> v == 0);
    if (samples != null) {
      samples.add(measured);
    }
    int leftFds =
        after.values().stream().mapToInt(Integer::intValue).sum()
            - before.values().stream().mapToInt(Integer::intValue).sum();
    int leftProcesses = (int) pids.stream().filter(ProcessFootprintBenchmark::alive).count();
    return new Leftover(leftFds, leftProcesses, kinds);
  }

  /** Concurrent calls that hold their instances until the barrier opens: {@code n} instances. */
  private static void grow(
      LambdaRuntime runtime,
      LambdaFunction fn,
      byte[] event,
      Path barrier,
      Bench.TapProvider tap,
      int n)
      throws Exception {
    Files.delete(barrier);
    ExecutorService callers = Executors.newFixedThreadPool(n);
    List<Future<InvocationResult>> calls = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      calls.add(callers.submit(() -> runtime.invoke(fn, event)));
    }
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(300);
    while (tap.liveCount.get() < n && System.nanoTime() < deadline) {
      Thread.sleep(50);
    }
    Files.createFile(barrier);
    for (Future<InvocationResult> call : calls) {
      InvocationResult result = call.get(120, TimeUnit.SECONDS);
      if (!"{\"ok\": true}".equals(result.payloadUtf8())) {
        throw new IllegalStateException("answered '" + result.payloadUtf8() + "'");
      }
    }
    callers.shutdown();
    callers.awaitTermination(30, TimeUnit.SECONDS);
    int warm = runtime.warmInstances().size();
    if (warm != n) {
      throw new IllegalStateException(warm + " warm instances, expected " + n);
    }
  }

  private static Sample measure(List<Instance> launched) throws Exception {
    gc();
    // read first: walking /proc below allocates garbage in proportion to the processes
    MemoryUsage usage = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage();
    double heap = usage.getUsed() / 1024.0;
    List<Long> roots = pids(launched);
    Map<Long, List<Long>> children = children();
    double rss = 0;
    double pss = 0;
    int processes = 0;
    Deque<Long> todo = new ArrayDeque<>(roots);
    while (!todo.isEmpty()) {
      long pid = todo.pop();
      processes++;
      rss += statusKb(pid, "VmRSS:");
      pss += pssKb(pid);
      todo.addAll(children.getOrDefault(pid, List.of()));
    }
    Map<String, Integer> kinds = fdKinds();
    int fds = kinds.values().stream().mapToInt(Integer::intValue).sum();
    return new Sample(
        launched.size(),
        fds,
        statusKb(ProcessHandle.current().pid(), "VmRSS:"),
        heap,
        usage.getCommitted() / 1024.0,
        rss,
        pss,
        processes,
        kinds);
  }

  private static void gc() throws InterruptedException {
    for (int i = 0; i < 3; i++) {
      System.gc();
      Thread.sleep(200);
    }
  }

  private static List<Long> pids(List<Instance> launched) {
    synchronized (launched) {
      return launched.stream().map(ProcessFootprintBenchmark::pid).toList();
    }
  }

  private static long pid(Instance instance) {
    String pid = instance.details().get("pid");
    if (pid == null || !pid.matches("\\d+")) {
      throw new IllegalStateException(
          "instance '"
              + instance.id()
              + "' reports pid '"
              + pid
              + "' in its details; this figure finds the instance's processes from it");
    }
    return Long.parseLong(pid);
  }

  private static boolean alive(long pid) {
    return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
  }

  /** Every process's children, from the parent pid in /proc/<pid>/stat. */
  private static Map<Long, List<Long>> children() throws IOException {
    Map<Long, List<Long>> children = new HashMap<>();
    try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
      for (Path proc : procs.filter(p -> p.getFileName().toString().matches("\\d+")).toList()) {
        try {
          String stat = Files.readString(proc.resolve("stat"));
          // the command name may hold spaces and parentheses: fields follow the last ')'
          String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
          children
              .computeIfAbsent(Long.parseLong(fields[1]), k -> new ArrayList<>())
              .add(Long.parseLong(proc.getFileName().toString()));
        } catch (IOException e) {
          // the process ended meanwhile
        }
      }
    }
    return children;
  }

  private static double statusKb(long pid, String key) {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
        if (line.startsWith(key)) {
          return Double.parseDouble(line.substring(key.length()).trim().split("\\s+")[0]);
        }
      }
    } catch (IOException e) {
      // the process ended meanwhile
    }
    return 0;
  }

  private static double pssKb(long pid) {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/smaps_rollup"))) {
        if (line.startsWith("Pss:")) {
          return Double.parseDouble(line.substring(4).trim().split("\\s+")[0]);
        }
      }
    } catch (IOException e) {
      // the process ended meanwhile, or the kernel has no smaps_rollup
    }
    return 0;
  }

  /** The JVM's open descriptors by kind: socket, pipe, anon_inode:[eventpoll], jar, file, ... */
  private static Map<String, Integer> fdKinds() throws IOException {
    Map<String, Integer> kinds = new TreeMap<>();
    try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
      for (Path fd : fds.toList()) {
        String target;
        try {
          target = Files.readSymbolicLink(fd).toString();
        } catch (IOException e) {
          continue; // the listing's own descriptor, closed by now
        }
        String kind =
            target.startsWith("socket:")
                ? "socket"
                : target.startsWith("pipe:")
                    ? "pipe"
                    : target.startsWith("anon_inode:")
                        ? target
                        : target.endsWith(".jar")
                            ? "jar"
                            : target.startsWith("/dev/") ? target : "file";
        kinds.merge(kind, 1, Integer::sum);
      }
    }
    return kinds;
  }
}
