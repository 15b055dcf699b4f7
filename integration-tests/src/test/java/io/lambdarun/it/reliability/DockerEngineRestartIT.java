package io.lambdarun.it.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import com.github.dockerjava.api.exception.NotFoundException;
import io.lambdarun.core.LambdaRuntime;
import io.lambdarun.core.WarmInstance;
import io.lambdarun.core.model.InvocationResult;
import io.lambdarun.core.model.LambdaFunction;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The Docker engine killed ({@code SIGKILL} of dockerd) and started again with the project's {@code
 * scripts/ensure-docker.sh} while instances are warm: the warm containers die with it, and
 * invocations recover once the engine answers again, on fresh containers, with nothing left behind
 * after close.
 *
 * <p>A killed dockerd takes its containerd along, and that containerd stays in {@code /proc} as a
 * zombie until init reaps it, about a second on the CI machine. dockerd 20.10, started inside that
 * window, took the zombie for a running containerd and gave up waiting for it; the script must
 * forget it. The test holds the window open with a zombie of its own named {@code containerd} in
 * containerd's pid file, so that case runs every time, not only when the restart wins the race.
 *
 * <p>Other tests share the engine, so this class has one case and one short outage, and gives the
 * engine back even when the case fails.
 */
class DockerEngineRestartIT {

  private static final Path PID_FILE = Path.of("/var/run/docker.pid");
  private static final Path CONTAINERD_PID_FILE =
      Path.of("/var/run/docker/containerd/containerd.pid");
  private static final Path RELIABILITY_DIR = Path.of("target", "reliability");
  private static final Path ENSURE_DOCKER_LOG = RELIABILITY_DIR.resolve("ensure-docker.log");
  private static final Path ENSURE_DOCKER =
      Path.of("..", "scripts", "ensure-docker.sh").toAbsolutePath().normalize();

  @Test
  void invocationsRecoverAfterTheEngineIsKilledAndRestarted() throws Exception {
    try (LambdaRuntime runtime = Fixtures.runtime("docker").maxInstancesPerFunction(2).build()) {
      LambdaFunction a = Fixtures.function("engine-restart-a", 30);
      LambdaFunction b = Fixtures.function("engine-restart-b", 30);
      runtime.invoke(a, Fixtures.event("echo", 1));
      runtime.invoke(b, Fixtures.event("echo", 2));
      List<WarmInstance> before = runtime.warmInstances();
      assertThat(before).hasSize(2);

      long dockerd = killDockerd();
      boolean answeredWhileDown = engineAnswers();
      boolean pidFileLeftBehind = Files.exists(PID_FILE);
      int ensureExit;
      try (ZombieContainerd zombie = ZombieContainerd.start(RELIABILITY_DIR)) {
        Files.writeString(CONTAINERD_PID_FILE, Long.toString(zombie.pid()));
        ensureExit = ensureDocker();
      }
      assertThat(ensureExit)
          .as("scripts/ensure-docker.sh exit status; its output:%n%s", ensureDockerLog())
          .isZero();
      long restarted = Long.parseLong(Files.readString(PID_FILE, StandardCharsets.UTF_8).trim());

      InvocationResult afterA = runtime.invoke(a, Fixtures.event("echo", 3));
      InvocationResult afterB = runtime.invoke(b, Fixtures.event("echo", 4));
      List<WarmInstance> after = runtime.warmInstances();

      assertThat(answeredWhileDown)
          .as("the engine answered after its dockerd was killed")
          .isFalse();
      assertThat(pidFileLeftBehind).as("a killed dockerd leaves its pid file").isTrue();
      assertThat(restarted).isNotEqualTo(dockerd);
      assertThat(afterA.functionError()).as(afterA.payloadUtf8()).isEmpty();
      assertThat(afterA.payloadUtf8()).contains("\"n\": 3").contains("engine-restart-a");
      assertThat(afterA.coldStart()).isTrue();
      assertThat(afterB.functionError()).as(afterB.payloadUtf8()).isEmpty();
      assertThat(afterB.payloadUtf8()).contains("\"n\": 4").contains("engine-restart-b");
      assertThat(afterB.coldStart()).isTrue();
      assertThat(after).hasSize(2);
      assertThat(after)
          .extracting(WarmInstance::instanceId)
          .doesNotContainAnyElementsOf(before.stream().map(WarmInstance::instanceId).toList());
      for (WarmInstance dead : before) {
        assertThat(containerExists(dead.details().get("containerId")))
            .as("container of the killed engine's instance %s", dead.instanceId())
            .isFalse();
      }
    }
    assertThat(Fixtures.containersOfThisJvm()).isEmpty();
  }

  @AfterEach
  void restartTheEngineIfTheCaseLeftItDown() throws Exception {
    if (!engineAnswers()) {
      ensureDocker();
    }
  }

  /** Sends SIGKILL to the engine named in its pid file and waits until it is gone. */
  private static long killDockerd() throws Exception {
    long pid = Long.parseLong(Files.readString(PID_FILE, StandardCharsets.UTF_8).trim());
    assertThat(Files.readString(Path.of("/proc", Long.toString(pid), "comm")).trim())
        .isEqualTo("dockerd");
    ProcessHandle dockerd = ProcessHandle.of(pid).orElseThrow();
    assertThat(dockerd.destroyForcibly()).as("SIGKILL sent to dockerd").isTrue();
    dockerd.onExit().get(30, TimeUnit.SECONDS);
    return pid;
  }

  /** Starts the engine again with the project's script, as CI would; returns its exit status. */
  private static int ensureDocker() throws IOException, InterruptedException {
    Files.createDirectories(RELIABILITY_DIR);
    Process script =
        new ProcessBuilder("bash", ENSURE_DOCKER.toString())
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(ENSURE_DOCKER_LOG.toFile()))
            .start();
    assertThat(script.waitFor(90, TimeUnit.SECONDS)).as("ensure-docker.sh finished").isTrue();
    return script.exitValue();
  }

  private static String ensureDockerLog() throws IOException {
    return Files.readString(ENSURE_DOCKER_LOG);
  }

  private static boolean engineAnswers() {
    try {
      Fixtures.docker().pingCmd().exec();
      return true;
    } catch (RuntimeException e) {
      return false;
    }
  }

  private static boolean containerExists(String id) {
    try {
      Fixtures.docker().inspectContainerCmd(id).exec();
      return true;
    } catch (NotFoundException e) {
      return false;
    }
  }
}
