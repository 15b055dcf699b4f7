package io.lambdarun.docker;

import static org.assertj.core.api.Assertions.assertThat;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.command.EventsCmd;
import io.lambdarun.api.Archive;
import io.lambdarun.api.Instance;
import io.lambdarun.api.LaunchSpec;
import io.lambdarun.api.Owner;
import io.lambdarun.api.RuntimeConfig;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.UnaryOperator;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Where {@code exitCode} gets its answer in Runtime API mode: from the engine's container events
 * while their stream is open (no engine call), from one inspect per call once it has ended, and a
 * closed runtime leaves no events thread behind. Each runtime runs on a client that counts the
 * engine calls it is asked for, in host network mode.
 */
class ContainerExitEventsIT {

  private static final String STREAM_THREAD = "docker-java-stream-";

  @TempDir Path folder;

  private final Map<String, AtomicInteger> calls = new ConcurrentHashMap<>();
  private final Owner owner = Owner.forCurrentProcess();

  @Test
  void whileTheEventsStreamIsOpenExitCodeAsksTheEngineNothing() throws Exception {
    try (DockerContainerRuntime runtime = runtime(UnaryOperator.identity())) {
      Instance instance = runtime.launch(exitingAfter(Duration.ofSeconds(2), 7));
      int inspectsAfterLaunch = count("inspectContainerCmd");

      assertThat(runtime.exitCode(instance)).as("while it runs").isEmpty();
      assertThat(exitCodeWithin(runtime, instance)).hasValue(7);
      assertThat(count("inspectContainerCmd")).isEqualTo(inspectsAfterLaunch);
      assertThat(count("eventsCmd")).isEqualTo(1);

      TestEngine.client().removeContainerCmd(instance.id()).withForce(true).exec();
      assertThat(runtime.exitCode(instance)).as("its death stays recorded").hasValue(7);
      assertThat(count("inspectContainerCmd")).isEqualTo(inspectsAfterLaunch);
    }
  }

  @Test
  void theEventsStreamOutlivesTheEngineCallTimeout() throws Exception {
    try (DockerContainerRuntime runtime =
        runtime(UnaryOperator.identity(), Map.of(DockerConfigKeys.API_TIMEOUT, "2s"))) {
      Instance instance = runtime.launch(exitingAfter(Duration.ofSeconds(5), 7));
      int inspectsAfterLaunch = count("inspectContainerCmd");

      assertThat(exitCodeWithin(runtime, instance)).hasValue(7);
      assertThat(count("inspectContainerCmd")).isEqualTo(inspectsAfterLaunch);
    }
  }

  @Test
  void aContainerRemovedOutOfBandIsKilledWithoutAnEngineCall() throws Exception {
    try (DockerContainerRuntime runtime = runtime(UnaryOperator.identity())) {
      Instance instance = runtime.launch(exitingAfter(Duration.ofSeconds(60), 7));
      int inspectsAfterLaunch = count("inspectContainerCmd");

      TestEngine.client().removeContainerCmd(instance.id()).withForce(true).exec();

      assertThat(exitCodeWithin(runtime, instance)).hasValue(137);
      assertThat(count("inspectContainerCmd")).isEqualTo(inspectsAfterLaunch);
    }
  }

  @Test
  void onceTheEventsStreamEndsExitCodeInspectsAndTheNextLaunchSubscribesAgain() throws Exception {
    // the engine ends a stream at its 'until' (a second on), as when it restarts: before the
    // container dies
    try (DockerContainerRuntime runtime =
        runtime(events -> events.withUntil(Long.toString(Instant.now().getEpochSecond() + 1)))) {
      Instance instance = runtime.launch(exitingAfter(Duration.ofSeconds(4), 7));
      int inspectsAfterLaunch = count("inspectContainerCmd");

      assertThat(exitCodeWithin(runtime, instance)).hasValue(7);
      assertThat(count("inspectContainerCmd")).isGreaterThan(inspectsAfterLaunch);

      runtime.launch(exitingAfter(Duration.ofSeconds(60), 0));
      assertThat(count("eventsCmd")).isEqualTo(2);
    }
  }

  @Test
  void closeLeavesNoEventsThreadBehind() throws Exception {
    Set<Thread> before = streamThreads();
    DockerContainerRuntime runtime = runtime(UnaryOperator.identity());
    runtime.launch(exitingAfter(Duration.ofSeconds(60), 0));
    Set<Thread> opened = streamThreads();
    opened.removeAll(before);
    assertThat(opened).as("the runtime's events stream threads").hasSize(1);

    runtime.close();

    Instant deadline = Instant.now().plusSeconds(10);
    while (opened.stream().anyMatch(Thread::isAlive) && Instant.now().isBefore(deadline)) {
      Thread.sleep(20);
    }
    assertThat(opened).noneMatch(Thread::isAlive);
  }

  private DockerContainerRuntime runtime(UnaryOperator<EventsCmd> events) {
    return runtime(events, Map.of());
  }

  private DockerContainerRuntime runtime(
      UnaryOperator<EventsCmd> events, Map<String, String> config) {
    Map<String, String> keys = new HashMap<>(config);
    keys.put(DockerConfigKeys.NETWORK, "host");
    DockerSettings settings = DockerSettings.from(RuntimeConfig.of(keys), System.getenv());
    DockerClient engine = DockerClients.open(settings, settings.apiTimeout());
    DockerClient counting =
        (DockerClient)
            Proxy.newProxyInstance(
                DockerClient.class.getClassLoader(),
                new Class<?>[] {DockerClient.class},
                (proxy, method, args) -> {
                  calls
                      .computeIfAbsent(method.getName(), name -> new AtomicInteger())
                      .incrementAndGet();
                  try {
                    Object answer = method.invoke(engine, args);
                    return answer instanceof EventsCmd cmd ? events.apply(cmd) : answer;
                  } catch (InvocationTargetException e) {
                    throw e.getCause();
                  }
                });
    return new DockerContainerRuntime(counting, settings, Engine.probe(engine), owner);
  }

  /** A custom runtime whose bootstrap never calls the Runtime API: it sleeps, then exits. */
  private LaunchSpec exitingAfter(Duration sleep, int code) throws Exception {
    Path dir = Files.createTempDirectory(folder, "code-");
    Path bootstrap = dir.resolve("bootstrap");
    Files.writeString(bootstrap, "#!/bin/sh\nsleep " + sleep.toSeconds() + "\nexit " + code + "\n");
    Files.setPosixFilePermissions(bootstrap, PosixFilePermissions.fromString("rwxr-xr-x"));
    return LaunchSpec.builder()
        .functionName("exit-events")
        .functionArn("arn:aws:lambda:us-east-1:000000000000:function:exit-events")
        .deployId("exit-" + UUID.randomUUID())
        .runtime("provided.al2023")
        .handler("function.handler")
        .image(TestEngine.PYTHON_IMAGE)
        .code(Archive.ofDirectory("code", dir))
        .putEnvironment("AWS_LAMBDA_RUNTIME_API", "127.0.0.1:9")
        .labels(owner.labels())
        .runtimeApi("127.0.0.1:9")
        .build();
  }

  private static OptionalInt exitCodeWithin(DockerContainerRuntime runtime, Instance instance)
      throws InterruptedException {
    Instant deadline = Instant.now().plusSeconds(30);
    OptionalInt exit = runtime.exitCode(instance);
    while (exit.isEmpty() && Instant.now().isBefore(deadline)) {
      Thread.sleep(20);
      exit = runtime.exitCode(instance);
    }
    return exit;
  }

  private int count(String method) {
    AtomicInteger count = calls.get(method);
    return count == null ? 0 : count.get();
  }

  private static Set<Thread> streamThreads() {
    return Thread.getAllStackTraces().keySet().stream()
        .filter(thread -> thread.isAlive() && thread.getName().startsWith(STREAM_THREAD))
        .collect(Collectors.toCollection(HashSet::new));
  }
}
