package io.lambdarun.local;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RuntimeProcessTest {

  @TempDir Path folder;

  @Test
  @DisplayName("a live process runs; killed and reaped it does not, and its status file is read")
  void runsUntilKilled() throws Exception {
    Process child = new ProcessBuilder("sleep", "60").start();
    Path status = folder.resolve("runtime.status");
    RuntimeProcess process = new RuntimeProcess(child.pid(), Optional.of(child.toHandle()), status);
    try {
      assertThat(process.isRunning()).isTrue();
      assertThat(process.exitStatus()).isEqualTo(-1);
    } finally {
      child.destroyForcibly().waitFor();
    }
    assertThat(process.isRunning()).isFalse();
    Files.writeString(status, "3\n");
    assertThat(process.exitStatus()).isEqualTo(3);
  }

  @Test
  @DisplayName("a zombie, exited but not reaped by its parent, counts as exited")
  void zombieCountsAsExited() throws Exception {
    Process parent = new ProcessBuilder("sh", "-c", "sleep 0 & exec sleep 60").start();
    try {
      long deadline = System.nanoTime() + 10_000_000_000L;
      Optional<ProcessHandle> zombie = Optional.empty();
      while (zombie.isEmpty() || !isZombie(zombie.get().pid())) {
        assertThat(System.nanoTime() - deadline).as("a zombie child within 10 s").isNegative();
        Thread.sleep(10);
        zombie = parent.toHandle().children().findFirst();
      }
      RuntimeProcess process =
          new RuntimeProcess(zombie.get().pid(), zombie, folder.resolve("runtime.status"));

      assertThat(process.isRunning()).isFalse();
      assertThat(RuntimeProcess.isRunning(zombie.get())).isFalse();
    } finally {
      parent.destroyForcibly().waitFor();
    }
  }

  @Test
  @DisplayName("a runtime gone before it could be looked up does not run")
  void goneBeforeLookupDoesNotRun() {
    assertThat(new RuntimeProcess(1, Optional.empty(), folder.resolve("status")).isRunning())
        .isFalse();
  }

  private static boolean isZombie(long pid) {
    try {
      return Files.readString(Path.of("/proc", Long.toString(pid), "stat")).contains(") Z ");
    } catch (java.io.IOException e) {
      return false;
    }
  }
}
