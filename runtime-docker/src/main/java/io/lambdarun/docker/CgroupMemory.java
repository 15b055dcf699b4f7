package io.lambdarun.docker;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The memory peak the kernel records for a container's cgroup, read from this machine's cgroup
 * filesystem when the engine runs here: {@code memory.peak} on cgroup v2 (kernel 5.19 or newer),
 * {@code memory.max_usage_in_bytes} on cgroup v1, at the paths Docker's {@code cgroupfs} and {@code
 * systemd} drivers and Podman's use. One small file read per question; the file found is remembered
 * per container, and so is the last figure, which stands once the container is gone. Both files
 * count what the kernel charges to the container, page cache included, like Lambda's figure for the
 * sandbox. Thread-safe.
 */
final class CgroupMemory {

  private final Path root;
  private final boolean engineIsLocal;
  private final Map<String, Peak> peaks = new ConcurrentHashMap<>();

  private static final class Peak {
    volatile Path file;
    volatile long bytes = -1;
  }

  /**
   * Creates the reader.
   *
   * @param root the cgroup filesystem, {@code /sys/fs/cgroup}
   * @param engineIsLocal whether the engine runs on this machine (a unix socket); when it does not,
   *     nothing is read and every answer is empty
   */
  CgroupMemory(Path root, boolean engineIsLocal) {
    this.root = root;
    this.engineIsLocal = engineIsLocal;
  }

  /**
   * Returns the container's memory peak in bytes.
   *
   * @param containerId the full container id
   * @return the peak, or empty when no readable cgroup file holds it
   */
  OptionalLong peak(String containerId) {
    if (!engineIsLocal) {
      return OptionalLong.empty();
    }
    Peak peak = peaks.computeIfAbsent(containerId, id -> new Peak());
    if (peak.file == null) {
      peak.file =
          candidates(containerId).stream().filter(Files::isReadable).findFirst().orElse(null);
    }
    if (peak.file != null) {
      try {
        peak.bytes = Long.parseLong(Files.readString(peak.file, StandardCharsets.US_ASCII).strip());
      } catch (IOException | NumberFormatException e) {
        // the container is gone: its last figure stands
      }
    }
    return peak.bytes < 0 ? OptionalLong.empty() : OptionalLong.of(peak.bytes);
  }

  /** Forgets a removed container. */
  void forget(String containerId) {
    peaks.remove(containerId);
  }

  private List<Path> candidates(String id) {
    return List.of(
        root.resolve("docker/" + id + "/memory.peak"),
        root.resolve("system.slice/docker-" + id + ".scope/memory.peak"),
        root.resolve("machine.slice/libpod-" + id + ".scope/memory.peak"),
        root.resolve("memory/docker/" + id + "/memory.max_usage_in_bytes"),
        root.resolve("memory/system.slice/docker-" + id + ".scope/memory.max_usage_in_bytes"),
        root.resolve("memory/machine.slice/libpod-" + id + ".scope/memory.max_usage_in_bytes"));
  }
}
