package io.lambdarun.core;

import static io.lambdarun.core.TestFunctions.python;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.times;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.when;

import io.lambdarun.api.ConfigurationException;
import io.lambdarun.api.HostAccess;
import io.lambdarun.api.InstanceFailedException;
import io.lambdarun.api.InvalidFunctionException;
import io.lambdarun.api.Labels;
import io.lambdarun.api.LaunchFailedException;
import io.lambdarun.api.LaunchSpec;
import io.lambdarun.api.RuntimeConfig;
import io.lambdarun.core.model.CredentialsProvider;
import io.lambdarun.core.model.FunctionError;
import io.lambdarun.core.model.InvocationResult;
import io.lambdarun.core.model.InvokeOptions;
import io.lambdarun.core.model.LambdaFunction;
import io.lambdarun.core.model.ProvisionedConcurrency;
import io.lambdarun.core.model.SessionCredentials;
import io.lambdarun.core.testing.FakeBackend;
import io.lambdarun.core.testing.FakeBackend.Mode;
import io.lambdarun.core.testing.FakeBackend.Reply;
import io.lambdarun.core.testing.MutableClock;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class LambdaRuntimeTest {

  private final FakeBackend fake = new FakeBackend();
  private final MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));
  private final ExecutorService threads = Executors.newCachedThreadPool();
  private final List<LambdaRuntime> runtimes = new ArrayList<>();

  @AfterEach
  void closeEverything() {
    runtimes.forEach(LambdaRuntime::close);
    threads.shutdownNow();
  }

  private LambdaRuntime.Builder builder() {
    return LambdaRuntime.builder()
        .config(RuntimeConfig.empty())
        .addProvider(fake)
        .backend("fake")
        .sweepOrphansOnStart(false)
        .clock(clock);
  }

  private LambdaRuntime runtime(LambdaRuntime.Builder builder) {
    LambdaRuntime runtime = builder.build();
    runtimes.add(runtime);
    return runtime;
  }

  private LambdaRuntime runtime() {
    return runtime(builder());
  }

  private static byte[] bytes(String text) {
    return text.getBytes(UTF_8);
  }

  @Test
  void invokesAndReusesTheWarmInstance() {
    LambdaRuntime runtime = runtime();
    LambdaFunction fn = python("hello").build();

    InvocationResult first = runtime.invoke(fn, bytes("{\"n\":1}"));
    InvocationResult second = runtime.invoke(fn, bytes("{\"n\":2}"));

    assertThat(first.payloadUtf8()).isEqualTo("{\"n\":1}");
    assertThat(first.functionError()).isEmpty();
    assertThat(first.coldStart()).isTrue();
    assertThat(first.initDuration()).isPresent();
    assertThat(second.payloadUtf8()).isEqualTo("{\"n\":2}");
    assertThat(second.coldStart()).isFalse();
    assertThat(second.initDuration()).isEmpty();
    assertThat(fake.launches).hasValue(1);
    assertThat(fake.requestIds).containsExactly(first.requestId(), second.requestId());
    assertThat(first.requestId()).isNotEqualTo(second.requestId());
    assertThat(runtime.backendName()).isEqualTo("fake");
  }

  @Test
  void aProvisionedVersionIsLaunchedAheadAndAnsweredWarm() throws Exception {
    LambdaRuntime runtime = runtime();
    LambdaFunction fn = python("hello").version("1").build();

    ProvisionedConcurrency state = runtime.provision(fn, 2).get();
    InvocationResult result = runtime.invoke(fn, bytes("{}"));

    assertThat(state.status()).isEqualTo(ProvisionedConcurrency.Status.READY);
    assertThat(fake.launches).hasValue(2);
    assertThat(result.coldStart()).isFalse();
    assertThat(result.initDuration()).isEmpty();
    assertThat(runtime.provisioned(fn)).hasValue(state);
    assertThat(runtime.provisioned(python("hello").build())).isEmpty();

    runtime.deprovision(fn);
    assertThat(runtime.provisioned(fn)).isEmpty();
    assertThat(runtime.warmInstances()).hasSize(2);
  }

  @Test
  void listsWarmInstances() {
    LambdaRuntime runtime = runtime();
    runtime.invoke(python("hello").build(), bytes("{}"));

    assertThat(runtime.warmInstances())
        .singleElement()
        .satisfies(
            warm -> {
              assertThat(warm.functionName()).isEqualTo("hello");
              assertThat(warm.version()).isEqualTo("$LATEST");
              assertThat(warm.runtime()).isEqualTo("python3.12");
              assertThat(warm.backend()).isEqualTo("fake");
              assertThat(warm.instanceId()).isEqualTo("live-1");
              assertThat(warm.details()).containsKey("port");
              assertThat(warm.busy()).isFalse();
              assertThat(warm.idle()).isEqualTo(Duration.ZERO);
            });
  }

  @Test
  void launchSpecIsFullyResolved() {
    fake.hostAccess = new HostAccess("host.docker.internal", "127.0.0.1");
    LambdaRuntime runtime = runtime(builder().endpointUrl(URI.create("http://localhost:4566")));

    runtime.invoke(
        python("hello").putEnvironment("QUEUE", "http://127.0.0.1:4566/q").build(), bytes("{}"));

    LaunchSpec spec = fake.specs.get(0);
    assertThat(spec.image()).isEqualTo("public.ecr.aws/lambda/python:3.12");
    assertThat(spec.handler()).isEqualTo("app.handler");
    assertThat(spec.environment())
        .containsEntry("AWS_ENDPOINT_URL", "http://host.docker.internal:4566")
        .containsEntry("QUEUE", "http://host.docker.internal:4566/q")
        .containsEntry("AWS_LAMBDA_FUNCTION_NAME", "hello");
    assertThat(spec.sensitiveKeys()).isEmpty();
    assertThat(spec.labels())
        .containsEntry(Labels.MANAGED_BY, "lambdarun")
        .containsKeys(Labels.OWNER, Labels.OWNER_PID, Labels.OWNER_HOST)
        .containsEntry(Labels.FUNCTION, "hello")
        .containsEntry(Labels.VERSION, "latest")
        .containsEntry(Labels.DEPLOY_ID, Labels.safeValue(spec.deployId()));
  }

  @Test
  void concurrentInvokesRespectTheCapWithOneEventPerInstance() throws Exception {
    LambdaRuntime runtime = runtime(builder().maxInstancesPerFunction(2));
    Semaphore entered = new Semaphore(0);
    CountDownLatch hold = new CountDownLatch(1);
    fake.handler =
        (id, requestId, body) -> {
          entered.release();
          hold.await();
          return new Reply(200, Map.of(), body);
        };
    LambdaFunction fn = python("hello").build();
    List<Future<InvocationResult>> results = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      String payload = "{\"i\":" + i + "}";
      results.add(threads.submit(() -> runtime.invoke(fn, bytes(payload))));
    }

    entered.acquire(2);
    assertThat(fake.launches).hasValue(2);
    hold.countDown();

    for (int i = 0; i < 6; i++) {
      assertThat(results.get(i).get().payloadUtf8()).isEqualTo("{\"i\":" + i + "}");
    }
    assertThat(fake.launches).hasValue(2);
    assertThat(fake.overlapped).isEmpty();
  }

  @Test
  void aCapOfOneSerializesEveryEventOnOneInstance() throws Exception {
    LambdaRuntime runtime = runtime(builder().maxInstancesPerFunction(1));
    LambdaFunction fn = python("hello").build();
    List<Future<InvocationResult>> results = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      results.add(threads.submit(() -> runtime.invoke(fn, bytes("{}"))));
    }
    for (Future<InvocationResult> result : results) {
      assertThat(result.get().functionError()).isEmpty();
    }

    assertThat(fake.launches).hasValue(1);
    assertThat(fake.overlapped).isEmpty();
  }

  @Test
  void coldStartsRunInParallelUpToTheCap() throws Exception {
    LambdaRuntime runtime = runtime(builder().maxInstancesPerFunction(3));
    CountDownLatch launchGate = new CountDownLatch(1);
    fake.launchGate = launchGate;
    Semaphore entered = new Semaphore(0);
    CountDownLatch hold = new CountDownLatch(1);
    fake.handler =
        (id, requestId, body) -> {
          entered.release();
          hold.await();
          return new Reply(200, Map.of(), body);
        };
    LambdaFunction fn = python("hello").build();
    List<Thread> callers = new ArrayList<>();
    List<Future<InvocationResult>> results = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      results.add(
          threads.submit(
              () -> {
                synchronized (callers) {
                  callers.add(Thread.currentThread());
                }
                return runtime.invoke(fn, bytes("{}"));
              }));
    }
    awaitAllWaiting(callers, 5);
    assertThat(fake.maxConcurrentLaunches).hasValue(3);

    launchGate.countDown();
    entered.acquire(3);
    hold.countDown();

    for (Future<InvocationResult> result : results) {
      assertThat(result.get().functionError()).isEmpty();
    }
    assertThat(fake.launches).hasValue(3);
    assertThat(fake.maxConcurrentLaunches).hasValue(3);
    assertThat(fake.overlapped).isEmpty();
  }

  private static void awaitAllWaiting(List<Thread> callers, int count) {
    while (true) {
      synchronized (callers) {
        if (callers.size() == count
            && callers.stream().allMatch(t -> t.getState() == Thread.State.WAITING)) {
          return;
        }
      }
      Thread.onSpinWait();
    }
  }

  @Test
  void churnBetweenTwoDeploysNeverOverlapsOrLeaksInstances() throws Exception {
    LambdaRuntime runtime = runtime(builder().maxInstancesPerFunction(3));
    LambdaFunction a = python("hello").build();
    LambdaFunction b = a.toBuilder().putEnvironment("VARIANT", "b").build();
    List<Future<Boolean>> workers = new ArrayList<>();
    for (int t = 0; t < 8; t++) {
      int worker = t;
      workers.add(
          threads.submit(
              () -> {
                for (int i = 0; i < 25; i++) {
                  String payload = "{\"w\":" + worker + ",\"i\":" + i + "}";
                  LambdaFunction fn = (worker + i) % 5 == 0 ? b : a;
                  if (!runtime.invoke(fn, bytes(payload)).payloadUtf8().equals(payload)) {
                    return false;
                  }
                }
                return true;
              }));
    }
    for (Future<Boolean> worker : workers) {
      assertThat(worker.get()).isTrue();
    }

    assertThat(fake.overlapped).isEmpty();
    assertThat(runtime.warmInstances()).hasSizeLessThanOrEqualTo(3);
    assertThat(fake.terminated).doesNotHaveDuplicates();
    assertThat(fake.terminated.size() + runtime.warmInstances().size())
        .isEqualTo(fake.launches.get());
  }

  @Test
  void deadInstancesAreEvictedAndTheEventRetried() {
    LambdaRuntime runtime = runtime();
    fake.plan.add(Mode.REFUSED);
    fake.plan.add(Mode.REFUSED);

    InvocationResult result = runtime.invoke(python("hello").build(), bytes("{\"ok\":true}"));

    assertThat(result.payloadUtf8()).isEqualTo("{\"ok\":true}");
    assertThat(result.coldStart()).isTrue();
    assertThat(fake.launches).hasValue(3);
    assertThat(fake.terminated).containsExactly("refused-1", "refused-2");
    assertThat(runtime.warmInstances())
        .extracting(WarmInstance::instanceId)
        .containsExactly("live-3");
  }

  @Test
  void givesUpAfterFiveRefusingInstances() {
    LambdaRuntime runtime = runtime();
    for (int i = 0; i < 5; i++) {
      fake.plan.add(Mode.REFUSED);
    }

    assertThatThrownBy(() -> runtime.invoke(python("hello").build(), bytes("{}")))
        .isInstanceOfSatisfying(
            InstanceFailedException.class, e -> assertThat(e.instanceId()).isEqualTo("refused-5"))
        .hasMessage(
            "no reachable instance of function 'hello' after 5 attempts (last: 'refused-5');"
                + " check that the backend can start it");
    assertThat(fake.launches).hasValue(5);
    assertThat(fake.terminated).hasSize(5);
  }

  @Test
  void aFailureAfterTheEventWasSentIsNotRetried() {
    LambdaRuntime runtime = runtime();
    fake.plan.add(Mode.HANGUP);

    assertThatThrownBy(() -> runtime.invoke(python("hello").build(), bytes("{}")))
        .isInstanceOfSatisfying(
            InstanceFailedException.class, e -> assertThat(e.instanceId()).isEqualTo("hangup-1"))
        .hasMessageStartingWith(
            "instance 'hangup-1' of function 'hello' failed after the event was sent");
    assertThat(fake.launches).hasValue(1);
    assertThat(fake.terminated).containsExactly("hangup-1");
    assertThat(runtime.warmInstances()).isEmpty();
  }

  /** Echoes events; the event "block" signals {@code entered} and waits for {@code release}. */
  private void echoBlockingOn(Semaphore entered, CountDownLatch release) {
    fake.handler =
        (id, requestId, body) -> {
          if (new String(body, UTF_8).equals("\"block\"")) {
            entered.release();
            release.await();
          }
          return new Reply(200, Map.of(), body);
        };
  }

  @Test
  void staleInstancesAreReplacedButBusyOnesFinishFirst() throws Exception {
    LambdaRuntime runtime = runtime();
    Semaphore entered = new Semaphore(0);
    CountDownLatch hold = new CountDownLatch(1);
    echoBlockingOn(entered, hold);
    LambdaFunction v1 = python("hello").build();
    LambdaFunction v2 = v1.toBuilder().putEnvironment("CHANGED", "yes").build();
    Future<InvocationResult> busy = threads.submit(() -> runtime.invoke(v1, bytes("\"block\"")));
    entered.acquire();

    InvocationResult fresh = runtime.invoke(v2, bytes("\"new\""));

    assertThat(fresh.coldStart()).isTrue();
    assertThat(fake.terminated).isEmpty();
    hold.countDown();
    assertThat(busy.get().payloadUtf8()).isEqualTo("\"block\"");
    assertThat(fake.terminated).containsExactly("live-1");
    assertThat(runtime.warmInstances())
        .extracting(WarmInstance::instanceId)
        .containsExactly("live-2");
  }

  @Test
  void aConfigurationChangeReplacesTheWarmInstance() {
    LambdaRuntime runtime = runtime();
    LambdaFunction fn = python("hello").build();
    runtime.invoke(fn, bytes("{}"));

    runtime.invoke(fn.toBuilder().memoryMib(512).build(), bytes("{}"));

    assertThat(fake.launches).hasValue(2);
    assertThat(fake.terminated).containsExactly("live-1");
    assertThat(runtime.warmInstances()).hasSize(1);
  }

  @Test
  void tagsReplaceInstancesOnlyWhenTheBackendUsesThem() {
    LambdaRuntime runtime = runtime();
    LambdaFunction fn = python("hello").build();
    runtime.invoke(fn, bytes("{}"));
    runtime.invoke(fn.toBuilder().tags(Map.of("team", "a")).build(), bytes("{}"));
    assertThat(fake.launches).hasValue(1);

    fake.usesTags = true;
    runtime.invoke(fn.toBuilder().tags(Map.of("team", "b")).build(), bytes("{}"));
    assertThat(fake.launches).hasValue(2);
  }

  @Test
  void versionsKeepSeparatePoolsAndEvictionRemovesAll() {
    LambdaRuntime runtime = runtime();
    LambdaFunction latest = python("hello").build();
    LambdaFunction one = latest.toBuilder().version("1").build();
    runtime.invoke(latest, bytes("{}"));
    runtime.invoke(one, bytes("{}"));
    runtime.invoke(latest, bytes("{}"));
    runtime.invoke(python("other").build(), bytes("{}"));

    assertThat(fake.launches).hasValue(3);
    assertThat(fake.terminated).isEmpty();
    assertThat(runtime.warmInstances())
        .extracting(WarmInstance::functionName, WarmInstance::version)
        .containsExactlyInAnyOrder(
            org.assertj.core.groups.Tuple.tuple("hello", "$LATEST"),
            org.assertj.core.groups.Tuple.tuple("hello", "1"),
            org.assertj.core.groups.Tuple.tuple("other", "$LATEST"));

    assertThat(runtime.evict("hello")).isTrue();
    assertThat(fake.terminated).containsExactlyInAnyOrder("live-1", "live-2");
    assertThat(runtime.evict("hello")).isFalse();
    assertThat(runtime.warmInstances())
        .extracting(WarmInstance::functionName)
        .containsExactly("other");
  }

  @Test
  void stopAllTearsDownEveryInstance() {
    LambdaRuntime runtime = runtime();
    runtime.invoke(python("a1").build(), bytes("{}"));
    runtime.invoke(python("b1").build(), bytes("{}"));

    runtime.stopAll();

    assertThat(fake.terminated).containsExactlyInAnyOrder("live-1", "live-2");
    assertThat(runtime.warmInstances()).isEmpty();
    assertThat(runtime.invoke(python("a1").build(), bytes("{}")).coldStart()).isTrue();
  }

  private static SessionCredentials credentials(String id, Instant expiration) {
    return new SessionCredentials(id, "secret-" + id, "token-" + id, expiration);
  }

  @Test
  void credentialsAreIssuedOncePerInstanceAndRevokedOnTeardown() {
    CredentialsProvider provider = mock(CredentialsProvider.class);
    SessionCredentials issued = credentials("AKID1", clock.instant().plus(Duration.ofHours(12)));
    when(provider.issue(any())).thenReturn(issued);
    LambdaRuntime runtime = runtime(builder().credentialsProvider(provider));
    LambdaFunction fn = python("hello").role("arn:aws:iam::000000000000:role/r").build();

    runtime.invoke(fn, bytes("{}"));
    runtime.invoke(fn, bytes("{}"));

    verify(provider, times(1)).issue(fn);
    LaunchSpec spec = fake.specs.get(0);
    assertThat(spec.environment())
        .containsEntry("AWS_ACCESS_KEY_ID", "AKID1")
        .containsEntry("AWS_SECRET_ACCESS_KEY", "secret-AKID1")
        .containsEntry("AWS_SESSION_TOKEN", "token-AKID1");
    assertThat(spec.sensitiveKeys())
        .containsExactly(
            "AWS_ACCESS_KEY", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN");
    assertThat(spec.toString()).doesNotContain("secret-AKID1").doesNotContain("token-AKID1");

    runtime.stopAll();
    verify(provider).revoke(issued);
  }

  @Test
  void credentialsOfAFailedLaunchAreRevoked() {
    CredentialsProvider provider = mock(CredentialsProvider.class);
    SessionCredentials issued = credentials("AKID1", clock.instant().plus(Duration.ofHours(12)));
    when(provider.issue(any())).thenReturn(issued);
    LambdaRuntime runtime = runtime(builder().credentialsProvider(provider));
    fake.plan.add(Mode.FAIL);

    assertThatThrownBy(() -> runtime.invoke(python("hello").build(), bytes("{}")))
        .isInstanceOf(LaunchFailedException.class)
        .hasMessage("planned failure");
    verify(provider).revoke(issued);
    assertThat(runtime.warmInstances()).isEmpty();
  }

  @Test
  void anUntypedLaunchFailureIsWrappedWithTheBackendAndFunction() {
    LambdaRuntime runtime = runtime();
    fake.plan.add(Mode.CRASH);

    assertThatThrownBy(() -> runtime.invoke(python("hello").build(), bytes("{}")))
        .isInstanceOfSatisfying(
            LaunchFailedException.class, e -> assertThat(e.functionName()).isEqualTo("hello"))
        .hasMessage(
            "backend 'fake' failed to launch function 'hello' (java.lang.IllegalArgumentException:"
                + " planned crash); check the backend's log or report this to its maintainers")
        .hasCauseInstanceOf(IllegalArgumentException.class);
    assertThat(runtime.invoke(python("hello").build(), bytes("{}")).coldStart()).isTrue();
  }

  @Test
  void instancesWhoseCredentialsNearExpiryAreReplaced() {
    CredentialsProvider provider = mock(CredentialsProvider.class);
    SessionCredentials first = credentials("AKID1", clock.instant().plus(Duration.ofMinutes(20)));
    SessionCredentials second = credentials("AKID2", clock.instant().plus(Duration.ofHours(12)));
    when(provider.issue(any())).thenReturn(first, second);
    LambdaRuntime runtime = runtime(builder().credentialsProvider(provider));
    LambdaFunction fn = python("hello").build();
    runtime.invoke(fn, bytes("{}"));
    runtime.invoke(fn, bytes("{}"));
    assertThat(fake.launches).hasValue(1);

    clock.advance(Duration.ofMinutes(5));
    runtime.invoke(fn, bytes("{}"));

    assertThat(fake.launches).hasValue(2);
    assertThat(fake.terminated).containsExactly("live-1");
    verify(provider).revoke(first);
    assertThat(fake.specs.get(1).environment()).containsEntry("AWS_ACCESS_KEY_ID", "AKID2");
  }

  @Test
  void idleInstancesAreReaped() throws Exception {
    LambdaRuntime runtime = runtime(builder().idleTimeout(Duration.ofMillis(20)));
    runtime.invoke(python("hello").build(), bytes("{}"));

    clock.advance(Duration.ofSeconds(1));

    assertThat(fake.terminations.take()).isEqualTo("live-1");
    assertThat(runtime.warmInstances()).isEmpty();
  }

  @Test
  void theRieTimeoutAnswerIsATimeoutAndReplacesTheInstance() {
    LambdaRuntime runtime = runtime();
    fake.handler = (id, requestId, body) -> Reply.ok("Task timed out after 3.00 seconds");

    InvocationResult result = runtime.invoke(python("hello").build(), bytes("{}"));

    assertThat(result.functionError()).contains(FunctionError.UNHANDLED);
    assertThat(result.payloadUtf8())
        .isEqualTo(
            "{\"errorType\":\"Sandbox.Timedout\",\"errorMessage\":\""
                + result.requestId()
                + " Task timed out after 3.00 seconds\"}");
    assertThat(fake.terminated).containsExactly("live-1");
    assertThat(runtime.warmInstances()).isEmpty();
  }

  @Test
  void aClientSideTimeoutGivesTheSameResult() {
    LambdaRuntime runtime = runtime(builder().invokeGrace(Duration.ZERO));
    CountDownLatch never = new CountDownLatch(1);
    fake.handler =
        (id, requestId, body) -> {
          never.await();
          return Reply.ok("late");
        };

    InvocationResult result =
        runtime.invoke(python("hello").timeoutSeconds(1).build(), bytes("{}"));

    assertThat(result.functionError()).contains(FunctionError.UNHANDLED);
    assertThat(result.payloadUtf8())
        .isEqualTo(
            "{\"errorType\":\"Sandbox.Timedout\",\"errorMessage\":\""
                + result.requestId()
                + " Task timed out after 1.00 seconds\"}");
    assertThat(fake.terminated).containsExactly("live-1");
  }

  @Test
  void theFunctionErrorHeaderWins() {
    LambdaRuntime runtime = runtime();
    fake.handler =
        (id, requestId, body) ->
            new Reply(
                200, Map.of("X-Amz-Function-Error", "Handled"), bytes("{\"errorMessage\":\"x\"}"));

    assertThat(runtime.invoke(python("hello").build(), bytes("{}")).functionError())
        .contains(FunctionError.HANDLED);
  }

  @Test
  void errorDocumentsAreUnhandledAndOtherBodiesAreResults() {
    LambdaRuntime runtime = runtime();
    LambdaFunction fn = python("hello").build();
    String[] errors = {
      "{\"errorMessage\":\"boom\",\"errorType\":\"ValueError\"}", " {\"errorType\":\"X\"}"
    };
    String[] results = {
      "{\"message\":\"errorMessage\"}", "\"errorMessage\"", "not json {", "[1]", ""
    };
    for (String body : errors) {
      fake.handler = (id, requestId, event) -> Reply.ok(body);
      assertThat(runtime.invoke(fn, bytes("{}")).functionError())
          .as(body)
          .contains(FunctionError.UNHANDLED);
    }
    for (String body : results) {
      fake.handler = (id, requestId, event) -> Reply.ok(body);
      InvocationResult result = runtime.invoke(fn, bytes("{}"));
      assertThat(result.functionError()).as(body).isEmpty();
      assertThat(result.payloadUtf8()).isEqualTo(body);
    }
    assertThat(fake.launches).hasValue(1);
  }

  @Test
  void aFailedInitAnswerIsUnhandledAndReplacesTheInstance() {
    LambdaRuntime runtime = runtime();
    fake.handler =
        (id, requestId, body) ->
            new Reply(502, Map.of(), bytes("{\"errorType\":\"Runtime.ExitError\"}"));

    InvocationResult result = runtime.invoke(python("hello").build(), bytes("{}"));

    assertThat(result.functionError()).contains(FunctionError.UNHANDLED);
    assertThat(fake.terminated).containsExactly("live-1");
  }

  @Test
  void aNonErrorFailureStatusIsAnInstanceFailure() {
    LambdaRuntime runtime = runtime();
    fake.handler = (id, requestId, body) -> new Reply(500, Map.of(), bytes("oops"));

    assertThatThrownBy(() -> runtime.invoke(python("hello").build(), bytes("{}")))
        .isInstanceOf(InstanceFailedException.class)
        .hasMessageContaining("answered HTTP '500'");
    assertThat(fake.terminated).containsExactly("live-1");
  }

  @Test
  void logTailIsTheLastFourKilobytesWhenRequested() {
    LambdaRuntime runtime = runtime();
    fake.logText = "a".repeat(5000) + "END";
    LambdaFunction fn = python("hello").build();

    InvocationResult plain = runtime.invoke(fn, bytes("{}"));
    InvocationResult tailed =
        runtime.invoke(fn, bytes("{}"), InvokeOptions.builder().logTail(true).build());

    assertThat(plain.logResult()).isEmpty();
    String tail = new String(Base64.getDecoder().decode(tailed.logResult().orElseThrow()), UTF_8);
    String id = tailed.requestId();
    assertThat(tail).hasSize(4096).startsWith("aaa");
    assertThat(tail)
        .contains("a".repeat(3000) + "END\nEND RequestId: " + id + "\nREPORT RequestId: " + id)
        .endsWith("\t\n");
    assertThat(fake.logSince).isNotEmpty().containsOnly(clock.instant());
  }

  @Test
  void logTailWaitsForLinesTheBackendShipsLate() {
    LambdaRuntime runtime = runtime();
    fake.logText = "the event's line";
    fake.emptyLogReads = 3;
    LambdaFunction fn = python("hello").build();

    InvocationResult tailed =
        runtime.invoke(fn, bytes("{}"), InvokeOptions.builder().logTail(true).build());

    String id = tailed.requestId();
    assertThat(new String(Base64.getDecoder().decode(tailed.logResult().orElseThrow()), UTF_8))
        .startsWith(
            "START RequestId: "
                + id
                + " Version: $LATEST\nthe event's line\nEND RequestId: "
                + id
                + "\nREPORT RequestId: "
                + id
                + "\tDuration: ");
  }

  @Test
  void clientContextIsForwardedOnlyWhenSet() {
    LambdaRuntime runtime = runtime();
    LambdaFunction fn = python("hello").build();

    runtime.invoke(fn, bytes("{}"), InvokeOptions.builder().clientContext("e30=").build());
    runtime.invoke(fn, bytes("{}"));

    assertThat(fake.clientContexts).containsExactly("e30=", "null");
  }

  @Test
  void payloadsAboveSixMegabytesAreRejectedBeforeAnyLaunch() {
    LambdaRuntime runtime = runtime();

    assertThatThrownBy(() -> runtime.invoke(python("hello").build(), new byte[6_291_457]))
        .isInstanceOfSatisfying(
            InvalidFunctionException.class,
            e -> assertThat(e.awsErrorCode()).isEqualTo("RequestTooLargeException"))
        .hasMessageContaining("'6291457' bytes");
    assertThat(fake.launches).hasValue(0);
  }

  @Test
  void aPayloadOfExactlySixMegabytesIsSent() {
    LambdaRuntime runtime = runtime();
    fake.handler = (id, requestId, body) -> Reply.ok(Integer.toString(body.length));

    assertThat(runtime.invoke(python("hello").build(), new byte[6_291_456]).payloadUtf8())
        .isEqualTo("6291456");
  }

  @Test
  void aResponseAboveSixMegabytesBecomesAwsError() {
    LambdaRuntime runtime = runtime();
    fake.handler = (id, requestId, body) -> new Reply(200, Map.of(), new byte[6_291_457]);

    InvocationResult result = runtime.invoke(python("hello").build(), bytes("{}"));

    assertThat(result.functionError()).contains(FunctionError.UNHANDLED);
    assertThat(result.payloadUtf8())
        .isEqualTo(
            "{\"errorMessage\":\"Response payload size exceeded maximum allowed payload size"
                + " (6291556 bytes).\",\"errorType\":\"Function.ResponseSizeTooLarge\"}");
    assertThat(runtime.warmInstances()).hasSize(1);
  }

  @Test
  void aBackendThatFailsToStartIsNamed() {
    fake.failCreate = true;

    assertThatThrownBy(() -> builder().build())
        .isInstanceOf(io.lambdarun.api.RuntimeUnavailableException.class)
        .hasMessageStartingWith(
            "backend 'fake' ("
                + FakeBackend.class.getName()
                + ") failed to start"
                + " (java.lang.IllegalStateException: planned create failure)");
  }

  @Test
  void prepareCompletesAfterThePull() throws Exception {
    LambdaRuntime runtime = runtime();

    runtime.prepare(python("hello").build()).get();

    assertThat(fake.prepulled).containsExactly("public.ecr.aws/lambda/python:3.12");
    assertThat(fake.launches).hasValue(0);
  }

  @Test
  void prepareFailsForARuntimeWithoutImage() {
    LambdaRuntime runtime = runtime();

    assertThat(runtime.prepare(python("hello").runtime("python2.7").build()))
        .failsWithin(Duration.ofSeconds(30))
        .withThrowableThat()
        .havingRootCause()
        .isInstanceOf(InvalidFunctionException.class);
  }

  @Test
  void closeTerminatesEverythingAndLaterUseFails() throws Exception {
    LambdaRuntime runtime = runtime();
    Semaphore entered = new Semaphore(0);
    CountDownLatch never = new CountDownLatch(1);
    echoBlockingOn(entered, never);
    runtime.invoke(python("idle").build(), bytes("{}"));
    Future<InvocationResult> busy =
        threads.submit(() -> runtime.invoke(python("busy").build(), bytes("\"block\"")));
    entered.acquire();

    runtime.close();
    runtime.close();

    assertThat(fake.terminated).containsExactlyInAnyOrder("live-1", "live-2");
    assertThat(fake.runtimesClosed).hasValue(1);
    assertThat(busy).failsWithin(Duration.ofSeconds(30));
    assertThatThrownBy(() -> runtime.invoke(python("idle").build(), bytes("{}")))
        .isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(runtime::warmInstances).isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(runtime::backendName).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void aBackendFailingToCloseDoesNotFailClose() {
    LambdaRuntime runtime = runtime();
    runtime.invoke(python("hello").build(), bytes("{}"));
    fake.failClose = true;

    runtime.close();

    assertThat(fake.runtimesClosed).hasValue(1);
    assertThat(fake.terminated).containsExactly("live-1");
  }

  @Test
  void invalidPoolSettingsNameTheirKey() {
    assertThatThrownBy(() -> builder().maxInstancesPerFunction(0).build())
        .isInstanceOfSatisfying(
            ConfigurationException.class,
            e -> assertThat(e.key()).isEqualTo("lambdarun.pool.max-instances"));
    assertThatThrownBy(() -> builder().ecrRegistryPort(70_000).build())
        .isInstanceOfSatisfying(
            ConfigurationException.class,
            e -> assertThat(e.key()).isEqualTo("lambdarun.ecr.registry-port"));
    assertThatThrownBy(() -> builder().idleTimeout(Duration.ZERO).build())
        .isInstanceOfSatisfying(
            ConfigurationException.class,
            e -> assertThat(e.key()).isEqualTo("lambdarun.pool.idle-timeout"));
    assertThatThrownBy(
            () ->
                builder()
                    .config(RuntimeConfig.of(Map.of("lambdarun.endpoint-url", "not a url")))
                    .build())
        .isInstanceOfSatisfying(
            ConfigurationException.class,
            e -> assertThat(e.key()).isEqualTo("lambdarun.endpoint-url"));
    assertThat(fake.runtimesClosed).hasValue(0);
  }

  @Test
  void configKeysApplyWhenTheBuilderLeavesThemUnset() {
    LambdaRuntime runtime =
        runtime(
            LambdaRuntime.builder()
                .addProvider(fake)
                .sweepOrphansOnStart(false)
                .config(
                    RuntimeConfig.of(
                        Map.of(
                            "lambdarun.backend", "fake",
                            "lambdarun.pool.max-instances", "1",
                            "lambdarun.image-mappings", "python3.12=mirror/python:3.12"))));

    runtime.invoke(python("hello").build(), bytes("{}"));

    assertThat(runtime.backendName()).isEqualTo("fake");
    assertThat(fake.specs.get(0).image()).isEqualTo("mirror/python:3.12");
  }
}
