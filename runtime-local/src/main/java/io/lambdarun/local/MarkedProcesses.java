package io.lambdarun.local;

import io.lambdarun.api.Owner;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Finds the processes the local backend started, by the marker variables every such process (and
 * every descendant that keeps its environment) carries. Linux only, through {@code
 * /proc/<pid>/environ}; elsewhere nothing is found.
 */
final class MarkedProcesses {

  /** The owner id of the runtime that started the process. */
  static final String OWNER = "LAMBDARUN_OWNER";

  /** The process id of that runtime's JVM. */
  static final String OWNER_PID = "LAMBDARUN_OWNER_PID";

  /** The host name of that runtime's JVM, label-safe. */
  static final String OWNER_HOST = "LAMBDARUN_OWNER_HOST";

  /** The instance the process belongs to. */
  static final String INSTANCE = "LAMBDARUN_INSTANCE";

  private static final Path PROC = Path.of("/proc");

  /**
   * One marked process.
   *
   * @param handle the process
   * @param owner the owner it was started for
   * @param instanceId the instance it belongs to
   */
  record Marked(ProcessHandle handle, Owner owner, String instanceId) {}

  private MarkedProcesses() {}

  /**
   * Lists every live marked process this JVM may read.
   *
   * @return the processes, in process-table order
   */
  static List<Marked> scan() {
    List<Marked> found = new ArrayList<>();
    if (!Files.isDirectory(PROC)) {
      return found;
    }
    ProcessHandle.allProcesses()
        .filter(RuntimeProcess::isRunning)
        .forEach(handle -> read(handle).ifPresent(found::add));
    return found;
  }

  private static Optional<Marked> read(ProcessHandle handle) {
    byte[] environ;
    try {
      environ = Files.readAllBytes(PROC.resolve(Long.toString(handle.pid())).resolve("environ"));
    } catch (IOException | SecurityException e) {
      return Optional.empty();
    }
    String owner = null;
    String ownerPid = null;
    String ownerHost = null;
    String instance = null;
    for (String entry : new String(environ, StandardCharsets.UTF_8).split("\0")) {
      if (entry.startsWith(OWNER + "=")) {
        owner = entry.substring(OWNER.length() + 1);
      } else if (entry.startsWith(OWNER_PID + "=")) {
        ownerPid = entry.substring(OWNER_PID.length() + 1);
      } else if (entry.startsWith(OWNER_HOST + "=")) {
        ownerHost = entry.substring(OWNER_HOST.length() + 1);
      } else if (entry.startsWith(INSTANCE + "=")) {
        instance = entry.substring(INSTANCE.length() + 1);
      }
    }
    if (owner == null || ownerPid == null || ownerHost == null || instance == null) {
      return Optional.empty();
    }
    try {
      return Optional.of(
          new Marked(handle, new Owner(owner, Long.parseLong(ownerPid), ownerHost), instance));
    } catch (IllegalArgumentException e) {
      return Optional.empty();
    }
  }
}
