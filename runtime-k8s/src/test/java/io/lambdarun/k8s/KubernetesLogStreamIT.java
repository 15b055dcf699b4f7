package io.lambdarun.k8s;

import static org.assertj.core.api.Assertions.assertThat;

import io.lambdarun.api.Archive;
import io.lambdarun.api.ContainerRuntime;
import io.lambdarun.api.Instance;
import io.lambdarun.api.LaunchSpec;
import io.lambdarun.api.LogLine;
import io.lambdarun.api.Owner;
import io.lambdarun.api.RuntimeConfig;
import io.lambdarun.k8s.kubelet.KubeletApiServer;
import io.lambdarun.tck.OneEventRuntimeApi;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Kubernetes backend's log stream ({@code followLogs}, the pod log followed through the API
 * server) with the test kubelet, whose front streams {@code pods/log?follow=true}; pods in host
 * network mode, all traffic on 127.0.0.1.
 */
class KubernetesLogStreamIT {

  private static final String NAMESPACE = "lambdarun-logs-it";

  private static KubeletApiServer cluster;

  @TempDir Path folder;

  private final Owner owner = Owner.forCurrentProcess();
  private ContainerRuntime runtime;

  @BeforeAll
  static void startCluster() {
    cluster = new KubeletApiServer(NAMESPACE);
  }

  @AfterAll
  static void stopCluster() {
    if (cluster != null) {
      cluster.close();
    }
  }

  @BeforeEach
  void create() {
    runtime =
        new KubernetesRuntimeProvider()
            .create(RuntimeConfig.of(cluster.runtimeConfig(NAMESPACE)), owner);
  }

  @AfterEach
  void close() {
    runtime.close();
  }

  /** Collects what a stream delivers. */
  private static final class Lines {
    final List<LogLine> lines = new CopyOnWriteArrayList<>();

    void add(LogLine line) {
      lines.add(line);
    }

    List<String> texts() {
      return lines.stream().map(LogLine::text).toList();
    }
  }

  @Test
  @DisplayName(
      "streams the lines written before the call, then the rest in order, then the last"
          + " line without newline when the container exits")
  void linesInOrderFromStartUpToExit() throws Exception {
    Instance instance =
        runtime.launch(
            bootstrap(
                "echo start-1\n"
                    + "echo start-2\n"
                    + "sleep 1\n"
                    + "i=0; while [ $i -lt 300 ]; do echo line-$i; i=$((i+1)); done\n"
                    + "printf partial-without-newline\n"
                    + "exit 3\n"));
    Lines lines = new Lines();

    assertThat(runtime.followLogs(instance, lines::add)).isTrue();

    awaitTrue(
        () -> "the partial line after " + lines.texts(),
        () -> lines.texts().contains("partial-without-newline"));
    List<String> expected = new ArrayList<>(List.of("start-1", "start-2"));
    for (int i = 0; i < 300; i++) {
      expected.add("line-" + i);
    }
    expected.add("partial-without-newline");
    assertThat(lines.texts()).containsExactlyElementsOf(expected);
  }

  @Test
  @DisplayName("a line printed before the handler returns arrives within 500 ms of the response")
  void lineArrivesShortlyAfterResponse() throws Exception {
    try (OneEventRuntimeApi api = new OneEventRuntimeApi("r-1", "{\"say\":\"marker-1\"}")) {
      Instance instance =
          runtime.launch(
              python(
                  api,
                  "import time\ntime.sleep(0.5)\n"
                      + "def handler(event, context):\n    print(event['say'])\n    return 1\n"));
      Lines lines = new Lines();
      runtime.followLogs(instance, lines::add);
      api.answer().get(60, TimeUnit.SECONDS);
      long answered = System.nanoTime();
      awaitTrue(() -> "marker-1 after " + lines.texts(), () -> lines.texts().contains("marker-1"));
      assertThat(Duration.ofNanos(System.nanoTime() - answered)).isLessThan(Duration.ofMillis(500));
      assertThat(runtime.logs(instance, Instant.EPOCH)).isEqualTo("marker-1\n");
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
    awaitTrue(() -> "three lines after " + lines.texts(), () -> lines.texts().size() == 3);
    assertThat(lines.texts()).containsExactly("one", "two", "three");
  }

  @Test
  @DisplayName("terminate and close end the followed pods' log connections")
  void noLeakAfterTerminateOrClose() throws Exception {
    long before = openLogStreams();
    List<Instance> instances = new ArrayList<>();
    for (int i = 0; i < 2; i++) {
      Instance instance = runtime.launch(bootstrap("echo hi\nsleep 60\n"));
      assertThat(runtime.followLogs(instance, line -> {})).isTrue();
      assertThat(runtime.followLogs(instance, line -> {})).as("a second follow").isFalse();
      instances.add(instance);
    }
    awaitTrue(() -> "two followed logs", () -> openLogStreams() == before + 2);

    runtime.terminate(instances.get(0));
    awaitTrue(() -> "one followed log", () -> openLogStreams() == before + 1);
    runtime.close();
    awaitTrue(() -> "no followed log", () -> openLogStreams() == before);
  }

  @Test
  @DisplayName("the memory peak is not measured on Kubernetes: empty")
  void noMemoryPeak() throws Exception {
    Instance instance = runtime.launch(bootstrap("sleep 60\n"));
    assertThat(runtime.maxMemoryUsedBytes(instance)).isEmpty();
  }

  /** The log follows the kubelet's front serves now: its docker-java stream threads. */
  private static long openLogStreams() {
    return cluster.kubelet().followedLogs();
  }

  private LaunchSpec.Builder spec(String runtimeApi) {
    return LaunchSpec.builder()
        .functionName("log-stream")
        .functionArn("arn:aws:lambda:us-east-1:000000000000:function:log-stream")
        .deployId("logs-" + UUID.randomUUID())
        .image(KubernetesRuntimeContractIT.PYTHON_IMAGE)
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

  private static void awaitTrue(Supplier<String> what, BooleanSupplier condition) throws Exception {
    Instant deadline = Instant.now().plusSeconds(20);
    while (!condition.getAsBoolean()) {
      assertThat(Instant.now()).as(() -> "waiting for " + what.get()).isBefore(deadline);
      Thread.sleep(1);
    }
  }
}
