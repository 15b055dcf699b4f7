package io.lambdarun.docker;

/** Times the phases of a launch for its log line. */
final class LaunchStopwatch {

  private final long started = System.nanoTime();
  private long last = started;
  private final StringBuilder laps = new StringBuilder();

  /** Ends a phase that began when the previous one ended (or the watch was created). */
  void lap(String phase) {
    long now = System.nanoTime();
    laps.append(laps.length() == 0 ? "" : ", ")
        .append(phase)
        .append(' ')
        .append((now - last) / 1_000_000)
        .append(" ms");
    last = now;
  }

  @Override
  public String toString() {
    return (last - started) / 1_000_000 + " ms (" + laps + ")";
  }
}
