package io.lambdarun.local;

import io.lambdarun.api.Owner;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Lambda's limits of 1,024 open files and 1,024 processes (threads included) for a local runtime
 * process. The file limit is {@code RLIMIT_NOFILE}, set by the launch shell's {@code ulimit -n}
 * (kept when already lower). The process limit cannot be {@code RLIMIT_NPROC}: that counts every
 * process of the user, lambdarun's own JVM threads and the user's other programs included, and does
 * not apply to root at all. It is a {@code pids} control group per instance with {@code pids.max}
 * 1,024, which the runtime process enters before it starts, when this process may create one under
 * its own (cgroup v1's {@code pids} hierarchy, or a cgroup v2 folder whose subtree enables {@code
 * pids}, writable: as root, or when delegated); otherwise there is no process limit.
 *
 * @param groups the control group folder instances' groups are made in, empty when none is writable
 */
record ProcessLimits(Optional<Path> groups) {

  /** Lambda's limit of open files and of processes. */
  static final int LAMBDA_LIMIT = 1024;

  private static final Path CGROUP_ROOT = Path.of("/sys/fs/cgroup");
  private static final String PREFIX = "lambdarun-";
  private static final Duration REMOVE_WAIT = Duration.ofSeconds(1);

  /**
   * Finds where this process may create a {@code pids} control group.
   *
   * @return the limits, without process groups when none can be made
   */
  static ProcessLimits detect() {
    return new ProcessLimits(groupsFolder(CGROUP_ROOT, Path.of("/proc/self/cgroup")));
  }

  /**
   * Finds the folder, from the cgroup mount and this process's cgroup membership.
   *
   * @param root the cgroup file system's mount
   * @param membership {@code /proc/self/cgroup}
   * @return the writable folder whose children get a {@code pids.max}, if any
   */
  static Optional<Path> groupsFolder(Path root, Path membership) {
    List<String> lines;
    try {
      lines = Files.readAllLines(membership, StandardCharsets.UTF_8);
    } catch (IOException e) {
      return Optional.empty();
    }
    for (String line : lines) {
      String[] fields = line.split(":", 3);
      if (fields.length != 3) {
        continue;
      }
      String relative = fields[2].replaceFirst("^/+", "");
      Path candidate = null;
      if (List.of(fields[1].split(",")).contains("pids")) {
        candidate = root.resolve("pids").resolve(relative);
      } else if (fields[0].equals("0") && fields[1].isEmpty()) {
        Path own = root.resolve(relative);
        if (enables(own.resolve("cgroup.subtree_control"), "pids")) {
          candidate = own;
        }
      }
      if (candidate != null
          && Files.isDirectory(candidate)
          && Files.isWritable(candidate)
          && Files.isWritable(candidate.resolve("cgroup.procs"))) {
        return Optional.of(candidate);
      }
    }
    return Optional.empty();
  }

  /**
   * Makes an instance's control group with {@code pids.max} 1,024, named after the owner so that a
   * sweep finds those a dead owner left.
   *
   * @param owner the owner of the instance
   * @param instanceId the instance
   * @return its {@code cgroup.procs} file for the launch shell to enter, empty without groups
   * @throws IOException if the group cannot be made
   */
  Optional<Path> create(Owner owner, String instanceId) throws IOException {
    if (groups.isEmpty()) {
      return Optional.empty();
    }
    Path group = groups.get().resolve(name(owner, instanceId));
    Files.createDirectory(group);
    try {
      Files.writeString(group.resolve("pids.max"), Integer.toString(LAMBDA_LIMIT));
    } catch (IOException e) {
      remove(group);
      throw e;
    }
    return Optional.of(group.resolve("cgroup.procs"));
  }

  /**
   * Kills what is left in an instance's control group and removes it; best effort.
   *
   * @param owner the owner of the instance
   * @param instanceId the instance
   */
  void remove(Owner owner, String instanceId) {
    groups.ifPresent(folder -> remove(folder.resolve(name(owner, instanceId))));
  }

  /**
   * Kills what is left in an owner's groups and removes them, e.g. when the owner is dead.
   *
   * @param ownerId the owner's id
   */
  void sweep(String ownerId) {
    if (groups.isEmpty()) {
      return;
    }
    try (DirectoryStream<Path> found =
        Files.newDirectoryStream(groups.get(), PREFIX + ownerId + "-*")) {
      found.forEach(ProcessLimits::remove);
    } catch (IOException e) {
      // best effort: nothing to sweep, or not readable
    }
  }

  /**
   * The launch shell's commands applying the limits before the runtime runs: the file limit, then
   * entering the group whose {@code cgroup.procs} the variable names, when it is not empty. Their
   * status is false when the group cannot be entered (the shell's error reaches the output), so
   * that {@code && runtime} does not run the runtime unlimited.
   *
   * @param groupVariable the name of the shell variable holding the {@code cgroup.procs} path
   * @return the commands
   */
  static String shellLine(String groupVariable) {
    String group = "\"$" + groupVariable + "\"";
    return "ulimit -n " + LAMBDA_LIMIT + " 2>/dev/null; [ -z " + group + " ] || echo 0 > " + group;
  }

  private static boolean enables(Path subtreeControl, String controller) {
    try {
      return List.of(Files.readString(subtreeControl).strip().split("\\s+")).contains(controller);
    } catch (IOException e) {
      return false;
    }
  }

  private static String name(Owner owner, String instanceId) {
    return PREFIX + owner.id() + "-" + instanceId;
  }

  /**
   * Kills the group's processes (also those that left the runtime's process tree) and removes it,
   * waiting up to a second for them to be gone.
   */
  private static void remove(Path group) {
    long deadline = System.nanoTime() + REMOVE_WAIT.toNanos();
    while (Files.isDirectory(group)) {
      try (Stream<String> pids = Files.lines(group.resolve("cgroup.procs"))) {
        pids.map(String::strip)
            .filter(pid -> pid.matches("\\d+"))
            .forEach(
                pid ->
                    ProcessHandle.of(Long.parseLong(pid))
                        .ifPresent(ProcessHandle::destroyForcibly));
        Files.deleteIfExists(group);
        return;
      } catch (IOException e) {
        if (System.nanoTime() > deadline) {
          return; // still busy: the next sweep tries again
        }
      }
      try {
        Thread.sleep(10);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }
}
