package io.lambdarun.local;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import io.lambdarun.api.Owner;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ProcessLimitsTest {

  @TempDir Path root;

  @Test
  void cgroupV1sPidsHierarchyIsUsedAtThisProcesssOwnGroup() throws IOException {
    Path own = group(root.resolve("pids/docker/abc"));
    Path membership = membership("9:name=systemd:/\n8:pids:/docker/abc\n4:memory:/docker/abc\n");

    assertThat(ProcessLimits.groupsFolder(root, membership)).contains(own);
  }

  @Test
  void cgroupV2IsUsedOnlyWhenItsSubtreeEnablesPids() throws IOException {
    Path own = group(root.resolve("user.slice/app"));
    Path membership = membership("0::/user.slice/app\n");
    Files.writeString(own.resolve("cgroup.subtree_control"), "cpu memory\n");

    assertThat(ProcessLimits.groupsFolder(root, membership)).isEmpty();

    Files.writeString(own.resolve("cgroup.subtree_control"), "cpu pids memory\n");

    assertThat(ProcessLimits.groupsFolder(root, membership)).contains(own);
  }

  @Test
  void withoutAPidsControllerThereAreNoGroups() throws IOException {
    group(root.resolve("memory/x"));

    assertThat(ProcessLimits.groupsFolder(root, membership("4:memory:/x\n"))).isEmpty();
    assertThat(ProcessLimits.groupsFolder(root, root.resolve("missing"))).isEmpty();
  }

  @Test
  void anInstancesGroupAllowsLambdasProcessCount() throws IOException {
    Owner owner = Owner.forCurrentProcess();
    ProcessLimits limits = new ProcessLimits(Optional.of(root));

    Optional<Path> procs = limits.create(owner, "fn-1a2b3c4d");

    Path group = root.resolve("lambdarun-" + owner.id() + "-fn-1a2b3c4d");
    assertThat(procs).contains(group.resolve("cgroup.procs"));
    assertThat(group.resolve("pids.max")).hasContent("1024");
    assertThat(new ProcessLimits(Optional.empty()).create(owner, "fn-1a2b3c4d")).isEmpty();
  }

  @Test
  void theLaunchShellLowersTheOpenFileLimitTo1024() throws Exception {
    Process shell =
        new ProcessBuilder(
                "/bin/sh", "-c", "group=''; " + ProcessLimits.shellLine("group") + " && ulimit -n")
            .redirectErrorStream(true)
            .start();

    assertThat(new String(shell.getInputStream().readAllBytes(), UTF_8).strip()).isEqualTo("1024");
    assertThat(shell.waitFor()).isZero();
  }

  @Test
  void aGroupThatCannotBeEnteredStopsTheRuntimeFromRunning() throws Exception {
    Path missing = root.resolve("gone/cgroup.procs");
    Process shell =
        new ProcessBuilder(
                "/bin/sh",
                "-c",
                "group='" + missing + "'; " + ProcessLimits.shellLine("group") + " && echo ran")
            .redirectErrorStream(true)
            .start();

    assertThat(new String(shell.getInputStream().readAllBytes(), UTF_8)).doesNotContain("ran");
    assertThat(shell.waitFor()).isNotZero();
  }

  private static Path group(Path folder) throws IOException {
    Files.createDirectories(folder);
    Files.writeString(folder.resolve("cgroup.procs"), "");
    return folder;
  }

  private Path membership(String text) throws IOException {
    Path file = root.resolve("cgroup-membership");
    Files.writeString(file, text);
    return file;
  }
}
