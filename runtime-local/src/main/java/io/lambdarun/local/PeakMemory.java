package io.lambdarun.local;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
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
 * already exited no longer count, and peaks of different processes reached at different moments add
 * up, so the figure can be above or below the true simultaneous peak of a tree whose children come
 * and go; for the usual single runtime process it is that process's exact peak. Descendants are
 * found through {@code /proc/<pid>/task/<tid>/children} (the main thread's file alone for a
 * single-threaded process), so a measure reads about two small files per process. Empty where
 * {@code /proc} is missing (macOS). Thread-safe.
 */
final class PeakMemory {

  private static final Path PROC = Path.of("/proc");
  private static final int MAX_PROCESSES = 1024;
  private static final boolean CHILDREN_FILES =
      Files.exists(PROC.resolve("self/task/" + ProcessHandle.current().pid() + "/children"));

  private final AtomicLong peak = new AtomicLong();

  /** What {@code /proc/<pid>/status} says about a process. */
  private record Status(long highWaterMark, int threads) {}

  /**
   * Measures the tree now and returns the highest figure measured so far.
   *
   * @param root the instance's tracked process
   * @return the peak in bytes, or empty when nothing can be read
   */
  OptionalLong measure(ProcessHandle root) {
    Status rootStatus = status(root.pid());
    if (rootStatus == null) {
      return peak.get() > 0 ? OptionalLong.of(peak.get()) : OptionalLong.empty();
    }
    long sum = rootStatus.highWaterMark();
    if (!CHILDREN_FILES) {
      for (ProcessHandle child : (Iterable<ProcessHandle>) root.descendants()::iterator) {
        Status status = status(child.pid());
        sum += status == null ? 0 : status.highWaterMark();
      }
    } else {
      Deque<Long> parents = new ArrayDeque<>();
      Deque<Integer> threads = new ArrayDeque<>();
      parents.add(root.pid());
      threads.add(rootStatus.threads());
      int seen = 0;
      while (!parents.isEmpty() && seen < MAX_PROCESSES) {
        for (long child : children(parents.removeFirst(), threads.removeFirst())) {
          Status status = status(child);
          if (status != null) {
            sum += status.highWaterMark();
            parents.addLast(child);
            threads.addLast(status.threads());
          }
          seen++;
        }
      }
    }
    long now = sum;
    return OptionalLong.of(peak.accumulateAndGet(now, Math::max));
  }

  /** Lists a process's children from its threads' {@code children} files. */
  private static List<Long> children(long pid, int threads) {
    List<Long> found = new ArrayList<>();
    Path tasks = PROC.resolve(pid + "/task");
    try {
      if (threads <= 1) {
        addPids(tasks.resolve(pid + "/children"), found);
      } else {
        try (DirectoryStream<Path> all = Files.newDirectoryStream(tasks)) {
          for (Path task : all) {
            addPids(task.resolve("children"), found);
          }
        }
      }
    } catch (IOException | NumberFormatException e) {
      // the process or one of its threads ended while being read; its children are not counted
    }
    return found;
  }

  private static void addPids(Path childrenFile, List<Long> found) throws IOException {
    String children = Files.readString(childrenFile, StandardCharsets.US_ASCII).strip();
    if (!children.isEmpty()) {
      for (String child : children.split(" ")) {
        found.add(Long.parseLong(child));
      }
    }
  }

  /** Reads a process's {@code VmHWM} (in bytes) and thread count, or null when it cannot. */
  private static Status status(long pid) {
    byte[] text;
    try {
      text = Files.readAllBytes(PROC.resolve(pid + "/status"));
    } catch (IOException e) {
      return null;
    }
    long kib = field(text, "VmHWM:");
    return kib < 0 ? null : new Status(kib * 1024, (int) Math.max(1, field(text, "Threads:")));
  }

  /** Returns the number after {@code name} at the start of a line of {@code text}, or -1. */
  private static long field(byte[] text, String name) {
    byte[] key = name.getBytes(StandardCharsets.US_ASCII);
    outer:
    for (int i = 0; i + key.length < text.length; i++) {
      if (i > 0 && text[i - 1] != '\n') {
        continue;
      }
      for (int k = 0; k < key.length; k++) {
        if (text[i + k] != key[k]) {
          continue outer;
        }
      }
      long value = -1;
      for (int j = i + key.length; j < text.length && text[j] != '\n'; j++) {
        if (text[j] >= '0' && text[j] <= '9') {
          value = (value < 0 ? 0 : value * 10) + (text[j] - '0');
        } else if (value >= 0) {
          break;
        }
      }
      return value;
    }
    return -1;
  }
}
