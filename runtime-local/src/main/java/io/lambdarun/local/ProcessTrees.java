package io.lambdarun.local;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** Stops processes together with their descendants. */
final class ProcessTrees {

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
   * Asks processes and their descendants to stop ({@code SIGTERM}), waits up to {@code grace}
   * for all of them, then kills the ones still alive.
   *
   * @param roots the processes
   * @param grace how long to wait before killing
   */
  static void stop(Collection<ProcessHandle> roots, Duration grace) {
    List<ProcessHandle> all = withDescendants(roots);
    List<CompletableFuture<ProcessHandle>> exits = new ArrayList<>(all.size());
    for (ProcessHandle handle : all) {
      handle.destroy();
      exits.add(handle.onExit());
    }
    try {
      CompletableFuture.allOf(exits.toArray(new CompletableFuture<?>[0]))
          .get(grace.toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException | ExecutionException e) {
      // fall through to the forcible kill
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    for (ProcessHandle handle : all) {
      if (handle.isAlive()) {
        handle.destroyForcibly();
      }
    }
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
