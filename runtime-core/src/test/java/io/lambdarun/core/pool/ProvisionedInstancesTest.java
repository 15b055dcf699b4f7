package io.lambdarun.core.pool;

import static io.lambdarun.core.TestFunctions.python;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.Mockito.doReturn;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.times;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.when;

import io.lambdarun.api.ArchiveLimits;
import io.lambdarun.api.ContainerRuntime;
import io.lambdarun.api.HostAccess;
import io.lambdarun.api.Instance;
import io.lambdarun.api.InvalidFunctionException;
import io.lambdarun.api.Owner;
import io.lambdarun.core.env.FunctionEnvironment;
import io.lambdarun.core.image.ImageResolver;
import io.lambdarun.core.internal.telemetry.Telemetry;
import io.lambdarun.core.model.LambdaFunction;
import io.lambdarun.core.model.ProvisionedConcurrency;
import io.lambdarun.core.model.ProvisionedConcurrency.Status;
import io.lambdarun.core.testing.MutableClock;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Provisioned concurrency in the warm pool, on a mocked backend. */
class ProvisionedInstancesTest {

  private static final Duration TTL = Duration.ofMinutes(5);

  private final MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));
  private final ContainerRuntime runtime = mock(ContainerRuntime.class);
  private final AtomicInteger ids = new AtomicInteger();
  private final LambdaFunction fn = python("hello").version("1").build();
  private WarmPool pool;

  @AfterEach
  void closePool() {
    if (pool != null) {
      pool.close();
    }
  }

  private WarmPool pool(int cap) {
    when(runtime.hostAccess()).thenReturn(HostAccess.loopback());
    when(runtime.launch(any()))
        .thenAnswer(
            call -> Instance.of("i-" + ids.incrementAndGet(), URI.create("http://127.0.0.1:9")));
    LaunchSpecFactory specs =
        new LaunchSpecFactory(
            runtime,
            Owner.forCurrentProcess(),
            new FunctionEnvironment(Optional.empty(), HostAccess.loopback()),
            ImageResolver.defaults(),
            ArchiveLimits.AWS,
            clock);
    InstanceLauncher launcher =
        new InstanceLauncher(
            runtime,
            specs,
            Optional.empty(),
            Optional.empty(),
            Duration.ofSeconds(10),
            new Telemetry(List.of(), List.of(), clock));
    pool = new WarmPool(cap, TTL, clock, launcher);
    return pool;
  }

  private static Instance instance(String id) {
    return Instance.of(id, URI.create("http://127.0.0.1:9"));
  }

  /** Waits for the pool's asynchronous refill; the bound only keeps a broken build from hanging. */
  private static ProvisionedConcurrency awaitReady(WarmPool pool, LambdaFunction function)
      throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    ProvisionedConcurrency state = pool.provisioned(function).orElseThrow();
    while (state.status() != Status.READY && System.nanoTime() < deadline) {
      Thread.sleep(10);
      state = pool.provisioned(function).orElseThrow();
    }
    return state;
  }

  @Test
  void provisionedInstancesAreLaunchedAheadAndServeWarm() throws Exception {
    WarmPool pool = pool(3);

    ProvisionedConcurrency state = pool.provision(fn, "d1", 2).get();

    assertThat(state).isEqualTo(new ProvisionedConcurrency(2, 2, Status.READY, Optional.empty()));
    verify(runtime, times(2)).launch(any());
    assertThat(pool.list()).hasSize(2).allSatisfy(s -> assertThat(s.busy()).isFalse());
    Lease lease = pool.acquire(fn, "d1");
    assertThat(lease.coldStart()).isFalse();
    assertThat(lease.initDuration()).isEmpty();
    lease.release();
    verify(runtime, times(2)).launch(any());
  }

  @Test
  void idleReapingKeepsTheProvisionedCountUntilDeprovisioned() throws Exception {
    WarmPool pool = pool(3);
    pool.provision(fn, "d1", 2).get();
    Lease first = pool.acquire(fn, "d1");
    Lease second = pool.acquire(fn, "d1");
    pool.acquire(fn, "d1").release(); // a third, launched on demand
    clock.advance(TTL.plusSeconds(1));

    assertThat(pool.reapIdle()).isEqualTo(1); // the on-demand one goes, as on Lambda
    verify(runtime).terminate(instance("i-3"));
    first.release();
    second.release();
    clock.advance(TTL.plusSeconds(1));
    assertThat(pool.reapIdle()).isZero();

    pool.provision(fn, "d1", 0).get();
    assertThat(pool.provisioned(fn)).isEmpty();
    assertThat(pool.reapIdle()).isEqualTo(2);
  }

  @Test
  void idleProvisionedInstancesOutliveTheIdleTimeout() throws Exception {
    WarmPool pool = pool(3);
    pool.provision(fn, "d1", 2).get();
    clock.advance(TTL.multipliedBy(10));

    assertThat(pool.reapIdle()).isZero();
    verify(runtime, never()).terminate(any());
  }

  @Test
  void aDiscardedProvisionedInstanceIsReplaced() throws Exception {
    WarmPool pool = pool(3);
    pool.provision(fn, "d1", 1).get();

    pool.acquire(fn, "d1").discard();

    assertThat(awaitReady(pool, fn).available()).isEqualTo(1);
    verify(runtime).terminate(instance("i-1"));
    assertThat(pool.list())
        .singleElement()
        .satisfies(s -> assertThat(s.instance().id()).isEqualTo("i-2"));
  }

  @Test
  void anInstanceTheBackendReportsEndedIsReplacedByMaintenance() throws Exception {
    WarmPool pool = pool(3);
    pool.provision(fn, "d1", 2).get();

    pool.maintainProvisioned(instance -> instance.id().equals("i-1"));

    assertThat(awaitReady(pool, fn).available()).isEqualTo(2);
    verify(runtime).terminate(instance("i-1"));
    assertThat(pool.list())
        .extracting(s -> s.instance().id())
        .containsExactlyInAnyOrder("i-2", "i-3");
  }

  @Test
  void aNewConfigurationReplacesTheProvisionedInstances() throws Exception {
    WarmPool pool = pool(3);
    pool.provision(fn, "d1", 1).get();

    LambdaFunction changed = fn.toBuilder().memoryMib(256).build();
    ProvisionedConcurrency state = pool.provision(changed, "d2", 1).get();

    assertThat(state.status()).isEqualTo(Status.READY);
    verify(runtime).terminate(instance("i-1"));
    assertThat(pool.list())
        .singleElement()
        .satisfies(
            s -> {
              assertThat(s.instance().id()).isEqualTo("i-2");
              assertThat(s.function().memoryMib()).isEqualTo(256);
            });
  }

  @Test
  void anInvocationWithANewConfigurationMovesTheProvisionToIt() throws Exception {
    WarmPool pool = pool(3);
    pool.provision(fn, "d1", 1).get();

    LambdaFunction changed = fn.toBuilder().memoryMib(256).build();
    pool.acquire(changed, "d2").release(); // i-1 is stale: retired, i-2 launched on demand

    verify(runtime).terminate(instance("i-1"));
    assertThat(awaitReady(pool, changed).available()).isEqualTo(1);
    assertThat(pool.list())
        .singleElement()
        .satisfies(s -> assertThat(s.function().memoryMib()).isEqualTo(256));
  }

  @Test
  void anEvictionRestoresTheProvisionInAFreshPool() throws Exception {
    WarmPool pool = pool(3);
    pool.provision(fn, "d1", 1).get();

    assertThat(pool.evict("hello")).isTrue();

    verify(runtime).terminate(instance("i-1"));
    assertThat(awaitReady(pool, fn).available()).isEqualTo(1);
    assertThat(pool.list())
        .singleElement()
        .satisfies(s -> assertThat(s.instance().id()).isEqualTo("i-2"));
  }

  @Test
  void aFailedLaunchIsReportedAndRetriedOnlyWhenProvisionedAgain() throws Exception {
    WarmPool pool = pool(3);
    when(runtime.launch(any())).thenThrow(new IllegalStateException("image gone"));

    ProvisionedConcurrency state = pool.provision(fn, "d1", 1).get();

    assertThat(state.status()).isEqualTo(Status.FAILED);
    assertThat(state.available()).isZero();
    assertThat(state.statusReason()).hasValueSatisfying(r -> assertThat(r).contains("image gone"));
    pool.maintainProvisioned(instance -> false);
    verify(runtime, times(1)).launch(any());

    doReturn(instance("i-9")).when(runtime).launch(any());
    assertThat(pool.provision(fn, "d1", 1).get().status()).isEqualTo(Status.READY);
  }

  @Test
  void aCountAboveTheCapIsRefused() {
    WarmPool pool = pool(2);

    assertThatThrownBy(() -> pool.provision(fn, "d1", 3))
        .isInstanceOf(InvalidFunctionException.class)
        .hasMessageContaining("'3'")
        .hasMessageContaining("lambdarun.pool.max-instances");
    assertThat(pool.provisioned(fn)).isEmpty();
  }
}
