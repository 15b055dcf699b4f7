package io.lambdarun.server;

import io.lambdarun.core.model.LambdaFunction;
import java.time.Instant;
import java.util.Objects;
import java.util.UUID;

/**
 * A function as the API holds it: what lambdarun runs plus the configuration fields only the API
 * reports.
 *
 * @param function the function lambdarun runs
 * @param description the free-text description
 * @param lastModified when it was created or last updated
 * @param revisionId changes on every update, for {@code RevisionId} preconditions
 */
record StoredFunction(
    LambdaFunction function, String description, Instant lastModified, String revisionId) {

  StoredFunction {
    Objects.requireNonNull(function, "function");
    Objects.requireNonNull(description, "description");
    Objects.requireNonNull(lastModified, "lastModified");
    Objects.requireNonNull(revisionId, "revisionId");
  }

  static StoredFunction of(LambdaFunction function, String description, Instant now) {
    return new StoredFunction(function, description, now, UUID.randomUUID().toString());
  }

  String name() {
    return function.functionName();
  }
}
