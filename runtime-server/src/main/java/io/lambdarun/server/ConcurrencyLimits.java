package io.lambdarun.server;

import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * Reserved concurrency per function, as Lambda applies it: an invocation beyond the reserved number
 * running at once, over every version, is refused with 429 {@code TooManyRequestsException}.
 * Without a reservation a function is limited only by core's pool. Thread-safe.
 */
final class ConcurrencyLimits {

  /** Lambda's default account limit. */
  static final int ACCOUNT_LIMIT = 1000;

  /** What Lambda keeps unreserved in an account. */
  static final int MIN_UNRESERVED = 100;

  private final Map<String, Integer> reserved = new ConcurrentHashMap<>();
  private final Map<String, AtomicInteger> running = new ConcurrentHashMap<>();

  void put(String function, int value) {
    if (value < 0) {
      throw ApiException.validation(
          "1 validation error detected: Value '"
              + value
              + "' at 'reservedConcurrentExecutions'"
              + " failed to satisfy constraint: Member must have value greater than or equal to 0");
    }
    int others =
        reserved.entrySet().stream()
            .filter(entry -> !entry.getKey().equals(function))
            .mapToInt(Map.Entry::getValue)
            .sum();
    if (others + value > ACCOUNT_LIMIT - MIN_UNRESERVED) {
      throw ApiException.invalidParameter(
          "Specified ReservedConcurrentExecutions for function decreases account's"
              + " UnreservedConcurrentExecution below its minimum value of ["
              + MIN_UNRESERVED
              + "].");
    }
    reserved.put(function, value);
  }

  Optional<Integer> get(String function) {
    return Optional.ofNullable(reserved.get(function));
  }

  void remove(String function) {
    reserved.remove(function);
  }

  /**
   * Runs one invocation of the function within its reservation, or runs {@code throttled} and
   * refuses it with 429.
   */
  <T> T run(String function, Runnable throttled, Supplier<T> invocation) {
    Integer limit = reserved.get(function);
    if (limit == null) {
      return invocation.get();
    }
    AtomicInteger count = running.computeIfAbsent(function, key -> new AtomicInteger());
    try {
      if (count.incrementAndGet() > limit) {
        throttled.run();
        throw new ApiException(
            429,
            "TooManyRequestsException",
            "Rate Exceeded.",
            Optional.of("ReservedFunctionConcurrentInvocationLimitExceeded"));
      }
      return invocation.get();
    } finally {
      count.decrementAndGet();
    }
  }
}
