package io.lambdarun.local;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * A function's runtime process, started detached from the JVM so that the JVM holds no "process
 * reaper" thread per instance: a short-lived {@code sh} starts a waiting subshell in the background
 * and exits at once. The subshell runs the runtime (the runtime client or the function's
 * bootstrap), then records its exit status in a file; it is the process tracked here.
 *
 * <p>Liveness is polled, never waited for on a thread. A zombie (an exited child its parent has not
 * reaped yet) counts as exited.
 */
final class RuntimeProcess {

  private static final Path PROC = Path.of("/proc");

  private final long pid;
  private final Optional<ProcessHandle> handle;
  private final Path statusFile;

  /**
   * Tracks a started runtime.
   *
   * @param pid the waiting subshell's process id
   * @param handle the subshell, empty when it already exited before it could be looked up
   * @param statusFile the file the subshell writes the runtime's exit status to
   */
  RuntimeProcess(long pid, Optional<ProcessHandle> handle, Path statusFile) {
    this.pid = pid;
    this.handle = handle;
    this.statusFile = statusFile;
  }

  /**
   * Returns the process id of the waiting subshell, whose child is the runtime.
   *
   * @return the process id
   */
  long pid() {
    return pid;
  }

  /**
   * Returns the tracked process, for stopping it with its descendants.
   *
   * @return the subshell, empty when it already exited
   */
  Optional<ProcessHandle> handle() {
    return handle;
  }

  /**
   * Tells whether the runtime is still running.
   *
   * @return false once it exited
   */
  boolean isRunning() {
    return handle.map(RuntimeProcess::isRunning).orElse(false);
  }

  /** Kills the runtime and its descendants at once. */
  void kill() {
    handle.ifPresent(process -> ProcessTrees.kill(List.of(process)));
  }

  /**
   * Returns the runtime's exit status once it exited on its own.
   *
   * @return the status, or -1 when unknown (still running, or killed with its subshell)
   */
  int exitStatus() {
    try {
      return Integer.parseInt(Files.readString(statusFile, StandardCharsets.US_ASCII).strip());
    } catch (IOException | NumberFormatException e) {
      return -1;
    }
  }

  /**
   * Tells whether a process is running: alive, the same process as when the handle was taken, and
   * not a zombie.
   *
   * @param process the process
   * @return whether it runs
   */
  static boolean isRunning(ProcessHandle process) {
    if (!process.isAlive()) {
      return false;
    }
    Path stat = PROC.resolve(Long.toString(process.pid())).resolve("stat");
    try {
      String text = Files.readString(stat, StandardCharsets.US_ASCII);
      int end = text.lastIndexOf(')');
      char state = end >= 0 && end + 2 < text.length() ? text.charAt(end + 2) : 'R';
      return state != 'Z' && state != 'X';
    } catch (IOException e) {
      return !Files.isDirectory(PROC);
    }
  }
}
