package io.lambdarun.core.pool;

import io.lambdarun.api.Instance;
import io.lambdarun.core.model.LambdaFunction;
import io.lambdarun.core.model.ProvisionedConcurrency;
import io.lambdarun.core.model.ProvisionedConcurrency.Status;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.BiFunction;
import java.util.function.Function;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Provisioned concurrency: the function versions whose pools keep a number of instances launched
 * and initialised ahead, by qualified ARN. A provision outlives its pool: when the pool is closed
 * (an eviction) the floor is restored in the fresh pool, and an instance that leaves a pool (an
 * error, a timeout, an ended process, a new configuration) is replaced.
 */
final class ProvisionedInstances {

  private static final Logger LOG = LoggerFactory.getLogger(ProvisionedInstances.class);

  /** One function version's provision: the configuration it launches and how many instances. */
  private record Provision(LambdaFunction function, String deployId, int count) {}

  private final Map<String, Provision> provisions = new ConcurrentHashMap<>();
  private final Function<LambdaFunction, FunctionPool> poolFor;
  private final BiFunction<LambdaFunction, String, Launched> launch;
  private final ExecutorService launches;

  /**
   * Creates an empty set of provisions.
   *
   * @param poolFor the function version's current pool, created when missing
   * @param launch launches one instance
   */
  ProvisionedInstances(
      Function<LambdaFunction, FunctionPool> poolFor,
      BiFunction<LambdaFunction, String, Launched> launch) {
    this.poolFor = poolFor;
    this.launch = launch;
    this.launches =
        Executors.newCachedThreadPool(
            task -> {
              Thread thread = new Thread(task, "lambdarun-provision");
              thread.setDaemon(true);
              return thread;
            });
  }

  /** Sets the version's provision (0 removes it) and launches what is missing. */
  CompletableFuture<ProvisionedConcurrency> provision(
      LambdaFunction function, String deployId, int count) {
    if (count == 0) {
      provisions.remove(function.qualifiedArn());
    } else {
      provisions.put(function.qualifiedArn(), new Provision(function, deployId, count));
    }
    FunctionPool pool = poolFor.apply(function);
    pool.provision(function, deployId, count);
    pool.retryFailedFill();
    return pool.fill(launches, launch).thenApply(done -> status(pool, count));
  }

  /** Returns the version's provision as it stands, empty when it has none. */
  Optional<ProvisionedConcurrency> status(LambdaFunction function) {
    Provision provision = provisions.get(function.qualifiedArn());
    if (provision == null) {
      return Optional.empty();
    }
    return Optional.of(status(poolFor.apply(function), provision.count()));
  }

  private static ProvisionedConcurrency status(FunctionPool pool, int requested) {
    FunctionPool.ProvisionedCount count = pool.provisioned();
    Status status =
        count.available() >= requested
            ? Status.READY
            : count.failure().isPresent() ? Status.FAILED : Status.IN_PROGRESS;
    return new ProvisionedConcurrency(
        requested,
        count.available(),
        status,
        status == Status.FAILED ? count.failure() : Optional.empty());
  }

  /** Follows a configuration an invocation made current, so a refill launches it. */
  void follow(LambdaFunction function, String deployId) {
    if (!provisions.isEmpty()) {
      provisions.computeIfPresent(
          function.qualifiedArn(),
          (arn, old) ->
              old.deployId().equals(deployId)
                  ? old
                  : new Provision(function, deployId, old.count()));
    }
  }

  /** Restores the floor of the version's pool, in a fresh pool when the old one was closed. */
  void refill(String qualifiedArn) {
    Provision provision = provisions.get(qualifiedArn);
    if (provision == null || launches.isShutdown()) {
      return;
    }
    FunctionPool pool = poolFor.apply(provision.function());
    pool.provision(provision.function(), provision.deployId(), provision.count());
    pool.fill(launches, launch);
  }

  /** Restores the floor of every provisioned version of the function (after an eviction). */
  void refillFunction(String functionName) {
    provisions.values().stream()
        .filter(provision -> provision.function().functionName().equals(functionName))
        .forEach(provision -> refill(provision.function().qualifiedArn()));
  }

  /** Replaces free provisioned instances that have ended, then restores every floor. */
  void maintain(Predicate<Instance> ended) {
    for (Provision provision : provisions.values()) {
      try {
        int replaced = poolFor.apply(provision.function()).removeEnded(ended);
        if (replaced > 0) {
          LOG.info(
              "replacing {} ended provisioned instances of function '{}'",
              replaced,
              provision.function().qualifiedArn());
        }
        refill(provision.function().qualifiedArn());
      } catch (RuntimeException e) {
        LOG.warn(
            "keeping the provisioned instances of '{}' failed",
            provision.function().qualifiedArn(),
            e);
      }
    }
  }

  /** Stops launching ahead; the pools retire what was launched. */
  void close() {
    launches.shutdownNow();
  }
}
