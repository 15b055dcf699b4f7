package io.lambdarun.docker;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CgroupMemoryTest {

  private static final String ID = "0123456789abcdef";

  @TempDir Path root;

  private void write(String path, String content) throws Exception {
    Path file = root.resolve(path);
    Files.createDirectories(file.getParent());
    Files.writeString(file, content);
  }

  @Test
  @DisplayName("reads cgroup v1's max_usage_in_bytes under Docker's cgroupfs layout")
  void cgroupV1() throws Exception {
    write("memory/docker/" + ID + "/memory.max_usage_in_bytes", "220200960\n");
    assertThat(new CgroupMemory(root, true).peak(ID)).hasValue(220200960L);
  }

  @Test
  @DisplayName("reads cgroup v2's memory.peak under the systemd driver's scope")
  void cgroupV2() throws Exception {
    write("system.slice/docker-" + ID + ".scope/memory.peak", "1048576\n");
    assertThat(new CgroupMemory(root, true).peak(ID)).hasValue(1048576L);
  }

  @Test
  @DisplayName("keeps the last figure once the container's cgroup is gone, until forgotten")
  void lastFigureStands() throws Exception {
    write("docker/" + ID + "/memory.peak", "4096\n");
    CgroupMemory memory = new CgroupMemory(root, true);
    assertThat(memory.peak(ID)).hasValue(4096L);
    Files.delete(root.resolve("docker/" + ID + "/memory.peak"));
    assertThat(memory.peak(ID)).hasValue(4096L);
    memory.forget(ID);
    assertThat(memory.peak(ID)).isEmpty();
  }

  @Test
  @DisplayName("answers empty for an unknown container and for a remote engine")
  void emptyWhenUnreadable() throws Exception {
    write("memory/docker/" + ID + "/memory.max_usage_in_bytes", "4096\n");
    assertThat(new CgroupMemory(root, true).peak("fedcba9876543210")).isEmpty();
    assertThat(new CgroupMemory(root, false).peak(ID)).isEmpty();
  }
}
