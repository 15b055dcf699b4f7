package io.lambdarun.local;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class PeakMemoryTest {

  @Test
  @DisplayName("reads this JVM's own VmHWM from /proc, in bytes, and never answers less later")
  void measuresThisProcess() throws Exception {
    String status = Files.readString(Path.of("/proc/self/status"));
    long kib = Long.parseLong(status.replaceAll("(?s).*\\nVmHWM:\\s*(\\d+) kB.*", "$1"));
    PeakMemory memory = new PeakMemory();

    long first = memory.measure(ProcessHandle.current()).orElseThrow();

    assertThat(first).isGreaterThanOrEqualTo(kib * 1024).isGreaterThan(16L << 20);
    assertThat(memory.measure(ProcessHandle.current()).orElseThrow()).isGreaterThanOrEqualTo(first);
  }

  @Test
  @DisplayName("counts a child process of a multi-threaded parent")
  void countsChildrenOfAnyThread() throws Exception {
    PeakMemory memory = new PeakMemory();
    long alone = memory.measure(ProcessHandle.current()).orElseThrow();
    Process child =
        new ProcessBuilder(
                "python3",
                "-c",
                "import sys, time; data = b'x' * (64 * 1024 * 1024); print('ready', flush=True);"
                    + " time.sleep(60)")
            .redirectErrorStream(true)
            .start();
    try {
      assertThat(child.inputReader().readLine()).isEqualTo("ready");
      assertThat(new PeakMemory().measure(ProcessHandle.current()).orElseThrow())
          .isGreaterThan(alone + (64L << 20));
    } finally {
      child.destroyForcibly().waitFor();
    }
  }
}
