package io.lambdarun.local;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
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
    for (ProcessHandle child : (Iterable<ProcessHandle>) root.descendants()::iterator) {
      sum += Math.max(0, highWaterMark(child.pid()));
    }
    long now = sum;
    return OptionalLong.of(peak.accumulateAndGet(now, Math::max));
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
