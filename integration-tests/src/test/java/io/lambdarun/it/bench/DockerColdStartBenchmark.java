package io.lambdarun.it.bench;

import static java.nio.charset.StandardCharsets.UTF_8;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.command.InspectContainerResponse;
import com.github.dockerjava.api.model.ExposedPort;
import com.github.dockerjava.api.model.HostConfig;
import com.github.dockerjava.api.model.PortBinding;
import com.github.dockerjava.api.model.Ports;
import com.github.dockerjava.core.DefaultDockerClientConfig;
import com.github.dockerjava.core.DockerClientConfig;
import com.github.dockerjava.core.DockerClientImpl;
import com.github.dockerjava.zerodep.ZerodepDockerHttpClient;
import io.lambdarun.core.LambdaRuntime;
import io.lambdarun.core.model.InvocationResult;
import io.lambdarun.it.bench.Bench.Report;
import io.lambdarun.it.bench.Bench.Stats;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;

/**
 * Figure 1: {@code invoke} on a cold zip function on Docker until the response, in each mode
 * against the same image started directly through docker-java. RIE-endpoint mode: create with the
 * port published on 127.0.0.1, copy the code to /var/task as one tar, start, inspect the port, a
 * GET probe every millisecond until the endpoint answers HTTP, and the same first request. Runtime
 * API mode: create in host network mode against a raw Runtime API, copy, start, and the same event
 * handed to the runtime client's first {@code /next} until its answer.
 */
final class DockerColdStartBenchmark {

  static final String LABEL = "io.lambdarun.bench";
  private static final byte[] EVENT = "{\"name\":\"world\"}".getBytes(UTF_8);
  private static final String ANSWER = "{\"message\": \"Hello, world!\"}";

  /** Floor phase durations, by phase name, in nanoseconds. */
  static final Map<String, List<Long>> PHASES = new java.util.LinkedHashMap<>();

  private DockerColdStartBenchmark() {}

  // synchronized: the scale-cold figure runs eight floors at once
  private static synchronized long phase(String name, long since) {
    long now = System.nanoTime();
    PHASES.computeIfAbsent(name, k -> new ArrayList<>()).add(now - since);
    return now;
  }

  static void run(Report report) throws Exception {
    String arms = System.getProperty("bench.docker.cold.arms", "docker-rie,docker");
    for (String arm : arms.split(",")) {
      runOn(report, arm.trim());
    }
    report.note(
        "RIE-endpoint mode (docker-rie: lambdarun.docker.instance-protocol=rie, default"
            + " bridge): floor = docker-java create (image "
            + Bench.PYTHON_IMAGE
            + ", command"
            + " app.handler, 8080 published on 127.0.0.1) + copy of the same code as a tar to"
            + " /var/task + start + inspect for the port, then "
            + (Boolean.parseBoolean(System.getProperty("bench.docker.floorGetProbe", "true"))
                ? "GET / every 1 ms until an HTTP status line, then the same first POST"
                : "the same first POST retried every 1 ms until answered")
            + " (-Dbench.docker.floorGetProbe=false: POST retries only; both floors measured within"
            + " 5% of each other here)");
    report.note(
        "Runtime API mode (docker: the default protocol, lambdarun.docker.network=host):"
            + " floor = docker-java create (same image and command, host network mode,"
            + " AWS_LAMBDA_RUNTIME_API pointing at a raw Runtime API in the harness on 127.0.0.1, so the"
            + " image's entry point execs its bootstrap) + the same copy + start, then the event handed"
            + " to the runtime client's first /next, timed until its /response has arrived");
    report.note(
        "lambdarun: LambdaRuntime.invoke on a new function (backend docker, the arm's"
            + " mode), containers removed between rounds outside the timing; rounds alternate"
            + " floor-first / lambdarun-first");
  }

  private static void runOn(Report report, String arm) throws Exception {
    boolean rie = Bench.modeOf(arm).startsWith("RIE");
    int warmup = Bench.setting("warmup", 2);
    int rounds = Bench.setting("rounds", 15);
    Bench.TapProvider tap = new Bench.TapProvider(Bench.backendOf(arm));
    byte[] tar = codeTar(Bench.ROOT.resolve("examples/hello-python"));
    HttpClient http =
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofMillis(1500))
            .build();
    List<Long> floor = new ArrayList<>();
    List<Long> subject = new ArrayList<>();
    List<Double> ratios = new ArrayList<>();
    List<Long> launchPhase = new ArrayList<>();
    boolean replica =
        rie && Boolean.parseBoolean(System.getProperty("bench.docker.fakecloud", "true"));
    List<Long> fakecloud = new ArrayList<>();
    List<Long> afterLaunch = new ArrayList<>();
    PHASES.clear();
    try (DockerClient docker = dockerClient();
        LambdaRuntime runtime = Bench.runtime(tap, arm).maxInstancesPerFunction(1).build()) {
      removeLeftovers(docker);
      for (int i = 0; i < warmup + rounds; i++) {
        // A/B then B/A: alternate which goes first so drift and ordering cancel.
        long a;
        long b;
        if (i % 2 == 0) {
          a = rie ? floorOnce(docker, http, tar) : floorRuntimeApiOnce(docker, tar, null);
          b = subjectOnce(runtime, "bench-cold-" + i);
        } else {
          b = subjectOnce(runtime, "bench-cold-" + i);
          a = rie ? floorOnce(docker, http, tar) : floorRuntimeApiOnce(docker, tar, null);
        }
        long c = replica ? fakecloudOnce(http) : 0;
        if (replica && i >= warmup) {
          fakecloud.add(c);
        }
        String phase = i < warmup ? "warmup" : "round";
        System.out.printf(
            "  %s %s %d: floor %.1f ms, lambdarun %.1f ms%n", arm, phase, i, a / 1e6, b / 1e6);
        if (i >= warmup) {
          launchPhase.add(tap.lastLaunchNanos);
          afterLaunch.add(b - tap.lastLaunchNanos);
          floor.add(a);
          subject.add(b);
          ratios.add((double) b / a);
        }
      }
    }
    Stats f = Stats.ofNanos(floor);
    Stats s = Stats.ofNanos(subject);
    Stats r = Stats.of(ratios.stream().mapToDouble(Double::doubleValue).toArray());
    double ratio = s.median() / f.median();
    report.row(
        Bench.describe(arm) + ", cold invoke until response (ms), " + rounds + " pairs",
        f.mmm(),
        s.mmm(),
        Bench.fmt(ratio) + " (pairwise " + r.mmm() + ")",
        "median <= 1.15",
        ratio <= 1.15);
    if (replica) {
      Stats fc = Stats.ofNanos(fakecloud);
      report.reference(
          "reference, not lambdarun: fakecloud's procedure replayed with the docker" + " CLI (ms)",
          f.mmm(),
          fc.mmm(),
          Bench.fmt(fc.median() / f.median()));
    }
    StringBuilder phases = new StringBuilder();
    PHASES.forEach(
        (phase, values) ->
            phases
                .append(phase)
                .append(' ')
                .append(
                    Bench.fmt(
                        Stats.ofNanos(
                                values.subList(Math.min(warmup, values.size() - 1), values.size()))
                            .median()))
                .append(", "));
    report.note(
        Bench.describe(arm)
            + ": median phases (ms): lambdarun backend launch() "
            + Bench.fmt(Stats.ofNanos(launchPhase).median())
            + ", rest of invoke (core"
            + (rie ? " + first request" : ": waiting for the first /next, the event and its answer")
            + ") "
            + Bench.fmt(Stats.ofNanos(afterLaunch).median())
            + "; floor "
            + phases.substring(0, Math.max(0, phases.length() - 2)));
  }

  /** One cold invoke on a function name never used before; removes the instance afterwards. */
  private static long subjectOnce(LambdaRuntime runtime, String name) {
    long start = System.nanoTime();
    InvocationResult result = runtime.invoke(Bench.hello(name), EVENT);
    long elapsed = System.nanoTime() - start;
    check(result.payloadUtf8(), "lambdarun");
    if (!result.coldStart()) {
      throw new IllegalStateException("expected a cold start for " + name);
    }
    runtime.evict(name);
    return elapsed;
  }

  /** The floor: the same image started directly, then the same first request. */
  static long floorOnce(DockerClient docker, HttpClient http, byte[] tar) throws Exception {
    return floorOnce(docker, http, tar, null);
  }

  /**
   * The floor, leaving the container for the caller to remove when {@code keep} is not null (its id
   * is added there once it answered), so that parallel floors do not time each other's removal.
   */
  static long floorOnce(DockerClient docker, HttpClient http, byte[] tar, List<String> keep)
      throws Exception {
    long start = System.nanoTime();
    String id =
        docker
            .createContainerCmd(Bench.PYTHON_IMAGE)
            .withCmd("app.handler")
            .withExposedPorts(ExposedPort.tcp(8080))
            .withLabels(Map.of(LABEL, "floor"))
            .withHostConfig(
                HostConfig.newHostConfig()
                    .withPortBindings(
                        new PortBinding(Ports.Binding.bindIp("127.0.0.1"), ExposedPort.tcp(8080))))
            .exec()
            .getId();
    long mark = phase("create", start);
    try {
      docker
          .copyArchiveToContainerCmd(id)
          .withRemotePath("/")
          .withTarInputStream(new ByteArrayInputStream(tar))
          .exec();
      mark = phase("copy", mark);
      docker.startContainerCmd(id).exec();
      mark = phase("start", mark);
      int port = publishedPort(docker.inspectContainerCmd(id).exec());
      mark = phase("inspect", mark);
      URI uri =
          URI.create("http://127.0.0.1:" + port + "/2015-03-31/functions/function/invocations");
      if (Boolean.parseBoolean(System.getProperty("bench.docker.floorGetProbe", "true"))) {
        awaitHttp(port, Duration.ofSeconds(20));
        mark = phase("GET probe", mark);
      }
      String answer = firstRequest(http, uri, EVENT, Duration.ofSeconds(20));
      phase("first request", mark);
      long elapsed = System.nanoTime() - start;
      check(answer, "floor");
      if (keep != null) {
        keep.add(id);
        id = null;
      }
      return elapsed;
    } finally {
      if (id != null) {
        remove(docker, id);
      }
    }
  }

  /**
   * The Runtime API floor: the same image started directly in host network mode with {@code
   * AWS_LAMBDA_RUNTIME_API} pointing at a raw Runtime API, then the same event handed to the
   * runtime client's first {@code /next}, until its {@code /response} has arrived. The container is
   * left to the caller when {@code keep} is not null (its id is added there).
   */
  static long floorRuntimeApiOnce(DockerClient docker, byte[] tar, List<String> keep)
      throws Exception {
    try (RawRuntimeApi api = RawRuntimeApi.open("bench-floor")) {
      long start = System.nanoTime();
      String id =
          docker
              .createContainerCmd(Bench.PYTHON_IMAGE)
              .withCmd("app.handler")
              .withEnv("AWS_LAMBDA_RUNTIME_API=" + api.address())
              .withLabels(Map.of(LABEL, "floor"))
              .withHostConfig(HostConfig.newHostConfig().withNetworkMode("host"))
              .exec()
              .getId();
      long mark = phase("create", start);
      try {
        docker
            .copyArchiveToContainerCmd(id)
            .withRemotePath("/")
            .withTarInputStream(new ByteArrayInputStream(tar))
            .exec();
        mark = phase("copy", mark);
        docker.startContainerCmd(id).exec();
        mark = phase("start", mark);
        api.awaitFirstNext(Duration.ofSeconds(20), "floor container '" + id + "'");
        mark = phase("first /next", mark);
        long arrived = api.deliver(api.event(EVENT), ANSWER);
        phase("event and answer", mark);
        if (keep != null) {
          keep.add(id);
          id = null;
        }
        return arrived - start;
      } finally {
        if (id != null) {
          remove(docker, id);
        }
      }
    }
  }

  /**
   * fakecloud's zip launch (reference section 2.3) replayed with the docker CLI, on loopback:
   * create with the port published, cp the code, start, port, then 500 ms sleeps between TCP
   * probes, then the same first request (retried until answered, since a TCP accept by the userland
   * proxy does not mean the RIE listens).
   */
  static long fakecloudOnce(HttpClient http) throws Exception {
    long start = System.nanoTime();
    String id =
        cli(
            "create",
            "-p",
            "127.0.0.1::8080",
            "--label",
            LABEL + "=floor",
            "--tmpfs",
            "/tmp:size=512m,exec",
            Bench.PYTHON_IMAGE,
            "app.handler");
    try {
      cli("cp", Bench.ROOT.resolve("examples/hello-python") + "/.", id + ":/var/task");
      cli("start", id);
      String out = cli("port", id, "8080");
      int port =
          Integer.parseInt(
              out.lines()
                  .findFirst()
                  .orElseThrow()
                  .substring(out.lines().findFirst().orElseThrow().lastIndexOf(':') + 1)
                  .trim());
      for (int round = 0; round < 20; round++) {
        Thread.sleep(500);
        try (java.net.Socket socket = new java.net.Socket()) {
          socket.connect(new java.net.InetSocketAddress("127.0.0.1", port), 2000);
          break;
        } catch (IOException e) {
          // not yet
        }
      }
      String answer =
          firstRequest(
              http,
              URI.create("http://127.0.0.1:" + port + "/2015-03-31/functions/function/invocations"),
              EVENT,
              Duration.ofSeconds(20));
      long elapsed = System.nanoTime() - start;
      check(answer, "fakecloud replica");
      return elapsed;
    } finally {
      cli("rm", "-f", id);
    }
  }

  private static String cli(String... args) throws Exception {
    List<String> argv = new ArrayList<>();
    argv.add("docker");
    argv.addAll(List.of(args));
    Process process = new ProcessBuilder(argv).redirectErrorStream(true).start();
    String out = new String(process.getInputStream().readAllBytes(), UTF_8).strip();
    if (!process.waitFor(60, java.util.concurrent.TimeUnit.SECONDS) || process.exitValue() != 0) {
      throw new IllegalStateException("docker " + String.join(" ", args) + " failed: " + out);
    }
    return out;
  }

  /** POSTs until an HTTP answer comes back (connection refused or reset: retry after 1 ms). */
  static String firstRequest(HttpClient http, URI uri, byte[] body, Duration limit)
      throws InterruptedException {
    long deadline = System.nanoTime() + limit.toNanos();
    HttpRequest request =
        HttpRequest.newBuilder(uri)
            .timeout(Duration.ofSeconds(30))
            .POST(HttpRequest.BodyPublishers.ofByteArray(body))
            .build();
    IOException last = null;
    while (System.nanoTime() < deadline) {
      try {
        HttpResponse<byte[]> response = http.send(request, HttpResponse.BodyHandlers.ofByteArray());
        return new String(response.body(), UTF_8);
      } catch (IOException e) {
        last = e;
        Thread.sleep(1);
      }
    }
    throw new IllegalStateException("no answer from " + uri + " within " + limit, last);
  }

  /**
   * Variant floor: GET / every 1 ms until any HTTP status line comes back (as the backend probes).
   */
  static void awaitHttp(int port, Duration limit) throws InterruptedException {
    long deadline = System.nanoTime() + limit.toNanos();
    while (System.nanoTime() < deadline) {
      try (java.net.Socket socket = new java.net.Socket("127.0.0.1", port)) {
        socket.setSoTimeout(2000);
        socket.getOutputStream().write("GET / HTTP/1.0\r\nHost: x\r\n\r\n".getBytes(UTF_8));
        byte[] head = socket.getInputStream().readNBytes(5);
        if (new String(head, UTF_8).equals("HTTP/")) {
          return;
        }
      } catch (IOException e) {
        // not yet
      }
      Thread.sleep(1);
    }
    throw new IllegalStateException("no HTTP on port " + port + " within " + limit);
  }

  static int publishedPort(InspectContainerResponse inspected) {
    Ports.Binding[] bindings =
        inspected.getNetworkSettings().getPorts().getBindings().get(ExposedPort.tcp(8080));
    if (bindings == null || bindings.length == 0) {
      throw new IllegalStateException("no published port on " + inspected.getId());
    }
    return Integer.parseInt(bindings[0].getHostPortSpec());
  }

  static DockerClient dockerClient() {
    DockerClientConfig config = DefaultDockerClientConfig.createDefaultConfigBuilder().build();
    ZerodepDockerHttpClient http =
        new ZerodepDockerHttpClient.Builder()
            .dockerHost(config.getDockerHost())
            .sslConfig(config.getSSLConfig())
            .connectionTimeout(Duration.ofSeconds(5))
            .responseTimeout(Duration.ofSeconds(60))
            .build();
    return DockerClientImpl.getInstance(config, http);
  }

  static void remove(DockerClient docker, String id) {
    docker.removeContainerCmd(id).withForce(true).withRemoveVolumes(true).exec();
  }

  /** Removes floor containers a killed earlier run left behind. */
  static void removeLeftovers(DockerClient docker) {
    docker
        .listContainersCmd()
        .withShowAll(true)
        .withLabelFilter(Map.of(LABEL, "floor"))
        .exec()
        .forEach(c -> docker.removeContainerCmd(c.getId()).withForce(true).exec());
  }

  /** The folder's files as a tar under var/task/, owned by root, as the backend copies them. */
  static byte[] codeTar(Path folder) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (TarArchiveOutputStream tar = new TarArchiveOutputStream(bytes);
        Stream<Path> files = Files.walk(folder)) {
      tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
      TarArchiveEntry dir = new TarArchiveEntry("var/task/");
      dir.setMode(040755);
      tar.putArchiveEntry(dir);
      tar.closeArchiveEntry();
      for (Path file : files.filter(Files::isRegularFile).sorted().toList()) {
        byte[] content = Files.readAllBytes(file);
        TarArchiveEntry entry = new TarArchiveEntry("var/task/" + folder.relativize(file));
        entry.setMode(0100644);
        entry.setSize(content.length);
        tar.putArchiveEntry(entry);
        tar.write(content);
        tar.closeArchiveEntry();
      }
    }
    return bytes.toByteArray();
  }

  private static void check(String answer, String who) {
    if (!ANSWER.equals(answer)) {
      throw new IllegalStateException(
          who + " answered '" + answer + "', expected '" + ANSWER + "'");
    }
  }
}
