package io.lambdarun.tck;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;

import io.lambdarun.api.Archive;
import io.lambdarun.api.Availability;
import io.lambdarun.api.ContainerRuntime;
import io.lambdarun.api.ContainerRuntimeProvider;
import io.lambdarun.api.HostAccess;
import io.lambdarun.api.Instance;
import io.lambdarun.api.LaunchFailedException;
import io.lambdarun.api.LaunchSpec;
import io.lambdarun.api.LogLine;
import io.lambdarun.api.Owner;
import io.lambdarun.api.RuntimeConfig;
import io.lambdarun.core.model.FunctionError;
import io.lambdarun.core.model.InvokeOptions;
import io.lambdarun.core.runtimeapi.RuntimeApiAnswer;
import io.lambdarun.core.runtimeapi.RuntimeApiHost;
import io.lambdarun.core.runtimeapi.RuntimeApiInstance;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Contract every {@link io.lambdarun.api.ContainerRuntime} honours on a live backend, one check per
 * promise of its Javadoc: launch instances of a Python function (alone, with layers, as a {@code
 * provided.*} bootstrap, several at once), invoke them (results, environment, errors and their
 * kinds, timeouts), read and follow their logs, read their memory peak, and tear them down leaving
 * nothing behind (terminate, a failed or timed-out launch, the orphan sweep, close).
 *
 * <p>A backend with a {@link ContainerRuntime#runtimeApiAccess()} is driven in Runtime API mode
 * through core's {@link RuntimeApiHost} (its instances must call the Runtime API at the address in
 * their spec, and {@link ContainerRuntime#exitCode} must tell when one died); any other backend is
 * driven through its instances' RIE endpoints.
 *
 * <p>Each test creates its own runtime with a fresh {@link Owner} and closes it afterwards. When
 * the backend is unavailable the tests fail with the provider's reason; they never skip.
 *
 * <p>One file on purpose: a backend author extends one class and reads every check, one per
 * promise, in one place.
 */
public abstract class ContainerRuntimeContract {

  private static final Duration SETTLE = Duration.ofSeconds(30);

  private final RieClient rie = new RieClient();
  private final Map<String, RuntimeApiInstance> runtimeApis = new ConcurrentHashMap<>();
  private RuntimeApiHost host;
  private Owner owner;
  private ContainerRuntime runtime;

  /**
   * Returns a new instance of the provider under test.
   *
   * @return the provider
   */
  protected abstract ContainerRuntimeProvider provider();

  /**
   * Returns the configuration runtimes are created with.
   *
   * @return the configuration; empty by default
   */
  protected RuntimeConfig config() {
    return RuntimeConfig.empty();
  }

  /**
   * Returns the image that runs a Python zip function on this backend: an RIE-compatible entry
   * point on port 8080 running the handler given as the command from {@code /var/task}. Backends
   * that run no containers return any value.
   *
   * @return an image reference available to the backend without a registry
   */
  protected abstract String pythonImage();

  /**
   * Counts what the backend still holds for an owner: containers, pods or processes labelled with
   * {@code owner.id()}, including stopped ones. Read them independently of the backend's own code
   * (the engine's or API server's listing, {@code /proc}), so that a bug there cannot hide what the
   * backend left behind.
   *
   * @param owner the owner of a runtime created by this suite
   * @return the number of resources left
   */
  protected abstract long liveResources(Owner owner);

  /**
   * Returns how long the suite waits for the backend to settle: logs to appear, resources to be
   * removed after terminate, close, a sweep or a failed launch.
   *
   * @return 30 seconds by default; a backend that settles slowly may raise it
   */
  protected Duration settleTime() {
    return SETTLE;
  }

  /**
   * Adjusts the launch spec of every test, for backends that need more (for example a node
   * selector).
   *
   * @param spec the TCK's spec
   * @return the adjusted spec
   */
  protected LaunchSpec.Builder customize(LaunchSpec.Builder spec) {
    return spec;
  }

  /**
   * Turns a valid spec into one whose launch must fail on this backend. The default names an image
   * that does not exist; backends that ignore images override it.
   *
   * @param valid a valid spec
   * @return a spec that cannot launch
   */
  protected LaunchSpec.Builder unlaunchable(LaunchSpec.Builder valid) {
    return valid.image("lambdarun-tck/no-such-image:" + UUID.randomUUID());
  }

  @BeforeEach
  void createRuntime() {
    Availability availability = provider().availability(config());
    if (!availability.available()) {
      fail("backend '%s' is not available: %s", provider().name(), availability.reason());
    }
    owner = Owner.forCurrentProcess();
    runtime = provider().create(config(), owner);
    host = RuntimeApiHost.start("tck-runtime-api");
  }

  @AfterEach
  void closeRuntime() {
    if (runtime != null) {
      runtime.close();
    }
    if (host != null) {
      host.close();
    }
  }

  /** Launches as core does: through core's Runtime API when the backend offers it. */
  private Instance launch(ContainerRuntime on, LaunchSpec spec) {
    if (on.runtimeApiAccess().isEmpty()) {
      return on.launch(spec);
    }
    RuntimeApiInstance launched = host.launch(on, spec, SETTLE);
    runtimeApis.put(launched.instance().id(), launched);
    return launched.instance();
  }

  private Instance launch(LaunchSpec spec) {
    return launch(runtime, spec);
  }

  /** Invokes as core does; an instance that cannot take the event is an IOException. */
  private RieClient.Reply invoke(Instance instance, String event) throws IOException {
    RuntimeApiInstance runtimeApi = runtimeApis.get(instance.id());
    if (runtimeApi == null) {
      return rie.invoke(instance, event);
    }
    RuntimeApiAnswer answer =
        runtimeApi.invoke(
            UUID.randomUUID().toString(),
            event.getBytes(StandardCharsets.UTF_8),
            InvokeOptions.DEFAULT);
    if (answer.outcome() == RuntimeApiAnswer.Outcome.NOT_DELIVERED
        || answer.outcome() == RuntimeApiAnswer.Outcome.LOST) {
      throw new IOException("instance '" + instance.id() + "' took no event: " + answer.bodyText());
    }
    return new RieClient.Reply(
        200, answer.bodyText(), answer.functionError().map(FunctionError::headerValue).orElse(""));
  }

  /** Where core reaches the instance: its RIE endpoint or its Runtime API address. */
  private String address(Instance instance) {
    RuntimeApiInstance runtimeApi = runtimeApis.get(instance.id());
    return runtimeApi == null ? instance.endpoint().orElseThrow().toString() : runtimeApi.address();
  }

  private void terminate(Instance instance) {
    runtime.terminate(instance);
    RuntimeApiInstance runtimeApi = runtimeApis.get(instance.id());
    if (runtimeApi != null) {
      runtimeApi.close();
    }
  }

  /** Returns the spec of the TCK function for this suite's owner. */
  private LaunchSpec.Builder spec() {
    return spec(owner);
  }

  private LaunchSpec.Builder spec(Owner of) {
    return customize(TckFunction.spec(pythonImage(), of));
  }

  /** The id of a process of this host that has ended, for an owner that is dead here. */
  private static long deadPid() throws IOException, InterruptedException {
    Process ended = new ProcessBuilder("true").start();
    ended.waitFor();
    return ended.pid();
  }

  @Test
  @DisplayName("a launched instance answers events through its RIE endpoint, again and again")
  void launchedInstanceServesEvents() throws IOException {
    Instance instance = launch(spec().build());
    for (int i = 0; i < 3; i++) {
      RieClient.Reply reply =
          invoke(instance, "{\"action\":\"echo\",\"value\":\"hello-" + i + "\"}");
      assertThat(reply.status()).isEqualTo(200);
      assertThat(reply.body()).isEqualTo("\"hello-" + i + "\"");
    }
  }

  @Test
  @DisplayName("the environment of the launch spec reaches the workload verbatim")
  void environmentIsDeliveredVerbatim() throws IOException {
    Map<String, String> expected = new LinkedHashMap<>();
    expected.put("TCK_PLAIN", "value");
    expected.put("TCK_SPACES", " a b  c ");
    expected.put("TCK_EQUALS", "k=v=w");
    expected.put("TCK_UNICODE", "gr\u00fc\u00dfe \u2713");
    expected.put("TCK_QUOTES", "it's \"quoted\" $HOME `x`");
    expected.put("TCK_URL", "http://host.docker.internal:4566/path?q=1");
    expected.put("TCK_EMPTY", "");
    LaunchSpec.Builder spec = spec();
    expected.forEach(spec::putEnvironment);
    Instance instance = launch(spec.build());

    String keys =
        expected.keySet().stream().map(k -> "\"" + k + "\"").collect(Collectors.joining(","));
    RieClient.Reply reply = invoke(instance, "{\"action\":\"env\",\"keys\":[" + keys + "]}");

    assertThat(reply.status()).isEqualTo(200);
    assertThat(decodeEnvironment(reply.body())).containsExactlyEntriesOf(expected);
  }

  @Test
  @DisplayName("a function error comes back as AWS's error JSON, not as a transport failure")
  void functionErrorsUseAwsShape() throws IOException {
    Instance instance = launch(spec().build());
    RieClient.Reply reply =
        invoke(instance, "{\"action\":\"fail\",\"message\":\"tck-failure-42\"}");
    assertThat(reply.status()).isEqualTo(200);
    assertThat(reply.body())
        .contains("\"errorMessage\"")
        .contains("tck-failure-42")
        .contains("\"errorType\"")
        .contains("ValueError");
    assertThat(reply.functionError())
        .as("function error kind of a raised exception (no header means Unhandled)")
        .isIn("Unhandled", "");
    RieClient.Reply next = invoke(instance, "{\"action\":\"echo\",\"value\":\"after\"}");
    assertThat(next.body()).isEqualTo("\"after\"");
  }

  @Test
  @DisplayName("logs hold what the handler printed")
  void logsAreReadable() throws IOException {
    Instant start = Instant.now().minusSeconds(1);
    Instance instance = launch(spec().build());
    String marker = "tck-marker-" + UUID.randomUUID();
    RieClient.Reply reply = invoke(instance, "{\"action\":\"log\",\"marker\":\"" + marker + "\"}");
    assertThat(reply.body()).isEqualTo("\"logged\"");
    awaitTrue(
        "the logs to contain " + marker, () -> runtime.logs(instance, start).contains(marker));
  }

  @Test
  @DisplayName(
      "a followed instance's output reaches the listener line by line, start-up lines first, each"
          + " line once and in order, one call at a time; a backend that cannot follow still has"
          + " logs")
  void followedOutputArrivesLineByLineInOrder() throws IOException {
    Instance instance = launch(spec().build());
    FollowedLines lines = new FollowedLines();
    String prefix = "tck-line-" + UUID.randomUUID();
    boolean followed = runtime.followLogs(instance, lines::add);
    RieClient.Reply reply =
        invoke(instance, "{\"action\":\"lines\",\"prefix\":\"" + prefix + "\",\"count\":300}");
    assertThat(reply.body()).isEqualTo("\"printed\"");
    if (!followed) {
      awaitTrue(
          "the logs of an instance the backend cannot follow to hold " + prefix + "-299",
          () -> runtime.logs(instance, Instant.EPOCH).contains(prefix + "-299"));
      return;
    }
    awaitTrue(
        "the followed lines to reach " + prefix + "-299 and " + prefix + "-stderr",
        () -> lines.texts().containsAll(List.of(prefix + "-299", prefix + "-stderr")));
    List<String> texts = lines.texts();
    List<String> expected = IntStream.range(0, 300).mapToObj(i -> prefix + "-" + i).toList();
    assertThat(texts.stream().filter(expected::contains).toList())
        .as("the handler's stdout lines, in the order written")
        .containsExactlyElementsOf(expected);
    assertThat(texts).as("the handler's stderr line").containsOnlyOnce(prefix + "-stderr");
    assertThat(texts)
        .as("the start-up line, written before followLogs was called")
        .containsOnlyOnce("tck-start-up");
    assertThat(texts.indexOf("tck-start-up")).isLessThan(texts.indexOf(prefix + "-0"));
    assertThat(lines.overlapped()).as("two listener calls at once").isFalse();
  }

  @Test
  @DisplayName(
      "the memory peak, where the backend measures it, covers what the handler wrote to memory"
          + " and never drops; where it does not, it is empty every time")
  void memoryPeakCoversWhatTheHandlerUsed() throws IOException {
    long mib = 96;
    Instance instance = launch(spec().build());
    OptionalLong before = runtime.maxMemoryUsedBytes(instance);
    RieClient.Reply reply = invoke(instance, "{\"action\":\"allocate\",\"mib\":" + mib + "}");
    assertThat(reply.body()).isEqualTo("\"allocated " + mib * 1024 * 1024 + "\"");
    OptionalLong after = runtime.maxMemoryUsedBytes(instance);
    invoke(instance, "{\"action\":\"echo\",\"value\":\"after\"}");
    OptionalLong later = runtime.maxMemoryUsedBytes(instance);
    assertThat(List.of(before.isPresent(), after.isPresent(), later.isPresent()))
        .as("whether the backend measures the peak, asked three times")
        .containsOnly(after.isPresent());
    if (after.isPresent()) {
      assertThat(after.getAsLong())
          .as("the peak after the handler wrote %d MiB", mib)
          .isGreaterThanOrEqualTo(mib * 1024 * 1024)
          .isGreaterThanOrEqualTo(before.getAsLong());
      assertThat(later.getAsLong())
          .as("the peak one event later")
          .isGreaterThanOrEqualTo(after.getAsLong());
    }
  }

  @Test
  @DisplayName(
      "an event that outlives the function's timeout is answered 'Task timed out after N.00"
          + " seconds', without waiting for the handler")
  void anEventBeyondTheTimeoutTimesOut() throws IOException {
    Instance instance =
        launch(
            spec()
                .timeout(Duration.ofSeconds(1))
                .putEnvironment("AWS_LAMBDA_FUNCTION_TIMEOUT", "1")
                .build());
    Instant start = Instant.now();
    RieClient.Reply reply = invoke(instance, "{\"action\":\"sleep\",\"seconds\":25}");
    assertThat(reply.body()).contains("Task timed out after 1.00 seconds");
    assertThat(Duration.between(start, Instant.now()))
        .as("time to the timeout's answer (the handler sleeps 25 s)")
        .isLessThan(Duration.ofSeconds(15));
  }

  @Test
  @DisplayName(
      "layers are extracted in attach order, a later layer overwriting an earlier one's file")
  void layersAttachInOrderLaterOnesOverwriting() throws IOException {
    Archive first =
        TckFunction.zip(
            "tck-layer-first",
            Map.of(
                "python/tck_layer.py", "VALUE = 'first'\n",
                "python/tck_only_first.py", "VALUE = 'kept'\n"));
    Archive second =
        TckFunction.zip("tck-layer-second", Map.of("python/tck_layer.py", "VALUE = 'second'\n"));
    Instance instance = launch(spec().layers(List.of(first, second)).build());

    assertThat(invoke(instance, "{\"action\":\"import\",\"module\":\"tck_layer\"}").body())
        .as("the file both layers hold")
        .isEqualTo("\"second\"");
    assertThat(invoke(instance, "{\"action\":\"import\",\"module\":\"tck_only_first\"}").body())
        .as("the file only the first layer holds")
        .isEqualTo("\"kept\"");
  }

  @Test
  @DisplayName("concurrent launches of one function each bring up their own answering instance")
  void concurrentLaunchesOfOneFunction() throws Exception {
    int launches = 3;
    LaunchSpec spec = spec().build();
    CyclicBarrier together = new CyclicBarrier(launches);
    ExecutorService threads = Executors.newFixedThreadPool(launches);
    try {
      List<Future<Instance>> launched = new ArrayList<>();
      for (int i = 0; i < launches; i++) {
        launched.add(
            threads.submit(
                () -> {
                  together.await();
                  return launch(spec);
                }));
      }
      List<Instance> instances = new ArrayList<>();
      for (Future<Instance> instance : launched) {
        instances.add(instance.get());
      }
      assertThat(instances.stream().map(Instance::id).distinct()).hasSize(launches);
      assertThat(liveResources(owner)).isEqualTo(launches);
      for (int i = 0; i < launches; i++) {
        String event = "{\"action\":\"echo\",\"value\":\"n" + i + "\"}";
        assertThat(invoke(instances.get(i), event).body())
            .as("answer of instance %d", i)
            .isEqualTo("\"n" + i + "\"");
      }
    } finally {
      threads.shutdownNow();
    }
  }

  /**
   * A {@code provided.*} function's code is also placed in the runtime folder ({@code
   * /var/runtime}, or where {@code LAMBDA_RUNTIME_DIR} points on backends without containers), with
   * its files' modes kept, and its bootstrap is run from there. Errors the bootstrap posts keep
   * their kind: Handled and Unhandled stay apart in Runtime API mode; an RIE endpoint may leave the
   * kind out.
   */
  @Test
  @DisplayName(
      "a provided.* bootstrap runs from the runtime folder with its modes kept, and its Handled"
          + " and Unhandled errors stay apart")
  void customRuntimeBootstrapRunsFromTheRuntimeFolder(@TempDir Path folder) throws IOException {
    Instance instance =
        launch(
            spec()
                .runtime("provided.al2023")
                .handler("bootstrap")
                .code(TckFunction.customRuntimeCode(folder))
                .build());

    RieClient.Reply where = invoke(instance, "{\"action\":\"where\"}");
    assertThat(where.functionError()).as("function error of %s", where.body()).isEmpty();
    assertThat(where.body())
        .as("where the bootstrap runs")
        .contains("\"dataExecutable\": false")
        .matches(".*\"folder\": \"([^\"]+)\", \"runtimeDir\": \"\\1\".*");

    boolean exact = runtime.runtimeApiAccess().isPresent();
    for (String kind : new String[] {"Handled", "Unhandled"}) {
      RieClient.Reply error =
          invoke(instance, "{\"kind\":\"" + kind + "\",\"message\":\"tck-" + kind + "\"}");
      assertThat(error.body()).contains("tck-" + kind).contains("TckError");
      assertThat(error.functionError())
          .as("function error kind of a posted %s error", kind)
          .isIn(exact ? new String[] {kind} : new String[] {kind, ""});
    }
  }

  @Test
  @DisplayName("instances are independent: distinct ids and endpoints, each answering")
  void instancesAreIndependent() throws IOException {
    Instance first = launch(spec().build());
    Instance second = launch(spec().build());
    assertThat(second.id()).isNotEqualTo(first.id());
    assertThat(address(second)).isNotEqualTo(address(first));
    assertThat(invoke(first, "{\"action\":\"echo\",\"value\":\"one\"}").body())
        .isEqualTo("\"one\"");
    assertThat(invoke(second, "{\"action\":\"echo\",\"value\":\"two\"}").body())
        .isEqualTo("\"two\"");
  }

  @Test
  @DisplayName("terminate removes the instance, and terminating again succeeds silently")
  void terminateIsIdempotent() {
    Instance instance = launch(spec().build());
    assertThat(liveResources(owner)).isEqualTo(1);
    runtime.terminate(instance);
    assertThatCode(() -> runtime.terminate(instance)).doesNotThrowAnyException();
    // before core's Runtime API for the instance closes, which may end its runtime client anyway
    awaitTrue("the instance's resources to be gone", () -> liveResources(owner) == 0);
    terminate(instance);
    assertThatThrownBy(() -> invoke(instance, "{\"action\":\"echo\",\"value\":\"x\"}"))
        .isInstanceOf(IOException.class);
  }

  @Test
  @DisplayName("a failed launch throws LaunchFailedException and leaves nothing behind")
  void failedLaunchLeavesNothing() {
    LaunchSpec broken = unlaunchable(spec()).build();
    assertThatThrownBy(() -> launch(broken)).isInstanceOf(LaunchFailedException.class);
    awaitTrue("the failed launch's resources to be gone", () -> liveResources(owner) == 0);
  }

  /**
   * In Runtime API mode core gives up on an instance whose runtime client has not asked for an
   * event in time and terminates it; the backend must then remove everything. In RIE-endpoint mode
   * the backend waits for readiness itself, and a launch that cannot become ready must fail leaving
   * nothing (as in {@link #failedLaunchLeavesNothing}).
   */
  @Test
  @DisplayName("a launch whose readiness times out leaves nothing behind")
  void timedOutReadinessLeavesNothing() {
    if (runtime.runtimeApiAccess().isEmpty()) {
      LaunchSpec broken = unlaunchable(spec()).build();
      assertThatThrownBy(() -> launch(broken)).isInstanceOf(LaunchFailedException.class);
    } else {
      LaunchSpec slow = spec().putEnvironment("TCK_INIT_SLEEP_SECONDS", "60").build();
      assertThatThrownBy(() -> host.launch(runtime, slow, Duration.ofSeconds(3)))
          .isInstanceOf(LaunchFailedException.class);
    }
    awaitTrue("the timed-out launch's resources to be gone", () -> liveResources(owner) == 0);
  }

  @Test
  @DisplayName(
      "sweeping removes and counts the instances of a dead owner on this host, and only those")
  void sweepRemovesOnlyTheInstancesOfDeadOwnersOnThisHost()
      throws IOException, InterruptedException {
    long deadPid = deadPid();
    Owner otherLive = Owner.forCurrentProcess();
    Owner dead = new Owner(Owner.forCurrentProcess().id(), deadPid, owner.host());
    Owner otherHost =
        new Owner(Owner.forCurrentProcess().id(), deadPid, "lambdarun-tck-other-host");
    Instance mine = launch(spec().build());
    // owners that died before this test, so that the count below is this test's alone
    runtime.sweepOrphans();
    try (ContainerRuntime live = provider().create(config(), otherLive);
        ContainerRuntime orphaned = provider().create(config(), dead);
        ContainerRuntime remote = provider().create(config(), otherHost)) {
      launch(live, spec(otherLive).build());
      launch(orphaned, spec(dead).build());
      launch(remote, spec(otherHost).build());
      assertThat(liveResources(dead))
          .as("the dead owner's resources before the sweep")
          .isEqualTo(1);

      assertThat(runtime.sweepOrphans()).as("instances the sweep removed").isEqualTo(1);

      awaitTrue("the dead owner's resources to be gone", () -> liveResources(dead) == 0);
      assertThat(liveResources(owner)).as("this runtime's own resources").isEqualTo(1);
      assertThat(liveResources(otherLive)).as("another live owner's resources").isEqualTo(1);
      assertThat(liveResources(otherHost)).as("another host's owner's resources").isEqualTo(1);
      assertThat(invoke(mine, "{\"action\":\"echo\",\"value\":\"alive\"}").body())
          .isEqualTo("\"alive\"");
    }
  }

  @Test
  @DisplayName("close removes every instance, is idempotent, and later launches are refused")
  void closeRemovesEverything() {
    launch(spec().build());
    launch(spec().build());
    assertThat(liveResources(owner)).isEqualTo(2);
    runtime.close();
    assertThatCode(runtime::close).doesNotThrowAnyException();
    awaitTrue("every resource to be gone after close", () -> liveResources(owner) == 0);
    LaunchSpec spec = spec().build();
    assertThatThrownBy(() -> launch(spec)).isInstanceOf(IllegalStateException.class);
  }

  @Test
  @DisplayName(
      "in Runtime API mode a runtime that dies under an event is Runtime.ExitError and exitCode"
          + " says so")
  void runtimeApiModeReportsADeadRuntime() throws IOException {
    if (runtime.runtimeApiAccess().isEmpty()) {
      assertThat(runtime.exitCode(launch(spec().build()))).isEmpty();
      return;
    }
    Instance instance = launch(spec().build());
    assertThat(runtime.exitCode(instance)).as("exit code of a running instance").isEmpty();
    RieClient.Reply reply = invoke(instance, "{\"action\":\"exit\",\"status\":7}");
    assertThat(reply.body()).contains("Runtime.ExitError").contains("exit status 7");
    assertThat(runtime.exitCode(instance)).hasValue(7);
  }

  @Test
  @DisplayName("in Runtime API mode the instance gets its Runtime API address and no endpoint")
  void runtimeApiModeHandsTheAddressToTheInstance() throws IOException {
    Instance instance = launch(spec().build());
    if (runtime.runtimeApiAccess().isEmpty()) {
      assertThat(instance.endpoint()).isPresent();
      return;
    }
    assertThat(instance.endpoint()).isEmpty();
    RieClient.Reply reply =
        invoke(instance, "{\"action\":\"env\",\"keys\":[\"AWS_LAMBDA_RUNTIME_API\"]}");
    assertThat(decodeEnvironment(reply.body()))
        .containsEntry("AWS_LAMBDA_RUNTIME_API", address(instance));
  }

  /**
   * Checks what {@link HostAccess} promises, each value parsed as core uses it: the host alias goes
   * into {@code http://<alias>:<port>} URLs, and the registry host takes core's registry port in
   * front of an image repository, so it must be a host without a port of its own.
   */
  @Test
  @DisplayName("the runtime says how workloads reach the host: two hosts, neither with a port")
  void describesHostAccess() {
    assertThat(runtime.name()).isEqualTo(provider().name());
    HostAccess access = runtime.hostAccess();
    assertThat(access).isNotNull();

    String alias = access.hostAlias();
    URI url = URI.create("http://" + (alias.contains(":") ? "[" + alias + "]" : alias) + ":4566/");
    assertThat(url.getHost()).as("host of a URL on host alias '%s'", alias).isNotNull();
    assertThat(url.getPort()).as("port of a URL on host alias '%s'", alias).isEqualTo(4566);
    assertThat(url.getRawUserInfo()).as("user of host alias '%s'", alias).isNull();

    String registry = access.registryHost();
    URI image = URI.create("//" + registry + ":5000/lambdarun-tck/ecr-image:1");
    assertThat(image.getHost())
        .as("host of image '%s:5000/lambdarun-tck/ecr-image:1'", registry)
        .isEqualTo(registry);
    assertThat(image.getPort())
        .as("port of image '%s:5000/lambdarun-tck/ecr-image:1'", registry)
        .isEqualTo(5000);
    assertThat(image.getPath()).isEqualTo("/lambdarun-tck/ecr-image:1");
  }

  private static Map<String, String> decodeEnvironment(String body) {
    assertThat(body).startsWith("\"").endsWith("\"");
    Map<String, String> values = new LinkedHashMap<>();
    for (String part : body.substring(1, body.length() - 1).split("\\|")) {
      int equals = part.indexOf('=');
      String hex = part.substring(equals + 1);
      values.put(
          part.substring(0, equals),
          hex.equals("<unset>")
              ? null
              : new String(HexFormat.of().parseHex(hex), StandardCharsets.UTF_8));
    }
    return values;
  }

  /** The lines a followed instance delivered, and whether two deliveries ever overlapped. */
  private static final class FollowedLines {
    private final List<String> texts = new ArrayList<>();
    private final AtomicInteger inFlight = new AtomicInteger();
    private final AtomicBoolean overlapped = new AtomicBoolean();

    void add(LogLine line) {
      if (inFlight.incrementAndGet() > 1) {
        overlapped.set(true);
      }
      synchronized (texts) {
        texts.add(line.text());
      }
      inFlight.decrementAndGet();
    }

    List<String> texts() {
      synchronized (texts) {
        return List.copyOf(texts);
      }
    }

    boolean overlapped() {
      return overlapped.get();
    }
  }

  private void awaitTrue(String what, BooleanSupplier condition) {
    Duration wait = settleTime();
    try {
      if (!Poll.until(condition, wait)) {
        fail("gave up after %s waiting for %s", wait, what);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      fail("interrupted while waiting for " + what);
    }
  }
}
