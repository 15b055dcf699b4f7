package io.lambdarun.core.model;

import io.lambdarun.api.InvalidFunctionException;
import java.util.Map;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeSet;

/** The environment keys Lambda reserves for itself; functions may not set them. */
public final class ReservedKeys {

  /** The 18 keys CreateFunction rejects, sorted. */
  public static final SortedSet<String> KEYS =
      java.util.Collections.unmodifiableSortedSet(
          new TreeSet<>(
              Set.of(
                  "_HANDLER",
                  "_X_AMZN_TRACE_ID",
                  "AWS_DEFAULT_REGION",
                  "AWS_REGION",
                  "AWS_EXECUTION_ENV",
                  "AWS_LAMBDA_FUNCTION_NAME",
                  "AWS_LAMBDA_FUNCTION_MEMORY_SIZE",
                  "AWS_LAMBDA_FUNCTION_VERSION",
                  "AWS_LAMBDA_INITIALIZATION_TYPE",
                  "AWS_LAMBDA_LOG_GROUP_NAME",
                  "AWS_LAMBDA_LOG_STREAM_NAME",
                  "AWS_ACCESS_KEY",
                  "AWS_ACCESS_KEY_ID",
                  "AWS_SECRET_ACCESS_KEY",
                  "AWS_SESSION_TOKEN",
                  "AWS_LAMBDA_RUNTIME_API",
                  "LAMBDA_TASK_ROOT",
                  "LAMBDA_RUNTIME_DIR")));

  private ReservedKeys() {}

  /**
   * Tells whether a key is reserved.
   *
   * @param key an environment key
   * @return true for one of {@link #KEYS}
   */
  public static boolean isReserved(String key) {
    return KEYS.contains(key);
  }

  /**
   * Rejects an environment that sets reserved keys, with AWS's message.
   *
   * @param environment a function's own variables
   * @throws InvalidFunctionException listing the reserved keys used, sorted
   */
  public static void check(Map<String, String> environment) {
    SortedSet<String> used = new TreeSet<>(environment.keySet());
    used.retainAll(KEYS);
    if (!used.isEmpty()) {
      throw new InvalidFunctionException(
          "Lambda was unable to configure your environment variables because the environment"
              + " variables you have provided contains reserved keys that are currently not"
              + " supported for modification. Reserved keys used in this request: "
              + String.join(", ", used));
    }
  }
}
