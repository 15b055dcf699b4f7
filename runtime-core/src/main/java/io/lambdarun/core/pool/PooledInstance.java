package io.lambdarun.core.pool;

import io.lambdarun.api.Instance;
import io.lambdarun.core.model.LambdaFunction;
import java.time.Instant;

/** A warm instance in a {@link FunctionPool}; its mutable fields are guarded by the pool's lock. */
final class PooledInstance {

  final Launched launched;
  final String deployId;
  final LambdaFunction function;

  /** The keep-alive connection to the RIE endpoint; {@code null} in Runtime API mode. */
  final InstanceConnection connection;

  boolean busy = true;
  boolean removed;
  Instant lastUsed;

  PooledInstance(Launched launched, String deployId, LambdaFunction function, Instant now) {
    this.launched = launched;
    this.deployId = deployId;
    this.function = function;
    this.connection = launched.instance().endpoint().map(InstanceConnection::new).orElse(null);
    this.lastUsed = now;
  }

  Instance instance() {
    return launched.instance();
  }
}
