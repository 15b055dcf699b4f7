package io.lambdarun.core.pool;

import io.lambdarun.api.LambdaRunException;
import io.lambdarun.core.LambdaFunction;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BiFunction;

/**
 * The warm instances of one function version: one event per instance, at most {@code cap} current
 * instances, one cold start at a time, stale instances replaced once they are free.
 */
final class FunctionPool {

  /** Credentials expiring sooner than this make an instance stale (longest timeout + 1 min). */
  static final Duration CREDENTIAL_HEADROOM = Duration.ofMinutes(16);

  private final String functionName;
  private final int cap;
  private final Clock clock;
  private final InstanceLauncher launcher;
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition changed = lock.newCondition();
  private final List<PooledInstance> entries = new ArrayList<>();
  private String currentDeployId = "";
  private boolean launching;
  private boolean closed;

  FunctionPool(String functionName, int cap, Clock clock, InstanceLauncher launcher) {
    this.functionName = functionName;
    this.cap = cap;
    this.clock = clock;
    this.launcher = launcher;
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
   * Leases a free current instance, launching one when below the cap, or waiting for the first
   * instance to free up.
   *
   * @throws ClosedPoolException if the pool is closed meanwhile
   */
  Lease acquire(
      LambdaFunction function,
      String deployId,
      BiFunction<LambdaFunction, String, Launched> launch) {
    List<PooledInstance> stale = new ArrayList<>();
    lock.lock();
    try {
      currentDeployId = deployId;
      while (true) {
        if (closed) {
          throw new ClosedPoolException();
        }
        removeStaleFree(stale);
        for (PooledInstance entry : entries) {
          if (!entry.busy && isCurrent(entry)) {
            entry.busy = true;
            entry.lastUsed = clock.instant();
            return new Lease(this, entry, Optional.empty());
          }
        }
        long current = entries.stream().filter(this::isCurrent).count();
        if (!launching && current < cap) {
          launching = true;
          break;
        }
        awaitChange(function);
      }
    } finally {
      lock.unlock();
      stale.forEach(this::retire);
    }
    return launchNew(function, deployId, launch);
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
        launching = false;
        changed.signalAll();
      } finally {
        lock.unlock();
      }
      throw e;
    }
    lock.lock();
    try {
      launching = false;
      changed.signalAll();
      if (!closed) {
        PooledInstance entry = new PooledInstance(launched, deployId, function, clock.instant());
        entries.add(entry);
        return new Lease(this, entry, Optional.of(launched.launchTime()));
      }
    } finally {
      lock.unlock();
    }
    launcher.retire(launched);
    throw new ClosedPoolException();
  }

  private void awaitChange(LambdaFunction function) {
    try {
      changed.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new LambdaRunException(
          "waiting for a free instance of function '" + function.functionName()
              + "' was interrupted; retry the invocation",
          e);
    }
  }

  void release(PooledInstance entry, boolean keep) {
    boolean retire = false;
    lock.lock();
    try {
      if (entry.removed) {
        return;
      }
      entry.busy = false;
      entry.lastUsed = clock.instant();
      if (!keep || closed || !isCurrent(entry)) {
        entry.removed = true;
        entries.remove(entry);
        retire = true;
      }
      changed.signalAll();
    } finally {
      lock.unlock();
    }
    if (retire) {
      retire(entry);
    }
  }

  /** Removes free instances idle for longer than the TTL; returns how many were retired. */
  int reapIdle(Duration ttl) {
    List<PooledInstance> idle = new ArrayList<>();
    Instant cutoff = clock.instant().minus(ttl);
    lock.lock();
    try {
      removeStaleFree(idle);
      Iterator<PooledInstance> iterator = entries.iterator();
      while (iterator.hasNext()) {
        PooledInstance entry = iterator.next();
        if (!entry.busy && entry.lastUsed.isBefore(cutoff)) {
          entry.removed = true;
          iterator.remove();
          idle.add(entry);
        }
      }
    } finally {
      lock.unlock();
    }
    idle.forEach(this::retire);
    return idle.size();
  }

  /**
   * Closes the pool: free instances are retired now, busy ones when released (or now when {@code
   * includingBusy}); waiters move to a fresh pool.
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
      changed.signalAll();
    } finally {
      lock.unlock();
    }
    retired.forEach(this::retire);
    return held;
  }

  /** Closes the instance's connection, then tears the instance down. */
  private void retire(PooledInstance entry) {
    if (entry.connection != null) {
      entry.connection.close();
    }
    launcher.retire(entry.launched);
  }

  List<PoolSnapshot> snapshot() {
    Instant now = clock.instant();
    lock.lock();
    try {
      return entries.stream()
          .map(
              entry ->
                  new PoolSnapshot(
                      entry.function, entry.instance(), entry.busy,
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
        && entry.launched.credentials()
            .map(c -> c.expiration().isAfter(clock.instant().plus(CREDENTIAL_HEADROOM)))
            .orElse(true);
  }
}
