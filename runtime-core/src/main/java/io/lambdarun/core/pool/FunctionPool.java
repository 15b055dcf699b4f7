package io.lambdarun.core.pool;

import io.lambdarun.api.Instance;
import io.lambdarun.api.LambdaRunException;
import io.lambdarun.core.model.LambdaFunction;
import io.lambdarun.core.telemetry.StopReason;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BiFunction;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

// Not split: this class is one monitor, every method reads or changes the entries, waiters, launch
// count and floor under the one lock, and splitting it would spread that invariant over classes.

/**
 * The warm instances of one function version: one event per instance, at most {@code cap} current
 * instances alive or launching, stale instances replaced once they are free.
 *
 * <p>A caller takes a free current instance, or launches one itself while the current instances and
 * the launches under way are fewer than the cap, so cold starts run in parallel up to the cap and
 * never outnumber the callers that need them. Otherwise it queues, and callers are served in
 * arrival order: a released instance is handed straight to the longest waiting caller (one wake-up
 * per freed instance), and a launch slot freed by a failed launch or a retired instance is handed
 * to it as the right to launch. A failed launch fails only the caller that launched. A waiter that
 * is interrupted, or finds the pool closed, passes on what it was handed.
 *
 * <p>A provisioned pool keeps a floor of current instances: {@link #fill} launches the missing ones
 * ahead of any caller (free, so the next callers find them warm), idle reaping never goes below the
 * floor, and {@code onRetired} is told whenever an instance leaves the pool so the floor can be
 * restored.
 */
final class FunctionPool {

  private static final Logger LOG = LoggerFactory.getLogger(FunctionPool.class);

  /** Credentials expiring sooner than this make an instance stale (longest timeout + 1 min). */
  static final Duration CREDENTIAL_HEADROOM = Duration.ofMinutes(16);

  private final String functionName;
  private final int cap;
  private final Clock clock;
  private final InstanceLauncher launcher;
  private final Runnable onRetired;
  private final ReentrantLock lock = new ReentrantLock();
  private final List<PooledInstance> entries = new ArrayList<>();
  private final Deque<Claim> waiters = new ArrayDeque<>();
  private String currentDeployId = "";
  private LambdaFunction currentFunction;
  private int launching;
  private boolean closed;
  private int floor;
  private Optional<String> fillFailure = Optional.empty();
  private String failedDeployId = "";

  /**
   * Creates an empty pool.
   *
   * @param onRetired runs, outside the lock, after instances left the pool while it is provisioned
   */
  FunctionPool(
      String functionName, int cap, Clock clock, InstanceLauncher launcher, Runnable onRetired) {
    this.functionName = functionName;
    this.cap = cap;
    this.clock = clock;
    this.launcher = launcher;
    this.onRetired = onRetired;
  }

  String functionName() {
    return functionName;
  }

  /** Signals that the pool was closed by an eviction; the caller should use a fresh pool. */
  static final class ClosedPoolException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    ClosedPoolException() {
      super("pool closed", null, false, false);
    }
  }

  /**
   * One caller's claim: the instance or the launch slot it was given, and for a slot the
   * configuration current when it was given, which is what the caller launches; guarded by the
   * lock.
   */
  private static final class Claim {
    PooledInstance instance;
    boolean mayLaunch;
    LambdaFunction launchFunction;
    String launchDeployId;
    Condition handedOut;

    boolean served() {
      return instance != null || mayLaunch;
    }
  }

  /**
   * Leases a free current instance, launching one when below the cap, or waiting in line for the
   * next freed instance or launch slot.
   *
   * @throws ClosedPoolException if the pool is closed meanwhile
   */
  Lease acquire(
      LambdaFunction function,
      String deployId,
      BiFunction<LambdaFunction, String, Launched> launch) {
    List<PooledInstance> retired = new ArrayList<>();
    Claim claim = new Claim();
    lock.lock();
    try {
      if (closed) {
        throw new ClosedPoolException();
      }
      currentDeployId = deployId;
      currentFunction = function;
      removeStaleFree(retired);
      if (!waiters.isEmpty() || !serve(claim)) {
        claim.handedOut = lock.newCondition();
        waiters.addLast(claim);
        handOut();
        awaitHandOut(claim, function, retired);
      }
      if (claim.instance != null) {
        return new Lease(this, claim.instance, Optional.empty());
      }
    } finally {
      lock.unlock();
      retireAll(retired);
    }
    // the slot counts against the configuration current when it was given: launching another
    // (a waiter's older one) would let that configuration's instances outnumber the cap once it is
    // current again
    return launchNew(claim.launchFunction, claim.launchDeployId, launch);
  }

  /** Gives the claim a free current instance or, below the cap, a launch slot. */
  private boolean serve(Claim claim) {
    for (PooledInstance entry : entries) {
      if (!entry.busy && isCurrent(entry)) {
        entry.busy = true;
        entry.lastUsed = clock.instant();
        claim.instance = entry;
        return true;
      }
    }
    long current = entries.stream().filter(this::isCurrent).count();
    if (current + launching < cap) {
      launching++;
      claim.mayLaunch = true;
      claim.launchFunction = currentFunction;
      claim.launchDeployId = currentDeployId;
      return true;
    }
    return false;
  }

  /** Serves waiting callers in arrival order while instances or launch slots are free. */
  private void handOut() {
    while (!closed && !waiters.isEmpty() && serve(waiters.peekFirst())) {
      waiters.pollFirst().handedOut.signal();
    }
  }

  private void awaitHandOut(Claim claim, LambdaFunction function, List<PooledInstance> retired) {
    try {
      while (!claim.served() && !closed) {
        claim.handedOut.await();
      }
    } catch (InterruptedException e) {
      passOn(claim, retired);
      Thread.currentThread().interrupt();
      throw new LambdaRunException(
          "waiting for a free instance of function '"
              + function.functionName()
              + "' was interrupted; retry the invocation",
          e);
    }
    if (closed) {
      passOn(claim, retired);
      throw new ClosedPoolException();
    }
  }

  /** Leaves the line, handing what the claim was given to the next waiter. */
  private void passOn(Claim claim, List<PooledInstance> retired) {
    waiters.remove(claim);
    if (claim.instance != null && releaseLocked(claim.instance, true)) {
      retired.add(claim.instance);
    }
    if (claim.mayLaunch) {
      launching--;
    }
    handOut();
  }

  private Lease launchNew(
      LambdaFunction function,
      String deployId,
      BiFunction<LambdaFunction, String, Launched> launch) {
    Launched launched;
    try {
      launched = launch.apply(function, deployId);
    } catch (RuntimeException | Error e) {
      lock.lock();
      try {
        launching--;
        handOut();
      } finally {
        lock.unlock();
      }
      throw e;
    }
    lock.lock();
    try {
      launching--;
      if (!closed) {
        PooledInstance entry = new PooledInstance(launched, deployId, function, clock.instant());
        entries.add(entry);
        handOut();
        return new Lease(this, entry, Optional.of(launched.launchTime()));
      }
    } finally {
      lock.unlock();
    }
    launcher.retire(launched);
    throw new ClosedPoolException();
  }

  void release(PooledInstance entry, boolean keep) {
    boolean retire;
    lock.lock();
    try {
      retire = releaseLocked(entry, keep);
    } finally {
      lock.unlock();
    }
    if (retire) {
      retireAll(List.of(entry));
    }
  }

  /** Frees the instance for the next waiter; returns whether the caller must retire it. */
  private boolean releaseLocked(PooledInstance entry, boolean keep) {
    if (entry.removed) {
      return false;
    }
    entry.busy = false;
    entry.lastUsed = clock.instant();
    boolean retire = !keep || closed || !isCurrent(entry);
    if (retire) {
      entry.removed = true;
      entries.remove(entry);
    }
    handOut();
    return retire;
  }

  /** Removes free instances idle for longer than the TTL; returns how many were retired. */
  int reapIdle(Duration ttl) {
    List<PooledInstance> idle = new ArrayList<>();
    Instant cutoff = clock.instant().minus(ttl);
    lock.lock();
    try {
      removeStaleFree(idle);
      int spare = entries.size() - floor;
      Iterator<PooledInstance> iterator = entries.iterator();
      while (iterator.hasNext() && spare > 0) {
        PooledInstance entry = iterator.next();
        if (!entry.busy && entry.lastUsed.isBefore(cutoff)) {
          spare--;
          entry.removed = true;
          iterator.remove();
          idle.add(entry);
        }
      }
      handOut();
    } finally {
      lock.unlock();
    }
    retireAll(idle, StopReason.IDLE);
    return idle.size();
  }

  /**
   * Sets how many current instances the pool keeps launched ahead; 0 ends provisioning. The
   * function and deploy id become current, so instances of an older configuration are replaced.
   */
  void provision(LambdaFunction function, String deployId, int count) {
    List<PooledInstance> stale = new ArrayList<>();
    lock.lock();
    try {
      floor = count;
      currentDeployId = deployId;
      currentFunction = function;
      removeStaleFree(stale);
    } finally {
      lock.unlock();
    }
    stale.forEach(this::retire);
  }

  /** Forgets a failed fill, so the next {@link #fill} tries again. */
  void retryFailedFill() {
    lock.lock();
    try {
      fillFailure = Optional.empty();
    } finally {
      lock.unlock();
    }
  }

  /**
   * Launches, on {@code executor}, the instances missing below the floor (within the cap); each
   * joins the pool free. A failed launch is recorded for {@link #provisioned} and not retried until
   * the configuration changes or {@link #retryFailedFill} is called.
   *
   * @return completes when every launch started here has ended, failed ones included
   */
  CompletableFuture<Void> fill(
      Executor executor, BiFunction<LambdaFunction, String, Launched> launch) {
    LambdaFunction function;
    String deployId;
    int missing;
    lock.lock();
    try {
      if (closed
          || floor == 0
          || (fillFailure.isPresent() && failedDeployId.equals(currentDeployId))) {
        return CompletableFuture.completedFuture(null);
      }
      long current = entries.stream().filter(this::isCurrent).count();
      missing = (int) Math.min(floor - current - launching, cap - current - launching);
      if (missing <= 0) {
        return CompletableFuture.completedFuture(null);
      }
      launching += missing;
      function = currentFunction;
      deployId = currentDeployId;
    } finally {
      lock.unlock();
    }
    CompletableFuture<?>[] launches = new CompletableFuture<?>[missing];
    for (int i = 0; i < missing; i++) {
      launches[i] =
          CompletableFuture.runAsync(() -> launchAhead(function, deployId, launch), executor);
    }
    return CompletableFuture.allOf(launches);
  }

  private void launchAhead(
      LambdaFunction function,
      String deployId,
      BiFunction<LambdaFunction, String, Launched> launch) {
    Launched launched;
    try {
      launched = launch.apply(function, deployId);
    } catch (RuntimeException | Error e) {
      LOG.warn(
          "launching a provisioned instance of function '{}' failed; provision it again to"
              + " retry",
          function.qualifiedArn(),
          e);
      lock.lock();
      try {
        launching--;
        fillFailure = Optional.of(String.valueOf(e.getMessage()));
        failedDeployId = deployId;
        handOut();
      } finally {
        lock.unlock();
      }
      return;
    }
    lock.lock();
    try {
      launching--;
      if (!closed && deployId.equals(currentDeployId)) {
        PooledInstance entry = new PooledInstance(launched, deployId, function, clock.instant());
        entry.busy = false;
        entries.add(entry);
        handOut();
        return;
      }
    } finally {
      lock.unlock();
    }
    launcher.retire(launched);
  }

  /** How many current instances the pool holds against its floor, and the last fill failure. */
  ProvisionedCount provisioned() {
    lock.lock();
    try {
      int current = (int) entries.stream().filter(this::isCurrent).count();
      return new ProvisionedCount(
          floor,
          Math.min(current, floor),
          failedDeployId.equals(currentDeployId) ? fillFailure : Optional.empty());
    } finally {
      lock.unlock();
    }
  }

  /** The floor of a provisioned pool, how much of it is met, and why a fill failed. */
  record ProvisionedCount(int floor, int available, Optional<String> failure) {}

  /**
   * Retires free instances the backend reports as ended, so that a fill replaces them.
   *
   * @param ended tells, outside the lock, whether an instance has ended
   * @return how many were retired
   */
  int removeEnded(Predicate<Instance> ended) {
    List<PooledInstance> free = new ArrayList<>();
    lock.lock();
    try {
      entries.stream().filter(entry -> !entry.busy).forEach(free::add);
    } finally {
      lock.unlock();
    }
    List<PooledInstance> dead = new ArrayList<>();
    for (PooledInstance entry : free) {
      if (ended.test(entry.instance())) {
        dead.add(entry);
      }
    }
    List<PooledInstance> removed = new ArrayList<>();
    lock.lock();
    try {
      for (PooledInstance entry : dead) {
        if (!entry.busy && !entry.removed) {
          entry.removed = true;
          entries.remove(entry);
          removed.add(entry);
        }
      }
      handOut();
    } finally {
      lock.unlock();
    }
    retireAll(removed);
    return removed.size();
  }

  /**
   * Closes the pool: free instances are retired now, busy ones when released (or now when {@code
   * includingBusy}); waiters move to a fresh pool, passing on what they were handed.
   *
   * @return the number of instances the pool held
   */
  int close(boolean includingBusy) {
    List<PooledInstance> retired = new ArrayList<>();
    int held;
    lock.lock();
    try {
      closed = true;
      held = entries.size();
      Iterator<PooledInstance> iterator = entries.iterator();
      while (iterator.hasNext()) {
        PooledInstance entry = iterator.next();
        if (includingBusy || !entry.busy) {
          entry.removed = true;
          iterator.remove();
          retired.add(entry);
        }
      }
      waiters.forEach(waiter -> waiter.handedOut.signal());
      waiters.clear();
    } finally {
      lock.unlock();
    }
    StopReason reason = includingBusy ? StopReason.CLOSED : StopReason.EVICTED;
    retired.forEach(entry -> retire(entry, reason));
    return held;
  }

  /** Retires instances that left the pool, then lets a provisioned pool restore its floor. */
  private void retireAll(List<PooledInstance> left) {
    retireAll(left, StopReason.EVICTED);
  }

  private void retireAll(List<PooledInstance> left, StopReason reason) {
    left.forEach(entry -> retire(entry, reason));
    if (!left.isEmpty() && isProvisioned()) {
      onRetired.run();
    }
  }

  private boolean isProvisioned() {
    lock.lock();
    try {
      return floor > 0 && !closed;
    } finally {
      lock.unlock();
    }
  }

  /** Closes the instance's connection, then tears the instance down. */
  private void retire(PooledInstance entry) {
    retire(entry, StopReason.EVICTED);
  }

  private void retire(PooledInstance entry, StopReason reason) {
    if (entry.connection != null) {
      entry.connection.close();
    }
    launcher.retire(entry.launched, reason);
  }

  List<PoolSnapshot> snapshot() {
    Instant now = clock.instant();
    lock.lock();
    try {
      return entries.stream()
          .map(
              entry ->
                  new PoolSnapshot(
                      entry.function,
                      entry.instance(),
                      entry.busy,
                      entry.busy ? Duration.ZERO : Duration.between(entry.lastUsed, now)))
          .toList();
    } finally {
      lock.unlock();
    }
  }

  private void removeStaleFree(List<PooledInstance> into) {
    Iterator<PooledInstance> iterator = entries.iterator();
    while (iterator.hasNext()) {
      PooledInstance entry = iterator.next();
      if (!entry.busy && !isCurrent(entry)) {
        entry.removed = true;
        iterator.remove();
        into.add(entry);
      }
    }
  }

  private boolean isCurrent(PooledInstance entry) {
    return entry.deployId.equals(currentDeployId)
        && entry
            .launched
            .credentials()
            .map(c -> c.expiration().isAfter(clock.instant().plus(CREDENTIAL_HEADROOM)))
            .orElse(true);
  }
}
