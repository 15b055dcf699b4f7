package io.lambdarun.core.pool;

import io.lambdarun.core.LambdaFunction;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The warm instances of every function, one {@link FunctionPool} per function ARN and version, so
 * accounts, regions and versions never evict one another.
 */
public final class WarmPool {

  private static final Logger LOG = LoggerFactory.getLogger(WarmPool.class);

  private final int maxInstancesPerFunction;
  private final Duration idleTimeout;
  private final Clock clock;
  private final InstanceLauncher launcher;
  private final Map<String, FunctionPool> pools = new ConcurrentHashMap<>();
  private volatile boolean closed;

  /**
   * Creates an empty pool.
   *
   * @param maxInstancesPerFunction the most current instances per function version
   * @param idleTimeout how long a free instance stays warm
   * @param clock the time source for idle times and credential expiry
   * @param launcher launches and retires instances
   */
  public WarmPool(
      int maxInstancesPerFunction, Duration idleTimeout, Clock clock, InstanceLauncher launcher) {
    this.maxInstancesPerFunction = maxInstancesPerFunction;
    this.idleTimeout = idleTimeout;
    this.clock = clock;
    this.launcher = launcher;
  }

  /**
   * Leases an instance of the function whose deploy id matches, launching one if needed.
   *
   * @param function the function
   * @param deployId its deploy id
   * @return the lease; the caller releases or discards it
   * @throws IllegalStateException if the pool is closed
   */
  public Lease acquire(LambdaFunction function, String deployId) {
    while (true) {
      if (closed) {
        throw new IllegalStateException(
            "the warm pool is closed; build a new LambdaRuntime to invoke function '"
                + function.functionName() + "'");
      }
      FunctionPool pool =
          pools.computeIfAbsent(
              function.qualifiedArn(),
              key ->
                  new FunctionPool(
                      function.functionName(), maxInstancesPerFunction, clock, launcher));
      try {
        return pool.acquire(function, deployId, launcher::launch);
      } catch (FunctionPool.ClosedPoolException e) {
        pools.remove(function.qualifiedArn(), pool);
      }
    }
  }

  /**
   * Retires free instances idle longer than the idle timeout; busy ones are never cut off.
   *
   * @return the number of instances retired
   */
  public int reapIdle() {
    int reaped = 0;
    for (FunctionPool pool : pools.values()) {
      reaped += pool.reapIdle(idleTimeout);
    }
    if (reaped > 0) {
      LOG.debug("reaped {} idle instances", reaped);
    }
    return reaped;
  }

  /**
   * Retires every instance of a function, in every account, region and version; busy instances
   * go when their event is answered.
   *
   * @param functionName the function name
   * @return whether any instance was evicted
   */
  public boolean evict(String functionName) {
    int evicted = 0;
    for (Map.Entry<String, FunctionPool> entry : pools.entrySet()) {
      if (entry.getValue().functionName().equals(functionName)
          && pools.remove(entry.getKey(), entry.getValue())) {
        evicted += entry.getValue().close(false);
      }
    }
    return evicted > 0;
  }

  /**
   * Retires every instance; busy instances go when their event is answered, or at once when
   * {@code includingBusy}.
   *
   * @param includingBusy whether to tear down instances serving an event now
   */
  public void stopAll(boolean includingBusy) {
    for (String key : new ArrayList<>(pools.keySet())) {
      FunctionPool pool = pools.remove(key);
      if (pool != null) {
        pool.close(includingBusy);
      }
    }
  }

  /** Tears down every instance, busy or not, and refuses further leases. Idempotent. */
  public void close() {
    closed = true;
    stopAll(true);
  }

  /**
   * Lists every pooled instance.
   *
   * @return one entry per instance
   */
  public List<PoolSnapshot> list() {
    List<PoolSnapshot> all = new ArrayList<>();
    pools.values().forEach(pool -> all.addAll(pool.snapshot()));
    return all;
  }
}
