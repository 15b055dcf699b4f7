package io.lambdarun.local;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The peak resident memory of an instance's process tree, as Linux accounts it: the sum of the
 * {@code VmHWM} (each process's own resident high-water mark, from {@code /proc/<pid>/status}) of
 * the tracked process and its live descendants, never less than an earlier answer. Processes that
 * already exited no longer count, and peaks of different processes reached at different moments
 * add up, so the figure can be above or below the true simultaneous peak of a tree whose children
 * come and go; for the usual single runtime process it is that process's exact peak. Empty where
 * {@code /proc} is missing (macOS). Thread-safe.
 */
final class PeakMemory {

  private static final Path PROC = Path.of("/proc");
  private static final int MAX_PROCESSES = 1024;

  private final AtomicLong peak = new AtomicLong();

  /**
   * Measures the tree now and returns the highest figure measured so far.
   *
   * @param root the instance's tracked process
   * @return the peak in bytes, or empty when nothing can be read
   */
  OptionalLong measure(ProcessHandle root) {
    long sum = highWaterMark(root.pid());
    if (sum < 0) {
      return peak.get() > 0 ? OptionalLong.of(peak.get()) : OptionalLong.empty();
    }
    for (long child : descendants(root)) {
      sum += Math.max(0, highWaterMark(child));
    }
    long now = sum;
    return OptionalLong.of(peak.accumulateAndGet(now, Math::max));
  }

  /**
   * Lists a process's descendants from the {@code /proc/<pid>/task/<tid>/children} files of the
   * tree only (a few small reads), falling back to the JDK's scan of every process where the
   * kernel lacks those files.
   */
  private static List<Long> descendants(ProcessHandle root) {
    if (!Files.exists(PROC.resolve(root.pid() + "/task/" + root.pid() + "/children"))) {
      return root.descendants().map(ProcessHandle::pid).toList();
    }
    List<Long> found = new ArrayList<>();
    Deque<Long> parents = new ArrayDeque<>(List.of(root.pid()));
    while (!parents.isEmpty() && found.size() < MAX_PROCESSES) {
      long parent = parents.removeFirst();
      try (DirectoryStream<Path> tasks = Files.newDirectoryStream(PROC.resolve(parent + "/task"))) {
        for (Path task : tasks) {
          String children = Files.readString(task.resolve("children"), StandardCharsets.US_ASCII);
          for (String child : children.strip().split("\\s+")) {
            if (!child.isEmpty()) {
              found.add(Long.parseLong(child));
              parents.addLast(Long.parseLong(child));
            }
          }
        }
      } catch (IOException | NumberFormatException e) {
        // the process or one of its threads ended while being read; its children are not counted
      }
    }
    return found;
  }

  /** Returns a process's {@code VmHWM} in bytes, or -1 when it cannot be read. */
  static long highWaterMark(long pid) {
    try {
      for (String line :
          Files.readAllLines(
              PROC.resolve(Long.toString(pid)).resolve("status"), StandardCharsets.US_ASCII)) {
        if (line.startsWith("VmHWM:")) {
          String kib = line.substring("VmHWM:".length()).replace("kB", "").strip();
          return Long.parseLong(kib) * 1024;
        }
      }
      return -1;
    } catch (IOException | NumberFormatException e) {
      return -1;
    }
  }
}
