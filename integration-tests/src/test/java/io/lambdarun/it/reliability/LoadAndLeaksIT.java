package io.lambdarun.it.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.dockerjava.api.model.Container;
import io.lambdarun.api.Labels;
import io.lambdarun.core.LambdaRuntime;
import io.lambdarun.core.WarmInstance;
import io.lambdarun.core.model.FunctionError;
import io.lambdarun.core.model.InvocationResult;
import io.lambdarun.core.model.LambdaFunction;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Many concurrent invocations with seeded random handler failures: every call is answered with the
 * right classification, instance counts stay within the cap throughout, and after {@link
 * LambdaRuntime#close()} no labelled container, marked process, instance folder or thread of the
 * runtime is left.
 */
class LoadAndLeaksIT {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final double FAILURE_RATE = 0.2;

  /**
   * JDK-internal daemon threads that may outlive a runtime for a while, because they belong to
   * process-wide JDK pools rather than to one runtime; each pool ends its threads after 60 s idle:
   *
   * <ul>
   *   <li>{@code process reaper}: the JDK's pool that waits for child processes (the local backend
   *       starts each runtime through {@code sh});
   *   <li>{@code ForkJoinPool.commonPool-worker-N}: the JDK's common pool (parallel streams, {@code
   *       CompletableFuture}).
   * </ul>
   *
   * <p>Each case checks that every other new thread ends within 15 s of {@code close()}; {@link
   * #jdkPoolThreadsEndToo()} checks that these end within 90 s of the last case. No {@code
   * HttpClient-*} thread is allowed: core talks to instances over its own HTTP client, and the
   * backends of these cases use no JDK {@code HttpClient} either.
   */
  private static final Pattern JDK_POOL_THREADS =
      Pattern.compile("process reaper|ForkJoinPool\\.commonPool-worker-\\d+");

  private static Set<Thread> threadsBeforeClass;

  @BeforeAll
  static void recordThreads() {
    threadsBeforeClass = Set.copyOf(Thread.getAllStackTraces().keySet());
  }

  @AfterAll
  static void jdkPoolThreadsEndToo() {
    List<String> left = new ArrayList<>();
    boolean ended =
        Fixtures.eventually(
            Duration.ofSeconds(90),
            () -> {
              left.clear();
              Thread.getAllStackTraces().keySet().stream()
                  .filter(t -> !threadsBeforeClass.contains(t) && t.isAlive())
                  .forEach(t -> left.add(t.getName()));
              return left.isEmpty();
            });
    assertThat(ended).as("threads still alive 90 s after the load cases: %s", left).isTrue();
  }

  @Test
  void localBackendAnswers1000CallsOver10FunctionsFrom32ThreadsAndLeavesNothing() throws Exception {
    run("local", 10, 32, 1_000, 3, 20261126L);
  }

  @Test
  void dockerBackendAnswers200CallsOver4FunctionsFrom16ThreadsAndLeavesNothing() throws Exception {
    run("docker", 4, 16, 200, 3, 6L);
  }

  private void run(String backend, int functionCount, int threads, int calls, int cap, long seed)
      throws Exception {
    Set<Thread> threadsBefore = Set.copyOf(Thread.getAllStackTraces().keySet());
    List<LambdaFunction> functions = new ArrayList<>();
    for (int f = 0; f < functionCount; f++) {
      functions.add(Fixtures.function("load-" + backend + "-" + f, 30));
    }
    Random random = new Random(seed);
    boolean[] fails = new boolean[calls];
    for (int i = 0; i < calls; i++) {
      fails[i] = random.nextDouble() < FAILURE_RATE;
    }

    Map<String, Integer> mostWarm = new ConcurrentHashMap<>();
    Map<String, Integer> mostContainers = new ConcurrentHashMap<>();
    Set<String> instanceDirectories = ConcurrentHashMap.newKeySet();
    List<String> wrong = new ArrayList<>();
    int failures = 0;
    LambdaRuntime runtime = Fixtures.runtime(backend).maxInstancesPerFunction(cap).build();
    ExecutorService callers = Executors.newFixedThreadPool(threads);
    AtomicBoolean sampling = new AtomicBoolean(true);
    Thread sampler =
        new Thread(
            () -> {
              while (sampling.get()) {
                sample(runtime, backend, mostWarm, mostContainers, instanceDirectories);
                sleep(backend.equals("docker") ? 200 : 50);
              }
            },
            "load-sampler");
    try {
      sampler.start();
      List<Future<InvocationResult>> answers = new ArrayList<>();
      for (int i = 0; i < calls; i++) {
        LambdaFunction function = functions.get(i % functionCount);
        byte[] event = Fixtures.event(fails[i] ? "fail" : "echo", i);
        answers.add(callers.submit(() -> runtime.invoke(function, event)));
      }
      for (int i = 0; i < calls; i++) {
        InvocationResult result = answers.get(i).get(5, TimeUnit.MINUTES);
        String problem =
            check(result, fails[i], i, functions.get(i % functionCount).functionName());
        if (problem != null) {
          wrong.add(problem);
        }
        failures += fails[i] ? 1 : 0;
      }
    } finally {
      sampling.set(false);
      sampler.join();
      callers.shutdownNow();
      callers.awaitTermination(30, TimeUnit.SECONDS);
      runtime.close();
    }

    assertThat(wrong).as("wrongly answered calls").isEmpty();
    assertThat(failures)
        .as("planned failures in the seeded plan")
        .isBetween(calls / 10, calls * 3 / 10);
    assertThat(mostWarm).as("functions seen warm").hasSize(functionCount);
    assertThat(mostWarm.values())
        .as("most warm instances per function")
        .allSatisfy(n -> assertThat(n).isBetween(1, cap));
    if (backend.equals("docker")) {
      assertThat(mostContainers).hasSize(functionCount);
      assertThat(mostContainers.values())
          .as("most labelled containers per function")
          .allSatisfy(n -> assertThat(n).isBetween(1, cap));
    }
    assertThat(Fixtures.containersOfThisJvm()).as("labelled containers after close").isEmpty();
    assertThat(
            Fixtures.eventually(
                Duration.ofSeconds(10), () -> Fixtures.localProcessesOfThisJvm().isEmpty()))
        .as("marked processes after close: %s", Fixtures.localProcessesOfThisJvm())
        .isTrue();
    assertThat(instanceDirectories).allSatisfy(dir -> assertThat(Path.of(dir)).doesNotExist());
    assertThat(instanceDirectories.stream().map(dir -> Path.of(dir).getParent()).distinct())
        .as("the runtime's owner folder")
        .allSatisfy(dir -> assertThat(dir).doesNotExist());
    assertNoThreadsLeft(threadsBefore);
  }

  private static String check(InvocationResult result, boolean fail, int n, String function) {
    try {
      JsonNode body = JSON.readTree(result.payload());
      if (fail) {
        boolean right =
            result.functionError().equals(java.util.Optional.of(FunctionError.UNHANDLED))
                && body.path("errorType").asText().equals("RuntimeError")
                && body.path("errorMessage").asText().equals("planned failure " + n);
        return right
            ? null
            : "call " + n + " should have failed: " + result + " " + result.payloadUtf8();
      }
      boolean right =
          result.functionError().isEmpty()
              && body.path("n").asInt(-1) == n
              && body.path("function").asText().equals(function);
      return right
          ? null
          : "call " + n + " should have succeeded: " + result + " " + result.payloadUtf8();
    } catch (java.io.IOException e) {
      return "call " + n + " answered no JSON: " + result.payloadUtf8();
    }
  }

  private static void sample(
      LambdaRuntime runtime,
      String backend,
      Map<String, Integer> mostWarm,
      Map<String, Integer> mostContainers,
      Set<String> directories) {
    List<WarmInstance> warm;
    try {
      warm = runtime.warmInstances();
    } catch (IllegalStateException closed) {
      return;
    }
    warm.stream()
        .collect(Collectors.groupingBy(WarmInstance::functionName, Collectors.counting()))
        .forEach((fn, n) -> mostWarm.merge(fn, n.intValue(), Math::max));
    warm.forEach(
        w -> {
          String dir = w.details().get("directory");
          if (dir != null) {
            directories.add(dir);
          }
        });
    if (backend.equals("docker")) {
      List<Container> containers = Fixtures.containersOfThisJvm();
      containers.stream()
          .collect(
              Collectors.groupingBy(c -> c.getLabels().get(Labels.FUNCTION), Collectors.counting()))
          .forEach((fn, n) -> mostContainers.merge(fn, n.intValue(), Math::max));
    }
  }

  /**
   * Every thread started since {@code before} ends within 15 s, except the JDK pool threads named
   * in {@link #JDK_POOL_THREADS}, which must be daemons.
   */
  private static void assertNoThreadsLeft(Set<Thread> before) {
    List<String> left = new ArrayList<>();
    boolean ended =
        Fixtures.eventually(
            Duration.ofSeconds(15),
            () -> {
              left.clear();
              Thread.getAllStackTraces().keySet().stream()
                  .filter(t -> !before.contains(t) && t.isAlive())
                  .filter(t -> !JDK_POOL_THREADS.matcher(t.getName()).matches())
                  .forEach(t -> left.add(t.getName()));
              return left.isEmpty();
            });
    assertThat(ended).as("threads left after close: %s", left).isTrue();
    assertThat(
            Thread.getAllStackTraces().keySet().stream()
                .filter(t -> !before.contains(t) && t.isAlive()))
        .allSatisfy(t -> assertThat(t.isDaemon()).as("%s is a daemon", t.getName()).isTrue());
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
