package io.lambdarun.local;

import io.lambdarun.api.Owner;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Optional;
import java.util.Set;

/**
 * What the local backend left running for an owner, read straight from {@code /proc} and not
 * through {@link MarkedProcesses}, which the backend under test uses itself to find (and sweep) its
 * processes: a bug there would otherwise hide the very processes it failed to stop.
 */
final class LeftoverProcesses {

  private static final Path PROC = Path.of("/proc");

  private LeftoverProcesses() {}

  /**
   * Counts the instances with a process still running for the owner: the distinct values of {@code
   * LAMBDARUN_INSTANCE} (missing counts as one more value) among the processes, zombies excluded,
   * whose environment holds {@code LAMBDARUN_OWNER=<owner id>}.
   *
   * @param owner the owner
   * @return the number of instances
   */
  static long instancesOf(Owner owner) {
    if (!Files.isDirectory(PROC)) {
      throw new IllegalStateException("no /proc to read leftover processes from; run on Linux");
    }
    Set<String> instances = new HashSet<>();
    try (DirectoryStream<Path> processes = Files.newDirectoryStream(PROC, "[0-9]*")) {
      for (Path process : processes) {
        instanceOf(process, owner).ifPresent(instances::add);
      }
    } catch (IOException e) {
      throw new IllegalStateException("cannot list /proc", e);
    }
    return instances.size();
  }

  private static Optional<String> instanceOf(Path process, Owner owner) {
    String environ;
    String stat;
    try {
      environ = new String(Files.readAllBytes(process.resolve("environ")), StandardCharsets.UTF_8);
      stat = Files.readString(process.resolve("stat"), StandardCharsets.US_ASCII);
    } catch (IOException e) {
      return Optional.empty(); // ended meanwhile, or not ours to read
    }
    if (stat.substring(stat.lastIndexOf(')') + 2).startsWith("Z")) {
      return Optional.empty();
    }
    boolean owned = false;
    String instance = "";
    for (String variable : environ.split("\0")) {
      owned |= variable.equals("LAMBDARUN_OWNER=" + owner.id());
      if (variable.startsWith("LAMBDARUN_INSTANCE=")) {
        instance = variable.substring("LAMBDARUN_INSTANCE=".length());
      }
    }
    return owned ? Optional.of(instance) : Optional.empty();
  }
}
