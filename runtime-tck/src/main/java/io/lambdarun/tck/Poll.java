package io.lambdarun.tck;

import java.time.Duration;
import java.util.function.BooleanSupplier;

/** The suites' one way of waiting for a backend to settle: ask every 50 ms until a deadline. */
final class Poll {

  private static final long INTERVAL_MILLIS = 50;

  private Poll() {}

  /**
   * Asks until the condition holds or the wait is over.
   *
   * @param condition what to wait for
   * @param wait how long to ask at most
   * @return true as soon as the condition holds, false if it still did not after {@code wait}
   * @throws InterruptedException if the waiting thread is interrupted
   */
  static boolean until(BooleanSupplier condition, Duration wait) throws InterruptedException {
    long deadline = System.nanoTime() + wait.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() - deadline >= 0) {
        return false;
      }
      Thread.sleep(INTERVAL_MILLIS);
    }
    return true;
  }
}
