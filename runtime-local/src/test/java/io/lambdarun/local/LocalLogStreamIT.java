package io.lambdarun.local;

import static org.assertj.core.api.Assertions.assertThat;

import io.lambdarun.api.ContainerRuntime;
import io.lambdarun.api.Instance;
import io.lambdarun.api.LaunchSpec;
import io.lambdarun.api.LogLine;
import io.lambdarun.api.Owner;
import io.lambdarun.api.RuntimeConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The local backend's log stream ({@code followLogs}) and memory peak on real processes. */
class LocalLogStreamIT {

  private static final String PYTHON = "python3.12";
  private static final String FOLLOWER_THREAD = "lambdarun-local-output";

  private final Invoker invoker = new Invoker();
  private Owner owner;
  private ContainerRuntime runtime;

  @BeforeEach
  void create() {
    owner = Owner.forCurrentProcess();
    runtime = new LocalRuntimeProvider().create(RuntimeConfig.empty(), owner);
  }

  @AfterEach
  void close() {
    runtime.close();
    invoker.close();
  }

  private LaunchSpec python(String source) {
    return TestFunctions.spec(owner, PYTHON, "app.handler", TestFunctions.zip("app.py", source))
        .build();
  }

  /** Collects lines; the texts list is what the stream delivered, in order. */
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
      "streams start-up lines written before the call, then event lines in order, then"
          + " the last line without newline when the process exits; one thread delivers them all")
  void linesInOrderFromStartUpToExit() {
    Instance instance =
        invoker.launch(
            runtime,
            python(
                "import os, sys\n"
                    + "print('init-1')\n"
                    + "print('init-2', file=sys.stderr)\n"
                    + "def handler(event, context):\n"
                    + "    for i in range(200):\n"
                    + "        print('line-%d' % i)\n"
                    + "    if event.get('exit'):\n"
                    + "        sys.stdout.write('partial-without-newline')\n"
                    + "        sys.stdout.flush()\n"
                    + "        os._exit(3)\n"
                    + "    return 'ok'\n"));
    Lines lines = new Lines();

    assertThat(runtime.followLogs(instance, lines::add)).isTrue();
    assertThat(invoker.invoke(instance, "{}").body()).isEqualTo("\"ok\"");
    invoker.invoke(instance, "{\"exit\":true}");

    List<String> expected = new ArrayList<>(List.of("init-1", "init-2"));
    for (int round = 0; round < 2; round++) {
      for (int i = 0; i < 200; i++) {
        expected.add("line-" + i);
      }
    }
    expected.add("partial-without-newline");
    awaitTrue("the partial line", () -> lines.texts().contains("partial-without-newline"));
    awaitTrue("the follower thread to end with the stream", () -> followerThreads() == 0);
    assertThat(lines.texts()).containsExactlyElementsOf(expected);
    assertThat(lines.threads).containsOnly(FOLLOWER_THREAD);
    for (int i = 1; i < lines.lines.size(); i++) {
      assertThat(lines.lines.get(i).timestamp())
          .isAfterOrEqualTo(lines.lines.get(i - 1).timestamp());
    }
  }

  @Test
  @DisplayName(
      "a line printed before the handler returns arrives within 500 ms of the response"
          + " (the guarantee core relies on to attribute it)")
  void lineArrivesShortlyAfterResponse() {
    Instance instance =
        invoker.launch(
            runtime,
            python("def handler(event, context):\n    print(event['say'])\n    return 1\n"));
    Lines lines = new Lines();
    runtime.followLogs(instance, lines::add);
    long slowest = 0;
    for (int i = 0; i < 20; i++) {
      String marker = "marker-" + i;
      invoker.invoke(instance, "{\"say\":\"" + marker + "\"}");
      long answered = System.nanoTime();
      awaitTrue(marker, () -> lines.texts().contains(marker));
      slowest = Math.max(slowest, System.nanoTime() - answered);
    }
    assertThat(Duration.ofNanos(slowest)).isLessThan(Duration.ofMillis(500));
  }

  @Test
  @DisplayName(
      "a last line without newline (as the Java client's LambdaLogger writes it) arrives"
          + " whole within 500 ms of the response while the runtime waits for the next event")
  void lineWithoutNewlineArrivesOnceTheOutputIsQuiet() {
    Instance instance =
        invoker.launch(
            runtime,
            python(
                "import sys\n"
                    + "def handler(event, context):\n"
                    + "    sys.stdout.write('first ' + event['say'])\n"
                    + "    sys.stdout.write(' second\\n')\n"
                    + "    sys.stdout.write(event['say'])\n"
                    + "    sys.stdout.flush()\n"
                    + "    return 1\n"));
    Lines lines = new Lines();
    runtime.followLogs(instance, lines::add);
    for (int i = 0; i < 5; i++) {
      String marker = "marker-" + i;
      invoker.invoke(instance, "{\"say\":\"" + marker + "\"}");
      long answered = System.nanoTime();
      awaitTrue(marker, () -> lines.texts().contains(marker));
      assertThat(Duration.ofNanos(System.nanoTime() - answered)).isLessThan(Duration.ofMillis(500));
    }
    List<String> expected = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      expected.add("first marker-" + i + " second");
      expected.add("marker-" + i);
    }
    assertThat(lines.texts()).containsExactlyElementsOf(expected);
  }

  @Test
  @DisplayName("logs(since) answers from the followed lines, exact to the millisecond")
  void logsFromTheStream() throws Exception {
    Instance instance =
        invoker.launch(
            runtime,
            python("def handler(event, context):\n    print(event['say'])\n    return 1\n"));
    runtime.followLogs(instance, line -> {});
    invoker.invoke(instance, "{\"say\":\"first-line\"}");
    Thread.sleep(3 * OutputFollower.POLL.toMillis());
    Instant between = Instant.now();
    invoker.invoke(instance, "{\"say\":\"second-line\"}");

    assertThat(runtime.logs(instance, Instant.EPOCH)).isEqualTo("first-line\nsecond-line\n");
    assertThat(runtime.logs(instance, between)).isEqualTo("second-line\n");
  }

  @Test
  @DisplayName("a listener that throws is caught: the stream goes on with the next lines")
  void throwingListenerIsCaught() {
    Instance instance =
        invoker.launch(
            runtime,
            python(
                "def handler(event, context):\n    print('one')\n    print('two')\n"
                    + "    return 1\n"));
    Lines lines = new Lines();
    runtime.followLogs(
        instance,
        line -> {
          lines.add(line);
          throw new IllegalStateException("listener failure");
        });
    invoker.invoke(instance, "{}");
    invoker.invoke(instance, "{}");
    awaitTrue("four lines", () -> lines.texts().size() == 4);
    assertThat(lines.texts()).containsExactly("one", "two", "one", "two");
  }

  @Test
  @DisplayName("terminate and close release the follower thread and every file it opened")
  void noLeakAfterTerminateOrClose() {
    long filesBefore = openFiles();
    List<Instance> instances = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      Instance instance =
          invoker.launch(
              runtime,
              python("def handler(event, context):\n    print('hi')\n" + "    return 1\n"));
      runtime.followLogs(instance, line -> {});
      invoker.invoke(instance, "{}");
      instances.add(instance);
    }
    assertThat(followerThreads()).isEqualTo(1);
    instances.forEach(runtime::terminate);
    awaitTrue("the follower thread to end", () -> followerThreads() == 0);
    assertThat(openFiles()).isLessThanOrEqualTo(filesBefore);

    Instance last = invoker.launch(runtime, python("def handler(event, context):\n    return 1\n"));
    runtime.followLogs(last, line -> {});
    assertThat(followerThreads()).isEqualTo(1);
    runtime.close();
    assertThat(followerThreads()).isZero();
  }

  @Test
  @DisplayName(
      "the memory peak of the process tree grows past 200 MB when the handler allocates"
          + " 200 MB, and stays there")
  void memoryPeakGrows() {
    Instance instance =
        invoker.launch(
            runtime,
            python(
                "def handler(event, context):\n"
                    + "    if event.get('allocate'):\n"
                    + "        data = b'x' * (200 * 1024 * 1024)\n"
                    + "        return len(data)\n"
                    + "    return 0\n"));
    invoker.invoke(instance, "{}");
    long idle = runtime.maxMemoryUsedBytes(instance).orElseThrow();
    assertThat(idle).isBetween(1L << 20, 150L << 20);

    invoker.invoke(instance, "{\"allocate\":true}");
    long peak = runtime.maxMemoryUsedBytes(instance).orElseThrow();
    assertThat(peak).isGreaterThan(200L << 20);
    invoker.invoke(instance, "{}");
    assertThat(runtime.maxMemoryUsedBytes(instance).orElseThrow()).isGreaterThanOrEqualTo(peak);
  }

  @Test
  @DisplayName("the memory peak counts the runtime's child processes while they live")
  void memoryPeakCountsChildren() {
    Instance instance =
        invoker.launch(
            runtime,
            python(
                "import subprocess, sys\n"
                    + "def handler(event, context):\n"
                    + "    child = subprocess.Popen([sys.executable, '-c', \"import sys, time;"
                    + " data = b'x' * (200 * 1024 * 1024); print('ready', flush=True);"
                    + " time.sleep(600)\"], stdout=subprocess.PIPE)\n"
                    + "    child.stdout.readline()\n"
                    + "    return child.pid\n"));
    long before = runtime.maxMemoryUsedBytes(instance).orElseThrow();
    assertThat(before).isLessThan(150L << 20);

    invoker.invoke(instance, "{}");

    assertThat(runtime.maxMemoryUsedBytes(instance).orElseThrow()).isGreaterThan(200L << 20);
  }

  private static long followerThreads() {
    return Thread.getAllStackTraces().keySet().stream()
        .filter(thread -> thread.getName().equals(FOLLOWER_THREAD))
        .count();
  }

  /** The number of files (not sockets or pipes) this JVM holds open. */
  private static long openFiles() {
    try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
      return fds.filter(
              fd -> {
                try {
                  return Files.readSymbolicLink(fd).toString().startsWith("/");
                } catch (IOException e) {
                  return false;
                }
              })
          .count();
    } catch (IOException e) {
      throw new IllegalStateException("cannot list /proc/self/fd", e);
    }
  }

  private static void awaitTrue(String what, BooleanSupplier condition) {
    Instant deadline = Instant.now().plusSeconds(10);
    while (!condition.getAsBoolean()) {
      assertThat(Instant.now()).as("waiting for " + what).isBefore(deadline);
      try {
        Thread.sleep(1);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
    }
  }
}
