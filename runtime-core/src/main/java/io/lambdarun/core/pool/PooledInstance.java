package io.lambdarun.core.pool;

import io.lambdarun.api.Instance;
import io.lambdarun.core.LambdaFunction;
import java.time.Instant;

/** A warm instance in a {@link FunctionPool}; its mutable fields are guarded by the pool's lock. */
final class PooledInstance {

  final Launched launched;
  final String deployId;
  final LambdaFunction function;
  final InstanceConnection connection;
  boolean busy = true;
  boolean removed;
  Instant lastUsed;

  PooledInstance(Launched launched, String deployId, LambdaFunction function, Instant now) {
    this.launched = launched;
    this.deployId = deployId;
    this.function = function;
    this.connection = new InstanceConnection(launched.instance().endpoint().orElseThrow());
    this.lastUsed = now;
  }

  Instance instance() {
    return launched.instance();
  }
}
