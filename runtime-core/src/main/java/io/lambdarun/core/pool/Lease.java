package io.lambdarun.core.pool;

import io.lambdarun.api.Instance;
import io.lambdarun.core.runtimeapi.RuntimeApiInstance;
import java.time.Duration;
import java.util.Optional;

/**
 * Exclusive use of one warm instance for one event; give it back with {@link #release()} or, when
 * the instance must not serve again, {@link #discard()}.
 */
final class Lease {

  private final FunctionPool pool;
  private final PooledInstance entry;
  private final Optional<Duration> initDuration;
  private boolean done;

  Lease(FunctionPool pool, PooledInstance entry, Optional<Duration> initDuration) {
    this.pool = pool;
    this.entry = entry;
    this.initDuration = initDuration;
  }

  /**
   * Returns the leased instance.
   *
   * @return the instance
   */
  Instance instance() {
    return entry.instance();
  }

  /** Returns the instance's keep-alive connection, for this lease's event only. */
  InstanceConnection connection() {
    return entry.connection;
  }

  /** Returns the instance's port on core's Runtime API, empty in RIE-endpoint mode. */
  Optional<RuntimeApiInstance> runtimeApi() {
    return entry.launched.runtimeApi();
  }

  /**
   * Tells whether the instance was launched for this lease.
   *
   * @return true on a cold start
   */
  boolean coldStart() {
    return initDuration.isPresent();
  }

  /**
   * Returns how long the launch took, on a cold start.
   *
   * @return the launch time, empty when the instance was warm
   */
  Optional<Duration> initDuration() {
    return initDuration;
  }

  /** Gives the instance back to the pool for the next event. Later calls do nothing. */
  void release() {
    if (!done) {
      done = true;
      pool.release(entry, true);
    }
  }

  /** Removes the instance from the pool and tears it down. Later calls do nothing. */
  void discard() {
    if (!done) {
      done = true;
      pool.release(entry, false);
    }
  }
}
