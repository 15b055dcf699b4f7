package io.lambdarun.core.pool;

import static io.lambdarun.core.TestFunctions.python;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.when;

import io.lambdarun.api.ArchiveLimits;
import io.lambdarun.api.ContainerRuntime;
import io.lambdarun.api.HostAccess;
import io.lambdarun.api.Instance;
import io.lambdarun.api.Owner;
import io.lambdarun.core.env.FunctionEnvironment;
import io.lambdarun.core.image.ImageResolver;
import io.lambdarun.core.internal.telemetry.Telemetry;
import io.lambdarun.core.model.LambdaFunction;
import io.lambdarun.core.testing.MutableClock;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class WarmPoolTest {

  private static final Duration TTL = Duration.ofMinutes(5);

  private final MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));
  private final ContainerRuntime runtime = mock(ContainerRuntime.class);
  private final AtomicInteger ids = new AtomicInteger();
  private final ExecutorService threads = Executors.newCachedThreadPool();
  private final LambdaFunction fn = python("hello").build();

  @AfterEach
  void stopThreads() {
    threads.shutdownNow();
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
    return new WarmPool(cap, TTL, clock, launcher);
  }

  private static Instance instance(String id) {
    return Instance.of(id, URI.create("http://127.0.0.1:9"));
  }

  @Test
  void reapingRetiresIdleInstancesAndSparesBusyOnes() {
    WarmPool pool = pool(2);
    Lease busy = pool.acquire(fn, "d1");
    Lease idle = pool.acquire(fn, "d1");
    idle.release();

    clock.advance(TTL.plusSeconds(1));

    assertThat(pool.reapIdle()).isEqualTo(1);
    verify(runtime).terminate(instance("i-2"));
    verify(runtime, never()).terminate(instance("i-1"));
    busy.release();
    assertThat(pool.reapIdle()).isZero();
    clock.advance(TTL.plusSeconds(1));
    assertThat(pool.reapIdle()).isEqualTo(1);
    verify(runtime).terminate(instance("i-1"));
  }

  @Test
  void instancesUsedWithinTheTtlStayWarm() {
    WarmPool pool = pool(1);
    pool.acquire(fn, "d1").release();
    clock.advance(TTL.minusSeconds(1));
    pool.acquire(fn, "d1").release();
    clock.advance(TTL.minusSeconds(1));

    assertThat(pool.reapIdle()).isZero();
    assertThat(pool.list())
        .singleElement()
        .satisfies(s -> assertThat(s.idle()).isEqualTo(TTL.minusSeconds(1)));
  }

  @Test
  void evictingABusyInstanceRetiresItOnRelease() {
    WarmPool pool = pool(1);
    Lease lease = pool.acquire(fn, "d1");

    assertThat(pool.evict("hello")).isTrue();
    verify(runtime, never()).terminate(any());

    lease.release();
    verify(runtime).terminate(instance("i-1"));
    assertThat(pool.list()).isEmpty();
  }

  @Test
  void aDiscardedLeaseLetsAWaiterLaunch() throws Exception {
    WarmPool pool = pool(1);
    Lease lease = pool.acquire(fn, "d1");
    Future<Lease> waiter = threads.submit(() -> pool.acquire(fn, "d1"));

    lease.discard();

    assertThat(waiter.get().instance().id()).isEqualTo("i-2");
    verify(runtime).terminate(instance("i-1"));
  }

  @Test
  void closingWakesWaitersAndTearsDownBusyInstances() throws Exception {
    WarmPool pool = pool(1);
    pool.acquire(fn, "d1");
    Future<Lease> waiter = threads.submit(() -> pool.acquire(fn, "d1"));

    pool.close();

    assertThatThrownBy(waiter::get).hasCauseInstanceOf(IllegalStateException.class);
    verify(runtime).terminate(instance("i-1"));
    assertThatThrownBy(() -> pool.acquire(fn, "d1"))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("'hello'");
  }
}
