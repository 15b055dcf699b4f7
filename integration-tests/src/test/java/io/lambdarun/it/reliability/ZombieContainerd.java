package io.lambdarun.it.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;

/**
 * An exited process whose command is {@code containerd}, kept unreaped: a copy of {@code
 * /bin/sleep} named {@code containerd} sleeps half a second in the background of a shell that has
 * meanwhile become {@code sleep 120}, which never waits for it. Closing ends that parent, so init
 * reaps the zombie.
 */
final class ZombieContainerd implements AutoCloseable {

  private final Process parent;
  private final long pid;

  private ZombieContainerd(Process parent, long pid) {
    this.parent = parent;
    this.pid = pid;
  }

  static ZombieContainerd start(Path dir) throws IOException {
    Path binary = Files.createDirectories(dir).resolve("containerd");
    Files.copy(Path.of("/bin/sleep"), binary, StandardCopyOption.REPLACE_EXISTING);
    Process parent =
        new ProcessBuilder("sh", "-c", "\"$0\" 0.5 & echo $!; exec sleep 120", binary.toString())
            .redirectErrorStream(true)
            .start();
    try {
      BufferedReader out =
          new BufferedReader(
              new InputStreamReader(parent.getInputStream(), StandardCharsets.UTF_8));
      long pid = Long.parseLong(out.readLine().trim());
      assertThat(Fixtures.eventually(Duration.ofSeconds(10), () -> Fixtures.isZombie(pid)))
          .as("process %d exited", pid)
          .isTrue();
      assertThat(Files.readString(Path.of("/proc", Long.toString(pid), "comm")).trim())
          .as("command of the zombie")
          .isEqualTo("containerd");
      return new ZombieContainerd(parent, pid);
    } catch (IOException | RuntimeException | Error e) {
      parent.destroyForcibly();
      throw e;
    }
  }

  long pid() {
    return pid;
  }

  @Override
  public void close() {
    parent.destroyForcibly();
  }
}
