package io.lambdarun.local;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * A function's runtime process, started detached from the JVM so that the JVM holds no "process
 * reaper" thread per instance: a short-lived {@code sh} starts a waiting subshell in the background
 * and exits at once. The subshell runs the runtime (the runtime client or the function's
 * bootstrap), then records its exit status in a file; it is the process tracked here.
 *
 * <p>Liveness is polled, never waited for on a thread. A zombie (an exited child its parent has not
 * reaped yet) counts as exited. On Linux {@link #isRunning()} reads {@code /proc/<pid>/stat} once
 * per call, since core asks before every event.
 */
final class RuntimeProcess {

  private static final Path PROC = Path.of("/proc");

  private final long pid;
  private final Optional<ProcessHandle> handle;
  private final Path statusFile;
  private final Optional<Stat> started;

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
    this.started =
        handle.isPresent()
            ? Stat.read(pid).filter(stat -> stat.startTicks() >= 0)
            : Optional.empty();
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
   * Tells whether the runtime is still running: its process exists, is the one started (same start
   * time), and is not a zombie. Where its start could not be read (no {@code /proc}), as {@link
   * #isRunning(ProcessHandle)}.
   *
   * @return false once it exited
   */
  boolean isRunning() {
    if (handle.isEmpty()) {
      return false;
    }
    if (started.isEmpty()) {
      return isRunning(handle.get());
    }
    Optional<Stat> now = Stat.read(pid);
    return now.isPresent()
        && now.get().running()
        && now.get().startTicks() == started.get().startTicks();
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
    Optional<Stat> stat = Stat.read(process.pid());
    return stat.isPresent() ? stat.get().running() : !Files.isDirectory(PROC);
  }

  /**
   * The fields of {@code /proc/<pid>/stat} that liveness needs.
   *
   * @param state the state letter ({@code Z} for a zombie, {@code X} for dead)
   * @param startTicks when the process started, in clock ticks after boot
   */
  private record Stat(char state, long startTicks) {

    /**
     * The position of {@code starttime} among the fields after the command's closing parenthesis.
     */
    private static final int START_FIELD = 19;

    /** Reads a process's stat; empty when it does not exist or there is no {@code /proc}. */
    static Optional<Stat> read(long pid) {
      String text;
      try {
        text =
            Files.readString(
                PROC.resolve(Long.toString(pid)).resolve("stat"), StandardCharsets.US_ASCII);
      } catch (IOException e) {
        return Optional.empty();
      }
      int end = text.lastIndexOf(')');
      String[] fields = end >= 0 ? text.substring(end + 1).strip().split(" ") : new String[0];
      char state = fields.length > 0 && !fields[0].isEmpty() ? fields[0].charAt(0) : 'R';
      long startTicks = -1;
      if (fields.length > START_FIELD) {
        try {
          startTicks = Long.parseLong(fields[START_FIELD]);
        } catch (NumberFormatException e) {
          // left unknown
        }
      }
      return Optional.of(new Stat(state, startTicks));
    }

    boolean running() {
      return state != 'Z' && state != 'X';
    }
  }
}
