package io.lambdarun.local;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/** Stops processes together with their descendants, polling for their end without threads. */
final class ProcessTrees {

  private static final long POLL_MILLIS = 20;

  private ProcessTrees() {}

  /**
   * Kills processes and their descendants at once ({@code SIGKILL}), as Lambda does on a timeout.
   *
   * @param roots the processes
   */
  static void kill(Collection<ProcessHandle> roots) {
    for (ProcessHandle handle : withDescendants(roots)) {
      handle.destroyForcibly();
    }
  }

  /**
   * Asks processes and their descendants to stop ({@code SIGTERM}), waits up to {@code grace} for
   * all of them, then kills the ones still running.
   *
   * @param roots the processes
   * @param grace how long to wait before killing
   */
  static void stop(Collection<ProcessHandle> roots, Duration grace) {
    List<ProcessHandle> all = withDescendants(roots);
    all.forEach(ProcessHandle::destroy);
    long deadline = System.nanoTime() + grace.toNanos();
    List<ProcessHandle> running = new ArrayList<>(all);
    while (true) {
      running.removeIf(handle -> !RuntimeProcess.isRunning(handle));
      if (running.isEmpty() || System.nanoTime() - deadline >= 0) {
        break;
      }
      try {
        Thread.sleep(POLL_MILLIS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
    }
    running.forEach(ProcessHandle::destroyForcibly);
  }

  private static List<ProcessHandle> withDescendants(Collection<ProcessHandle> roots) {
    List<ProcessHandle> all = new ArrayList<>();
    for (ProcessHandle root : roots) {
      all.addAll(root.descendants().toList());
      all.add(root);
    }
    return all;
  }
}
