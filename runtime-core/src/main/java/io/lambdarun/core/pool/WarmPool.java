package io.lambdarun.core.pool;

import io.lambdarun.api.Instance;
import io.lambdarun.api.InvalidFunctionException;
import io.lambdarun.core.model.LambdaFunction;
import io.lambdarun.core.model.ProvisionedConcurrency;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;
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
  private final ProvisionedInstances provisioned;
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
    this.provisioned = new ProvisionedInstances(this::poolFor, launcher::launch);
  }

  private FunctionPool poolFor(LambdaFunction function) {
    String key = function.qualifiedArn();
    return pools.computeIfAbsent(
        key,
        absent ->
            new FunctionPool(
                function.functionName(),
                maxInstancesPerFunction,
                clock,
                launcher,
                () -> provisioned.refill(key)));
  }

  /**
   * Leases an instance of the function whose deploy id matches, launching one if needed.
   *
   * @param function the function
   * @param deployId its deploy id
   * @return the lease; the caller releases or discards it
   * @throws IllegalStateException if the pool is closed
   */
  Lease acquire(LambdaFunction function, String deployId) {
    while (true) {
      if (closed) {
        throw new IllegalStateException(
            "the warm pool is closed; build a new LambdaRuntime to invoke function '"
                + function.functionName()
                + "'");
      }
      provisioned.follow(function, deployId);
      FunctionPool pool = poolFor(function);
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
   * Retires every instance of a function, in every account, region and version; busy instances go
   * when their event is answered.
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
    provisioned.refillFunction(functionName);
    return evicted > 0;
  }

  /**
   * Provisions a function version: {@code count} instances are launched and initialised ahead, kept
   * while provisioned (idle reaping spares them), and replaced when they leave the pool or end, or
   * when the version's configuration changes; 0 removes the provision, and the instances then idle
   * out as any other.
   *
   * @param function the function version
   * @param deployId its deploy id
   * @param count how many instances, from 0 to the pool's cap
   * @return completes when the launches started now have ended, with the provision's state
   */
  public CompletableFuture<ProvisionedConcurrency> provision(
      LambdaFunction function, String deployId, int count) {
    if (count < 0 || count > maxInstancesPerFunction) {
      throw new InvalidFunctionException(
          "provisioned concurrency '"
              + count
              + "' for function '"
              + function.qualifiedArn()
              + "' is outside 0 to "
              + maxInstancesPerFunction
              + ", the most instances per"
              + " function; ask for fewer or raise 'lambdarun.pool.max-instances'");
    }
    return provisioned.provision(function, deployId, count);
  }

  /**
   * Returns where a function version's provision stands.
   *
   * @param function the function version
   * @return empty when it is not provisioned
   */
  public Optional<ProvisionedConcurrency> provisioned(LambdaFunction function) {
    return provisioned.status(function);
  }

  /**
   * Replaces provisioned instances that have ended while free and restores every provision's floor;
   * run periodically, as idle reaping is.
   *
   * @param ended tells whether the backend reports an instance as ended
   */
  public void maintainProvisioned(Predicate<Instance> ended) {
    if (!closed) {
      provisioned.maintain(ended);
    }
  }

  /**
   * Retires every instance; busy instances go when their event is answered, or at once when {@code
   * includingBusy}.
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
    provisioned.close();
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
