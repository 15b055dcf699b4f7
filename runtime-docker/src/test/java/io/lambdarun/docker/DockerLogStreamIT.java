package io.lambdarun.docker;

import static org.assertj.core.api.Assertions.assertThat;

import io.lambdarun.api.Archive;
import io.lambdarun.api.ContainerRuntime;
import io.lambdarun.api.Instance;
import io.lambdarun.api.LaunchSpec;
import io.lambdarun.api.LogLine;
import io.lambdarun.api.Owner;
import io.lambdarun.api.RuntimeConfig;
import io.lambdarun.tck.OneEventRuntimeApi;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Docker backend's log stream ({@code followLogs}) and cgroup memory peak on the real engine,
 * containers in host network mode (all traffic on 127.0.0.1).
 */
class DockerLogStreamIT {

  private static final String STREAM_THREAD = "docker-java-stream-";

  @TempDir Path folder;

  private final Owner owner = Owner.forCurrentProcess();
  private ContainerRuntime runtime;

  @BeforeEach
  void create() {
    runtime =
        new DockerRuntimeProvider()
            .create(RuntimeConfig.of(Map.of(DockerConfigKeys.NETWORK, "host")), owner);
  }

  @AfterEach
  void close() {
    runtime.close();
  }

  /** Collects what a stream delivers, and from which threads. */
  private static final class Lines {
    final List<LogLine> lines = new CopyOnWriteArrayList<>();
    final List<String> threads = new CopyOnWriteArrayList<>();

    void add(LogLine line) {
      lines.add(line);
      threads.add(Thread.currentThread().getName());
    }

    List<String> texts() {
      return lines.stream().map(LogLine::text).toList();
    }
  }

  @Test
  @DisplayName(
      "streams the lines written before the call, then the rest in order, then the last"
          + " line without newline when the container exits; one stream thread delivers them")
  void linesInOrderFromStartUpToExit() throws Exception {
    Instance instance =
        runtime.launch(
            bootstrap(
                "echo start-1\n"
                    + "echo start-2\n"
                    + "sleep 1\n"
                    + "i=0; while [ $i -lt 300 ]; do echo line-$i; i=$((i+1)); done\n"
                    + "echo to-stderr >&2\n"
                    + "printf partial-without-newline\n"
                    + "exit 3\n"));
    Thread.sleep(300);
    Lines lines = new Lines();

    assertThat(runtime.followLogs(instance, lines::add)).isTrue();

    awaitTrue(
        () -> "the partial line after " + lines.lines,
        () -> lines.texts().contains("partial-without-newline"));
    List<String> stdout = new ArrayList<>(List.of("start-1", "start-2"));
    for (int i = 0; i < 300; i++) {
      stdout.add("line-" + i);
    }
    stdout.add("partial-without-newline");
    assertThat(lines.texts().stream().filter(text -> !text.equals("to-stderr")))
        .containsExactlyElementsOf(stdout);
    assertThat(lines.texts()).contains("to-stderr");
    assertThat(lines.threads).allMatch(name -> name.startsWith(STREAM_THREAD));
    assertThat(lines.threads.stream().distinct()).hasSize(1);
    assertThat(lines.lines.get(0).timestamp()).isBefore(lines.lines.get(2).timestamp());
  }

  @Test
  @DisplayName("a line printed before the handler returns arrives within 500 ms of the response")
  void lineArrivesShortlyAfterResponse() throws Exception {
    for (int i = 0; i < 3; i++) {
      String marker = "marker-" + i;
      String event = "{\"say\":\"" + marker + "\"}";
      try (OneEventRuntimeApi api = new OneEventRuntimeApi("r-" + i, event)) {
        Instance instance =
            runtime.launch(
                python(
                    api,
                    "def handler(event, context):\n    print(event['say'])\n" + "    return 1\n"));
        Lines lines = new Lines();
        runtime.followLogs(instance, lines::add);
        api.answer().get(60, TimeUnit.SECONDS);
        long answered = System.nanoTime();
        awaitTrue(marker, () -> lines.texts().contains(marker));
        assertThat(Duration.ofNanos(System.nanoTime() - answered))
            .isLessThan(Duration.ofMillis(500));
        runtime.terminate(instance);
      }
    }
  }

  @Test
  @DisplayName("logs(since) answers from the followed lines, exact to the line, not to the second")
  void logsFromTheStream() throws Exception {
    try (OneEventRuntimeApi api = new OneEventRuntimeApi("r-1", "{}")) {
      Instance instance =
          runtime.launch(
              python(
                  api,
                  "import time\nprint('at-start')\ntime.sleep(0.3)\n"
                      + "def handler(event, context):\n    print('during-event')\n    return 1\n"));
      Lines lines = new Lines();
      runtime.followLogs(instance, lines::add);
      api.answer().get(60, TimeUnit.SECONDS);
      awaitTrue("the event's line", () -> lines.texts().contains("during-event"));
      Instant afterStart = lines.lines.get(lines.texts().indexOf("at-start")).timestamp();

      assertThat(runtime.logs(instance, Instant.EPOCH)).isEqualTo("at-start\nduring-event\n");
      assertThat(runtime.logs(instance, afterStart.plusNanos(1))).isEqualTo("during-event\n");
    }
  }

  @Test
  @DisplayName("a listener that throws is caught: the stream goes on with the next lines")
  void throwingListenerIsCaught() throws Exception {
    Instance instance = runtime.launch(bootstrap("echo one\necho two\necho three\nsleep 60\n"));
    Lines lines = new Lines();
    runtime.followLogs(
        instance,
        line -> {
          lines.add(line);
          throw new IllegalStateException("listener failure");
        });
    awaitTrue("three lines", () -> lines.texts().size() == 3);
    assertThat(lines.texts()).containsExactly("one", "two", "three");
  }

  @Test
  @DisplayName("each followed container holds one stream thread, released by terminate and close")
  void noLeakAfterTerminateOrClose() throws Exception {
    runtime.terminate(runtime.launch(bootstrap("sleep 60\n")));
    long baseline = streamThreads();
    List<Instance> instances = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      Instance instance = runtime.launch(bootstrap("echo hi\nsleep 60\n"));
      assertThat(runtime.followLogs(instance, line -> {})).isTrue();
      assertThat(runtime.followLogs(instance, line -> {})).as("a second follow").isFalse();
      instances.add(instance);
    }
    assertThat(streamThreads()).isEqualTo(baseline + 3);

    instances.forEach(runtime::terminate);
    awaitTrue("the stream threads to end", () -> streamThreads() == baseline);

    Instance last = runtime.launch(bootstrap("sleep 60\n"));
    runtime.followLogs(last, line -> {});
    assertThat(streamThreads()).isEqualTo(baseline + 1);
    runtime.close();
    awaitTrue("every stream thread to end", () -> streamThreads() == 0);
  }

  @Test
  @DisplayName("the cgroup's memory peak passes 200 MB when the handler allocates 200 MB")
  void memoryPeakGrows() throws Exception {
    Instance idle;
    try (OneEventRuntimeApi api = new OneEventRuntimeApi("idle", "{}")) {
      idle = runtime.launch(python(api, allocating()));
      api.answer().get(60, TimeUnit.SECONDS);
      assertThat(runtime.maxMemoryUsedBytes(idle).orElseThrow()).isLessThan(150L << 20);
    }
    try (OneEventRuntimeApi api = new OneEventRuntimeApi("big", "{\"allocate\":true}")) {
      Instance big = runtime.launch(python(api, allocating()));
      assertThat(api.answer().get(60, TimeUnit.SECONDS).body()).isEqualTo("209715200");
      assertThat(runtime.maxMemoryUsedBytes(big).orElseThrow()).isGreaterThan(200L << 20);
    }
  }

  private static String allocating() {
    return "def handler(event, context):\n"
        + "    if event.get('allocate'):\n"
        + "        data = b'x' * (200 * 1024 * 1024)\n"
        + "        return len(data)\n"
        + "    return 0\n";
  }

  private LaunchSpec.Builder spec(String runtimeApi) {
    return LaunchSpec.builder()
        .functionName("log-stream")
        .functionArn("arn:aws:lambda:us-east-1:000000000000:function:log-stream")
        .deployId("logs-" + UUID.randomUUID())
        .image(TestEngine.PYTHON_IMAGE)
        .memoryMib(512)
        .timeout(Duration.ofSeconds(30))
        .putEnvironment("AWS_LAMBDA_RUNTIME_API", runtimeApi)
        .labels(owner.labels())
        .runtimeApi(runtimeApi);
  }

  private LaunchSpec python(OneEventRuntimeApi api, String source) throws Exception {
    Path code = Files.createTempDirectory(folder, "code-");
    Files.writeString(code.resolve("app.py"), source);
    return spec(api.address())
        .runtime("python3.12")
        .handler("app.handler")
        .code(Archive.ofDirectory("code", code))
        .build();
  }

  /** A custom runtime whose bootstrap runs {@code script} and never calls the Runtime API. */
  private LaunchSpec bootstrap(String script) throws Exception {
    Path dir = Files.createTempDirectory(folder, "code-");
    Path bootstrap = dir.resolve("bootstrap");
    Files.writeString(bootstrap, "#!/bin/sh\n" + script);
    Files.setPosixFilePermissions(bootstrap, PosixFilePermissions.fromString("rwxr-xr-x"));
    return spec("127.0.0.1:9")
        .runtime("provided.al2023")
        .handler("function.handler")
        .code(Archive.ofDirectory("code", dir))
        .build();
  }

  private static long streamThreads() {
    return Thread.getAllStackTraces().keySet().stream()
        .filter(thread -> thread.isAlive() && thread.getName().startsWith(STREAM_THREAD))
        .count();
  }

  private static void awaitTrue(String what, BooleanSupplier condition) throws Exception {
    awaitTrue(() -> what, condition);
  }

  private static void awaitTrue(Supplier<String> what, BooleanSupplier condition) throws Exception {
    Instant deadline = Instant.now().plusSeconds(20);
    while (!condition.getAsBoolean()) {
      assertThat(Instant.now()).as(() -> "waiting for " + what.get()).isBefore(deadline);
      Thread.sleep(1);
    }
  }
}
