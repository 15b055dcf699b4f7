package io.lambdarun.core.pool;

import static io.lambdarun.core.TestFunctions.python;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.mockito.Mockito.mock;

import io.lambdarun.api.ContainerRuntime;
import io.lambdarun.api.Instance;
import io.lambdarun.api.LambdaRunException;
import io.lambdarun.api.LaunchFailedException;
import io.lambdarun.core.internal.telemetry.Telemetry;
import io.lambdarun.core.model.LambdaFunction;
import io.lambdarun.core.testing.MutableClock;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiFunction;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class FunctionPoolTest {

  private static final long WAIT_SECONDS = 20;

  private final MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));
  private final ContainerRuntime runtime = mock(ContainerRuntime.class);
  private final ExecutorService threads = Executors.newCachedThreadPool();
  private final LambdaFunction fn = python("hello").build();
  private final AtomicInteger launches = new AtomicInteger();
  private final AtomicInteger launchesUnderWay = new AtomicInteger();
  private final AtomicInteger mostLaunchesUnderWay = new AtomicInteger();
  private final List<Thread> callers = new ArrayList<>();

  @AfterEach
  void stopThreads() {
    threads.shutdownNow();
  }

  private FunctionPool pool(int cap) {
    InstanceLauncher launcher =
        new InstanceLauncher(
            runtime,
            null,
            Optional.empty(),
            Optional.empty(),
            Duration.ZERO,
            new Telemetry(List.of(), List.of(), clock));
    return new FunctionPool("hello", cap, clock, launcher, () -> {});
  }

  /** A backend whose launches wait for the gate, counting how many are under way at once. */
  private BiFunction<LambdaFunction, String, Launched> slowLaunch(CountDownLatch gate) {
    return (function, deployId) -> {
      int id = launches.incrementAndGet();
      mostLaunchesUnderWay.accumulateAndGet(launchesUnderWay.incrementAndGet(), Math::max);
      try {
        if (!gate.await(WAIT_SECONDS, TimeUnit.SECONDS)) {
          throw new IllegalStateException("the test never opened the launch gate");
        }
        return launched("i-" + id);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      } finally {
        launchesUnderWay.decrementAndGet();
      }
    };
  }

  private static Launched launched(String id) {
    return new Launched(
        Instance.of(id, URI.create("http://127.0.0.1:9")),
        Optional.empty(),
        Duration.ofMillis(1),
        Optional.empty());
  }

  private Future<Lease> caller(
      FunctionPool pool, BiFunction<LambdaFunction, String, Launched> launch) {
    return threads.submit(
        () -> {
          synchronized (callers) {
            callers.add(Thread.currentThread());
          }
          return pool.acquire(fn, "d1", launch);
        });
  }

  /** Waits until the given number of callers have started and all of them are parked. */
  private void awaitParked(int count) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_SECONDS);
    while (System.nanoTime() < deadline) {
      synchronized (callers) {
        if (callers.size() == count
            && callers.stream()
                .allMatch(
                    t ->
                        t.getState() == Thread.State.WAITING
                            || t.getState() == Thread.State.TIMED_WAITING)) {
          return;
        }
      }
      Thread.onSpinWait();
    }
    throw new AssertionError(
        "the " + count + " callers did not all park within " + WAIT_SECONDS + " s");
  }

  private static void awaitValue(AtomicInteger counter, int value) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_SECONDS);
    while (counter.get() != value) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("the count stayed at " + counter.get() + ", not " + value);
      }
      Thread.onSpinWait();
    }
  }

  private static Lease get(Future<Lease> lease) throws Exception {
    return lease.get(WAIT_SECONDS, TimeUnit.SECONDS);
  }

  @Test
  void coldCallersLaunchInParallelUpToTheCapAndNoFurther() throws Exception {
    FunctionPool pool = pool(4);
    CountDownLatch gate = new CountDownLatch(1);
    List<Future<String>> servedBy = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      servedBy.add(
          threads.submit(
              () -> {
                synchronized (callers) {
                  callers.add(Thread.currentThread());
                }
                Lease lease = pool.acquire(fn, "d1", slowLaunch(gate));
                lease.release();
                return lease.instance().id();
              }));
    }
    awaitParked(10);

    assertThat(launchesUnderWay).hasValue(4);
    gate.countDown();
    Set<String> served = ConcurrentHashMap.newKeySet();
    for (Future<String> id : servedBy) {
      served.add(id.get(WAIT_SECONDS, TimeUnit.SECONDS));
    }

    assertThat(launches).hasValue(4);
    assertThat(mostLaunchesUnderWay).hasValue(4);
    assertThat(served).containsExactlyInAnyOrder("i-1", "i-2", "i-3", "i-4");
    assertThat(pool.snapshot()).hasSize(4).noneMatch(PoolSnapshot::busy);
  }

  @Test
  void noMoreLaunchesThanCallersNeedingAnInstance() throws Exception {
    FunctionPool pool = pool(8);
    CountDownLatch gate = new CountDownLatch(1);
    List<Future<Lease>> leases = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      leases.add(caller(pool, slowLaunch(gate)));
    }
    awaitParked(3);
    gate.countDown();
    for (Future<Lease> future : leases) {
      assertThat(get(future).coldStart()).isTrue();
    }

    assertThat(launches).hasValue(3);
    assertThat(pool.snapshot()).hasSize(3);
  }

  @Test
  void aFailedLaunchFailsOnlyItsCallerAndHandsItsSlotToTheNextWaiter() throws Exception {
    FunctionPool pool = pool(2);
    CountDownLatch failGate = new CountDownLatch(1);
    CountDownLatch gate = new CountDownLatch(1);
    BiFunction<LambdaFunction, String, Launched> failing =
        (function, deployId) -> {
          slowLaunch(failGate).apply(function, deployId);
          throw new LaunchFailedException("hello", "planned failure");
        };
    Future<Lease> failed = caller(pool, failing);
    awaitParked(1);
    Future<Lease> launching = caller(pool, slowLaunch(gate));
    awaitParked(2);
    Future<Lease> waiting = caller(pool, slowLaunch(gate));
    awaitParked(3);
    assertThat(launchesUnderWay).hasValue(2);

    failGate.countDown();
    assertThatThrownBy(() -> get(failed)).hasCauseInstanceOf(LaunchFailedException.class);
    awaitValue(launches, 3);
    assertThat(launchesUnderWay).hasValue(2);
    gate.countDown();

    assertThat(get(launching).coldStart()).isTrue();
    assertThat(get(waiting).coldStart()).isTrue();
    assertThat(launches).hasValue(3);
    assertThat(pool.snapshot()).hasSize(2);
  }

  @Test
  void aWaiterGivenALaunchSlotLaunchesTheConfigurationCurrentWhenTheSlotWasGiven()
      throws Exception {
    FunctionPool pool = pool(1);
    LambdaFunction newer = fn.toBuilder().putEnvironment("VARIANT", "b").build();
    List<String> launchedDeployIds = new CopyOnWriteArrayList<>();
    Lease held = pool.acquire(fn, "d1", (function, deployId) -> launched("i-1"));
    Future<Lease> older =
        caller(
            pool,
            (function, deployId) -> {
              launchedDeployIds.add(deployId);
              return launched("i-2");
            });
    awaitParked(1);

    // the newer configuration becomes current; the older waiter, first in line, is given the
    // launch slot, which counts against the newer configuration's cap
    Future<Lease> newerCaller =
        threads.submit(() -> pool.acquire(newer, "d2", (function, deployId) -> launched("i-3")));
    Lease olderLease = get(older);

    assertThat(launchedDeployIds).containsExactly("d2");
    assertThat(newerCaller).isNotDone();
    held.release();
    olderLease.release();
    Lease newerLease = get(newerCaller);
    assertThat(newerLease.instance().id()).isEqualTo("i-2");
    newerLease.release();
  }

  @Test
  void aReleaseWakesOnlyTheLongestWaitingCaller() throws Exception {
    ThreadMXBean mx = ManagementFactory.getThreadMXBean();
    FunctionPool pool = pool(1);
    Lease held = pool.acquire(fn, "d1", (function, deployId) -> launched("i-1"));
    List<Future<Lease>> waiters = new ArrayList<>();
    for (int i = 0; i < 12; i++) {
      waiters.add(caller(pool, (function, deployId) -> launched("never")));
      awaitParked(i + 1);
    }
    List<Long> waitsBefore = new ArrayList<>();
    for (int i = 0; i < 12; i++) {
      waitsBefore.add(mx.getThreadInfo(callers.get(i).getId()).getWaitedCount());
    }

    held.release();
    Lease first = get(waiters.get(0));
    awaitParked(12);
    for (int i = 1; i < 12; i++) {
      assertThat(waiters.get(i)).isNotDone();
      assertThat(mx.getThreadInfo(callers.get(i).getId()).getWaitedCount())
          .as("times waiter %d parked", i)
          .isEqualTo(waitsBefore.get(i));
    }
    first.release();
    for (int i = 1; i < 12; i++) {
      get(waiters.get(i)).release();
    }
    assertThat(first.instance().id()).isEqualTo("i-1");
  }

  @Test
  void everyReleaseReachesAWaiterUnderManyWaiters() throws Exception {
    FunctionPool pool = pool(3);
    AtomicInteger ids = new AtomicInteger();
    BiFunction<LambdaFunction, String, Launched> launch =
        (f, d) -> launched("i-" + ids.incrementAndGet());
    Set<String> inUse = ConcurrentHashMap.newKeySet();
    AtomicInteger overlaps = new AtomicInteger();
    for (int round = 0; round < 5; round++) {
      callers.clear();
      List<Lease> held =
          List.of(
              pool.acquire(fn, "d1", launch),
              pool.acquire(fn, "d1", launch),
              pool.acquire(fn, "d1", launch));
      List<Future<Lease>> waiters = new ArrayList<>();
      for (int i = 0; i < 60; i++) {
        int caller = i;
        waiters.add(
            threads.submit(
                () -> {
                  synchronized (callers) {
                    callers.add(Thread.currentThread());
                  }
                  Lease lease = pool.acquire(fn, "d1", launch);
                  if (!inUse.add(lease.instance().id())) {
                    overlaps.incrementAndGet();
                  }
                  inUse.remove(lease.instance().id());
                  if (caller % 10 == 9) {
                    lease.discard();
                  } else {
                    lease.release();
                  }
                  return lease;
                }));
      }
      awaitParked(60);

      held.forEach(Lease::release);

      for (Future<Lease> waiter : waiters) {
        get(waiter);
      }
    }
    assertThat(overlaps).hasValue(0);
    assertThat(ids.get())
        .as("launches: the first 3 and at most one per discard")
        .isLessThanOrEqualTo(3 + 5 * 6);
    assertThat(pool.snapshot()).hasSizeLessThanOrEqualTo(3).noneMatch(PoolSnapshot::busy);
  }

  @Test
  void anInterruptedWaiterPassesOnWhatItWasHanded() throws Exception {
    for (int round = 0; round < 200; round++) {
      FunctionPool pool = pool(1);
      callers.clear();
      Lease held = pool.acquire(fn, "d1", (function, deployId) -> launched("i-1"));
      Future<Lease> interrupted = caller(pool, (function, deployId) -> launched("never"));
      awaitParked(1);
      Future<Lease> next = caller(pool, (function, deployId) -> launched("never"));
      awaitParked(2);

      Thread first = callers.get(0);
      Future<?> interrupting = threads.submit(first::interrupt);
      held.release();
      interrupting.get(WAIT_SECONDS, TimeUnit.SECONDS);

      try {
        get(interrupted).release();
      } catch (ExecutionException e) {
        assertThat(e).hasCauseInstanceOf(LambdaRunException.class);
      }
      Lease last = get(next);
      assertThat(last.instance().id()).isEqualTo("i-1");
      last.release();
      assertThat(pool.snapshot()).singleElement().matches(s -> !s.busy());
    }
  }
}
