package io.lambdarun.it.bench;

import io.lambdarun.api.Archive;
import io.lambdarun.api.Availability;
import io.lambdarun.api.ContainerRuntime;
import io.lambdarun.api.ContainerRuntimeProvider;
import io.lambdarun.api.Instance;
import io.lambdarun.api.LaunchSpec;
import io.lambdarun.api.Owner;
import io.lambdarun.api.RuntimeConfig;
import io.lambdarun.core.LambdaRuntime;
import io.lambdarun.core.model.LambdaFunction;
import io.lambdarun.tck.ForwardingRuntime;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.ServiceLoader;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The benchmark harness: {@code Bench [figure...]} runs the named figures (all when none is named)
 * and prints each as a ratio against a floor measured in the same run. Not a test: run it with
 * {@code scripts/bench.sh}. Every loop is bounded; all traffic goes to loopback.
 *
 * <p>Each figure appends a Markdown fragment to {@code target/bench/<figure>.md}.
 */
public final class Bench {

  /** The image Docker runs Python zip functions on here (built locally, no registry). */
  static final String PYTHON_IMAGE = "lambdarun/test-python:latest";

  /** Maps python3.12 to the local image. */
  static final String IMAGE_MAPPINGS = "python3.12=" + PYTHON_IMAGE;

  /** The repository root (the harness runs from integration-tests). */
  static final Path ROOT = locateRoot();

  /** The figures in the order {@code all} runs them. */
  static final List<String> FIGURES =
      List.of(
          "docker-cold",
          "warm",
          "scaling",
          "k8s-ready",
          "local-cold",
          "local-cold-java",
          "footprint",
          "scale-cold",
          "overhead",
          "footprint-rss",
          "sandbox",
          "provisioned");

  /** Figures that run the local backend only, whose instances always use the Runtime API. */
  private static final List<String> LOCAL_ONLY =
      List.of("local-cold", "local-cold-java", "footprint", "footprint-rss");

  private Bench() {}

  public static void main(String[] args) throws Exception {
    List<String> figures = new ArrayList<>(Arrays.asList(args));
    if (figures.isEmpty() || figures.contains("all")) {
      figures = new ArrayList<>(FIGURES);
    }
    Path out = Path.of(System.getProperty("bench.out", "target/bench"));
    Files.createDirectories(out);
    int failures = 0;
    for (String figure : figures) {
      System.out.println();
      System.out.println("=== " + figure + " (" + Instant.now() + ")");
      Report report = new Report(figure);
      report.note("load average (1/5/15 min) when the figure started: " + loadAverage());
      if (LOCAL_ONLY.contains(figure)) {
        report.note(
            "mode: Runtime API mode, the local backend's only one (core hosts the Lambda"
                + " Runtime API on 127.0.0.1, one port per instance)");
      }
      long start = System.nanoTime();
      try {
        switch (figure) {
          case "docker-cold" -> DockerColdStartBenchmark.run(report);
          case "warm" -> WarmInvokeBenchmark.run(report);
          case "scaling" -> ScalingBenchmark.run(report);
          case "k8s-ready" -> KubernetesReadinessBenchmark.run(report);
          case "local-cold" -> LocalColdStartBenchmark.run(report);
          case "local-cold-java" -> LocalJavaColdStartBenchmark.run(report);
          case "footprint" -> FootprintBenchmark.run(report);
          case "scale-cold" -> ScaleOutColdBenchmark.run(report);
          case "overhead" -> ConcurrencyOverheadBenchmark.run(report);
          case "footprint-rss" -> ProcessFootprintBenchmark.run(report);
          case "sandbox" -> SandboxCostBenchmark.run(report);
          case "provisioned" -> ProvisionedInvokeBenchmark.run(report);
          default ->
              throw new IllegalArgumentException(
                  "unknown figure '" + figure + "'; use one of " + FIGURES + " or all");
        }
      } catch (Exception | Error e) {
        failures++;
        report.note("FAILED: " + e);
        e.printStackTrace();
      }
      report.note("took " + (System.nanoTime() - start) / 1_000_000_000 + " s");
      String markdown = report.markdown();
      System.out.println(markdown);
      Files.writeString(out.resolve(figure + ".md"), markdown, StandardCharsets.UTF_8);
    }
    System.exit(failures == 0 ? 0 : 1);
  }

  /** A temporary folder removed, with its content, when the harness exits. */
  static Path tempDir(String prefix) throws IOException {
    Path dir = Files.createTempDirectory(prefix);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> deleteTree(dir)));
    return dir;
  }

  static void deleteTree(Path dir) {
    try (java.util.stream.Stream<Path> paths = Files.walk(dir)) {
      paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException | UncheckedIOException e) {
      // best effort
    }
  }

  static String loadAverage() {
    try {
      String[] parts = Files.readString(Path.of("/proc/loadavg")).split(" ");
      return parts[0] + " " + parts[1] + " " + parts[2];
    } catch (IOException e) {
      return "unknown";
    }
  }

  /** Reads a bounded integer setting, e.g. {@code -Dbench.rounds=20}. */
  static int setting(String key, int fallback) {
    return Integer.getInteger("bench." + key, fallback);
  }

  /**
   * The system configuration with {@code overrides} on top, e.g. a figure's arm that pins the
   * Docker backend's instance protocol and network whatever the environment says.
   */
  static RuntimeConfig config(Map<String, String> overrides) {
    RuntimeConfig system = RuntimeConfig.fromSystem();
    return key -> overrides.containsKey(key) ? Optional.of(overrides.get(key)) : system.get(key);
  }

  /** Docker in RIE-endpoint mode: ports published on 127.0.0.1 of the default bridge. */
  static final Map<String, String> DOCKER_RIE =
      Map.of("lambdarun.docker.instance-protocol", "rie", "lambdarun.docker.network", "bridge");

  /** Docker in Runtime API mode, host network: the containers call core on 127.0.0.1. */
  static final Map<String, String> DOCKER_RUNTIME_API =
      Map.of(
          "lambdarun.docker.instance-protocol", "runtime-api", "lambdarun.docker.network", "host");

  /**
   * The backend of a figure's arm: {@code docker-rie} and {@code docker} are the docker backend
   * (RIE-endpoint and Runtime API mode), {@code local-java} the local one.
   */
  static String backendOf(String arm) {
    return switch (arm) {
      case "docker-rie" -> "docker";
      case "local-java" -> "local";
      default -> arm;
    };
  }

  /** The instance protocol an arm runs in, as the figures state it. */
  static String modeOf(String arm) {
    return arm.endsWith("-rie") ? "RIE-endpoint mode" : "Runtime API mode";
  }

  /** An arm and its mode, for labels: {@code docker (Runtime API mode)}. */
  static String describe(String arm) {
    return arm + " (" + modeOf(arm) + ")";
  }

  /**
   * A runtime builder for an arm, on the tap: the docker arms pin the instance protocol and the
   * network ({@link #DOCKER_RIE}, {@link #DOCKER_RUNTIME_API}) whatever the environment says.
   */
  static LambdaRuntime.Builder runtime(TapProvider tap, String arm) {
    Map<String, String> overrides =
        switch (arm) {
          case "docker-rie" -> DOCKER_RIE;
          case "docker" -> DOCKER_RUNTIME_API;
          default -> Map.of();
        };
    return LambdaRuntime.builder()
        .config(config(overrides))
        .addProvider(tap)
        .backend(tap.backendName())
        .imageMappings(IMAGE_MAPPINGS);
  }

  /** A raw client of one warm instance, timing one round trip of an event. */
  interface RoundTrip extends AutoCloseable {
    long time(byte[] payload, String expected) throws Exception;

    @Override
    void close() throws IOException;
  }

  /**
   * The floor's raw client for one instance of the tapped function: in RIE-endpoint mode the warm
   * figure's keep-alive POST to {@code instance}'s endpoint; in Runtime API mode, where the
   * instance has no endpoint, a new instance of the same spec on a {@link RawRuntimeApi} of its own
   * (closing the round trip terminates it).
   */
  static RoundTrip floorFor(TapProvider tap, Instance instance) throws IOException {
    if (instance.endpoint().isPresent()) {
      WarmInvokeBenchmark.RawPost raw = new WarmInvokeBenchmark.RawPost(instance.invocationUri());
      return new RoundTrip() {
        private byte[] payload;
        private byte[] request;

        @Override
        public long time(byte[] payload, String expected) throws Exception {
          if (payload != this.payload) {
            this.payload = payload;
            request = raw.request(payload);
          }
          return raw.time(request, expected);
        }

        @Override
        public void close() throws IOException {
          raw.close();
        }
      };
    }
    RawRuntimeApi api = RawRuntimeApi.launch(tap.backend, tap.specs.get(0), Duration.ofSeconds(60));
    return new RoundTrip() {
      @Override
      public long time(byte[] payload, String expected) throws Exception {
        return api.time(api.event(payload), expected);
      }

      @Override
      public void close() throws IOException {
        api.close();
      }
    };
  }

  private static Path locateRoot() {
    Path dir = Path.of("").toAbsolutePath();
    for (Path p = dir; p != null; p = p.getParent()) {
      if (Files.isDirectory(p.resolve("examples/hello-python"))
          && Files.isDirectory(p.resolve("scripts"))) {
        return p;
      }
    }
    throw new IllegalStateException(
        "run the harness from the repository (no examples/ above " + dir + ")");
  }

  // ---------------------------------------------------------------------------------------------
  // Functions

  /**
   * The README's hello handler, as a fresh function name each call (so the call is a cold start).
   */
  static LambdaFunction hello(String name) {
    return LambdaFunction.builder()
        .functionName(name)
        .runtime("python3.12")
        .handler("app.handler")
        .code(HELLO_CODE)
        .build();
  }

  static final Archive HELLO_CODE =
      Archive.ofDirectory("hello-python", ROOT.resolve("examples/hello-python"));

  /** The benchmark handlers: {@code bench.echo}, {@code bench.sleep100}, {@code bench.barrier}. */
  static final Path HANDLER_DIR = writeHandlers();

  static final Archive BENCH_CODE = Archive.ofDirectory("bench", HANDLER_DIR);

  static LambdaFunction benchFunction(String name, String handler) {
    return LambdaFunction.builder()
        .functionName(name)
        .runtime("python3.12")
        .handler("bench." + handler)
        .timeout(Duration.ofSeconds(60))
        .code(BENCH_CODE)
        .build();
  }

  /** The warm figure's Java echo: a java21 function of {@link JavaEcho}'s compiled class. */
  static LambdaFunction javaEchoFunction(String name) {
    try {
      Path dir = tempDir("lambdarun-bench-java-echo");
      String file = JavaEcho.class.getName().replace('.', '/') + ".class";
      Path target =
          Files.createDirectories(dir.resolve(file).getParent())
              .resolve(JavaEcho.class.getSimpleName() + ".class");
      try (InputStream in = JavaEcho.class.getResourceAsStream("/" + file)) {
        Files.copy(in, target);
      }
      return LambdaFunction.builder()
          .functionName(name)
          .runtime("java21")
          .handler(JavaEcho.class.getName())
          .timeout(Duration.ofSeconds(60))
          .code(Archive.ofDirectory("bench-java", dir))
          .build();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static Path writeHandlers() {
    try {
      Path dir = tempDir("lambdarun-bench-handlers");
      Files.writeString(
          dir.resolve("bench.py"),
          String.join(
              "\n",
              "import os",
              "import time",
              "",
              "",
              "def echo(event, context):",
              "    return {\"size\": len(event.get(\"data\", \"\"))}",
              "",
              "",
              "def sleep100(event, context):",
              "    time.sleep(0.1)",
              "    return {\"ok\": True}",
              "",
              "",
              "def barrier(event, context):",
              "    # holds the instance until the file exists (bounded: 120 s)",
              "    path = event[\"path\"]",
              "    for _ in range(12000):",
              "        if os.path.exists(path):",
              "            return {\"ok\": True}",
              "        time.sleep(0.01)",
              "    return {\"ok\": False}",
              ""),
          StandardCharsets.UTF_8);
      return dir;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A JSON event of about {@code bytes} bytes: {@code {"data":"xxx..."}}. */
  static byte[] payload(int bytes) {
    String prefix = "{\"data\":\"";
    String suffix = "\"}";
    int fill = Math.max(0, bytes - prefix.length() - suffix.length());
    return (prefix + "x".repeat(fill) + suffix).getBytes(StandardCharsets.UTF_8);
  }

  // ---------------------------------------------------------------------------------------------
  // Statistics

  /** Order statistics of a sample, in milliseconds. */
  record Stats(int n, double min, double median, double p99, double max) {

    static Stats ofNanos(List<Long> nanos) {
      double[] ms = nanos.stream().mapToDouble(v -> v / 1_000_000.0).toArray();
      return of(ms);
    }

    static Stats of(double[] values) {
      if (values.length == 0) {
        throw new IllegalArgumentException("no samples");
      }
      double[] sorted = values.clone();
      Arrays.sort(sorted);
      return new Stats(
          sorted.length,
          sorted[0],
          quantile(sorted, 0.5),
          quantile(sorted, 0.99),
          sorted[sorted.length - 1]);
    }

    /** Linear interpolation between closest ranks. */
    static double quantile(double[] sorted, double q) {
      double pos = q * (sorted.length - 1);
      int lo = (int) Math.floor(pos);
      int hi = (int) Math.ceil(pos);
      return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
    }

    String mmm() {
      return fmt(min) + " / " + fmt(median) + " / " + fmt(max);
    }
  }

  static String fmt(double v) {
    if (Math.abs(v) >= 100) {
      return String.format(Locale.ROOT, "%.0f", v);
    }
    if (Math.abs(v) >= 10) {
      return String.format(Locale.ROOT, "%.1f", v);
    }
    return String.format(Locale.ROOT, "%.2f", v);
  }

  // ---------------------------------------------------------------------------------------------
  // Report

  /** Collects a figure's rows and notes and renders them as Markdown. */
  static final class Report {
    private final String figure;
    private final List<String> rows = new ArrayList<>();
    private final List<String> notes = new ArrayList<>();

    Report(String figure) {
      this.figure = figure;
    }

    /**
     * Adds one result row.
     *
     * @param what the measured quantity
     * @param floor min / median / max of the floor
     * @param subject min / median / max of the subject
     * @param ratio the ratio reported against the target
     * @param target the target, e.g. {@code <= 1.15}
     * @param met whether the target is met
     */
    void row(String what, String floor, String subject, String ratio, String target, boolean met) {
      rows.add(
          "| "
              + figure
              + " | "
              + what
              + " | "
              + floor
              + " | "
              + subject
              + " | "
              + ratio
              + " | "
              + target
              + " | "
              + (met ? "yes" : "**no**")
              + " |");
      System.out.println(
          "  "
              + what
              + ": floor "
              + floor
              + " | subject "
              + subject
              + " | ratio "
              + ratio
              + " | target "
              + target
              + " | "
              + (met ? "MET" : "MISSED"));
    }

    /** Adds a reference row that has no target. */
    void reference(String what, String floor, String subject, String ratio) {
      rows.add(
          "| "
              + figure
              + " | "
              + what
              + " | "
              + floor
              + " | "
              + subject
              + " | "
              + ratio
              + " | - | - |");
      System.out.println(
          "  "
              + what
              + ": floor "
              + floor
              + " | measured "
              + subject
              + " | ratio "
              + ratio
              + " (reference)");
    }

    void note(String text) {
      notes.add(text);
      System.out.println("  note: " + text);
    }

    String markdown() {
      StringBuilder md = new StringBuilder();
      md.append(
          "| figure | quantity | floor min / median / max | lambdarun min / median / max"
              + " | ratio | target | met |\n");
      md.append("|---|---|---|---|---|---|---|\n");
      rows.forEach(r -> md.append(r).append('\n'));
      md.append('\n');
      notes.forEach(n -> md.append("- ").append(n).append('\n'));
      return md.toString();
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Tap: a delegating backend that records what the real one launched

  /**
   * Wraps a discovered provider so the harness sees each instance (its endpoint) and counts them.
   * Every {@link ContainerRuntime} method is forwarded, the default ones too: a wrapper without
   * {@code runtimeApiAccess()} would silently put the backend in RIE-endpoint mode.
   */
  static final class TapProvider implements ContainerRuntimeProvider {
    private final ContainerRuntimeProvider inner;
    final Map<String, Instance> live = new ConcurrentHashMap<>();
    final List<Instance> launched = java.util.Collections.synchronizedList(new ArrayList<>());

    /** The specs core launched, in order (a Runtime API floor relaunches one on its own API). */
    final List<LaunchSpec> specs = java.util.Collections.synchronizedList(new ArrayList<>());

    /** The real backend the last {@link #create} made, for floors that launch past core. */
    volatile ContainerRuntime backend;

    final AtomicInteger liveCount = new AtomicInteger();
    final AtomicInteger maxLive = new AtomicInteger();
    final AtomicInteger launches = new AtomicInteger();

    /** launch() calls under way now, and the most ever under way at once. */
    final AtomicInteger launching = new AtomicInteger();

    final AtomicInteger maxLaunching = new AtomicInteger();

    /** Duration of the last launch() in nanoseconds. */
    volatile long lastLaunchNanos;

    /** System.nanoTime() when the last launch() returned. */
    volatile long lastLaunchEnd;

    private final boolean keep;

    TapProvider(String backend) {
      this(backend, true);
    }

    /**
     * @param keep whether to keep the instances (off when the harness must not add heap)
     */
    TapProvider(String backend, boolean keep) {
      this.keep = keep;
      this.inner =
          ServiceLoader.load(ContainerRuntimeProvider.class).stream()
              .map(ServiceLoader.Provider::get)
              .filter(p -> p.name().equals(backend))
              .findFirst()
              .orElseThrow(
                  () ->
                      new IllegalStateException("no backend '" + backend + "' on the class path"));
    }

    /** The name to pass to {@code LambdaRuntime.Builder.backend}. */
    String backendName() {
      return name();
    }

    @Override
    public String name() {
      return "bench-" + inner.name();
    }

    @Override
    public int priority() {
      return EXPLICIT_ONLY;
    }

    @Override
    public Availability availability(RuntimeConfig config) {
      return inner.availability(config);
    }

    @Override
    public ContainerRuntime create(RuntimeConfig config, Owner owner) {
      ContainerRuntime runtime = inner.create(config, owner);
      backend = runtime;
      return new ForwardingRuntime(runtime) {
        @Override
        public Instance launch(LaunchSpec spec) {
          if (keep) {
            specs.add(spec);
          }
          long started = System.nanoTime();
          maxLaunching.accumulateAndGet(launching.incrementAndGet(), Math::max);
          Instance instance;
          try {
            instance = runtime.launch(spec);
          } finally {
            launching.decrementAndGet();
          }
          lastLaunchEnd = System.nanoTime();
          lastLaunchNanos = lastLaunchEnd - started;
          launches.incrementAndGet();
          if (keep) {
            launched.add(instance);
            live.put(instance.id(), instance);
          }
          maxLive.accumulateAndGet(liveCount.incrementAndGet(), Math::max);
          return instance;
        }

        @Override
        public void terminate(Instance instance) {
          if (!keep || live.remove(instance.id()) != null) {
            liveCount.decrementAndGet();
          }
          runtime.terminate(instance);
        }
      };
    }
  }

  /** Machine facts for the report header. */
  static Map<String, String> machine() {
    Map<String, String> m = new LinkedHashMap<>();
    m.put("nproc", Integer.toString(Runtime.getRuntime().availableProcessors()));
    m.put(
        "jdk",
        System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version"));
    return m;
  }
}
