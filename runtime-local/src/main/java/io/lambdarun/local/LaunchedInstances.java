package io.lambdarun.local;

import io.lambdarun.api.ExtractedFolder;
import io.lambdarun.api.Owner;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The instances a local runtime launched and has not stopped, and the stopping of their process
 * trees.
 */
final class LaunchedInstances {

  private final Owner owner;
  private final ProcessLimits limits;
  private final Duration stopGrace;
  private final Map<String, LocalInstance> instances = new ConcurrentHashMap<>();

  /**
   * Creates the empty set.
   *
   * @param owner the runtime's owner, whose marked processes are killed at {@link #stopAll}
   * @param limits frees an instance's control group when it stops
   * @param stopGrace how long stopping waits before killing
   */
  LaunchedInstances(Owner owner, ProcessLimits limits, Duration stopGrace) {
    this.owner = owner;
    this.limits = limits;
    this.stopGrace = stopGrace;
  }

  /** Keeps a started instance until it is stopped. */
  void add(String id, LocalInstance instance) {
    instances.put(id, instance);
  }

  /** Returns a kept instance; null when none of that id is kept. */
  LocalInstance get(String id) {
    return instances.get(id);
  }

  /** Tells whether an instance of that id is kept. */
  boolean contains(String id) {
    return instances.containsKey(id);
  }

  /**
   * Stops an instance's process tree ({@code SIGTERM}, {@code SIGKILL} after the grace) and frees
   * its control group and folder.
   *
   * @return false when no such instance is kept
   */
  boolean stop(String id) {
    LocalInstance instance = instances.remove(id);
    if (instance == null) {
      return false;
    }
    stop(List.of(instance));
    return true;
  }

  /** Stops every kept instance, as {@link #stop(String)} does, all within one grace. */
  void stopAll() {
    List<LocalInstance> all = new ArrayList<>(instances.values());
    instances.clear();
    stop(all);
  }

  /**
   * Kills the processes of a failed launch at once and deletes its folder.
   *
   * @param id the instance, kept or not
   * @param folder its folder, which may be partly written
   */
  void discard(String id, Path folder) {
    limits.remove(owner, id);
    LocalInstance instance = instances.remove(id);
    if (instance != null) {
      instance
          .process()
          .handle()
          .ifPresent(handle -> ProcessTrees.stop(List.of(handle), Duration.ZERO));
    }
    ExtractedFolder.delete(folder);
  }

  /**
   * Kills the owner's marked processes that outlived their instances (started in the background).
   */
  void killEscaped() {
    List<ProcessHandle> escaped = new ArrayList<>();
    for (MarkedProcesses.Marked marked : MarkedProcesses.scan()) {
      if (marked.owner().id().equals(owner.id())) {
        escaped.add(marked.handle());
      }
    }
    ProcessTrees.kill(escaped);
  }

  private void stop(List<LocalInstance> stopping) {
    List<ProcessHandle> processes = new ArrayList<>();
    for (LocalInstance instance : stopping) {
      instance.process().handle().ifPresent(processes::add);
    }
    ProcessTrees.stop(processes, stopGrace);
    for (LocalInstance instance : stopping) {
      limits.remove(owner, instance.files().root().getFileName().toString());
      instance.files().delete();
    }
  }
}
