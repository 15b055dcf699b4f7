package io.lambdarun.it.reliability;

import static java.nio.charset.StandardCharsets.UTF_8;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.model.Container;
import com.github.dockerjava.core.DefaultDockerClientConfig;
import com.github.dockerjava.core.DockerClientConfig;
import com.github.dockerjava.core.DockerClientImpl;
import com.github.dockerjava.zerodep.ZerodepDockerHttpClient;
import io.lambdarun.api.Archive;
import io.lambdarun.api.Labels;
import io.lambdarun.core.LambdaRuntime;
import io.lambdarun.core.model.LambdaFunction;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * What the reliability suite shares: the handler it runs, runtimes on each backend, and independent
 * views of what the backends left on the machine (labelled containers, marked processes), read
 * without going through the backends' own code.
 */
final class Fixtures {

  /** The image the Docker backend runs python3.12 zip functions on (built locally, no registry). */
  static final String PYTHON_IMAGE = "lambdarun/test-python:latest";

  /** Maps python3.12 to the locally built image. */
  static final String IMAGE_MAPPINGS = "python3.12=" + PYTHON_IMAGE;

  /** This JVM's process id, which every instance it launches carries as its owner pid. */
  static final long PID = ProcessHandle.current().pid();

  /**
   * The suite's handler: logs "handling <action> in <request id>" when an event reaches it, echoes
   * who answered (process id, function name, the event's {@code n}), sleeps when asked, and raises
   * when asked. Asked to block, it starts a {@code sleep} that leaves its process tree and session
   * (a new session whose shell exits at once), writes "<its own pid> <the sleep's pid>" to the file
   * the event names, and sleeps for 10 minutes. It makes no outbound calls.
   */
  static final String HANDLER_SOURCE =
      String.join(
          "\n",
          "import os",
          "import subprocess",
          "import time",
          "",
          "def handler(event, context):",
          "    action = event.get('action', 'echo')",
          "    print('handling ' + action + ' in ' + context.aws_request_id, flush=True)",
          "    if action == 'sleep':",
          "        time.sleep(float(event['seconds']))",
          "    elif action == 'fail':",
          "        raise RuntimeError('planned failure ' + str(event.get('n')))",
          "    elif action == 'block':",
          "        detached = subprocess.run(['sh', '-c', 'sleep 600 >/dev/null 2>&1 & echo $!'],",
          "                                  start_new_session=True, capture_output=True, text=True)",
          "        with open(event['pids'] + '.part', 'w') as pids:",
          "            pids.write(str(os.getpid()) + ' ' + detached.stdout.strip())",
          "        os.rename(event['pids'] + '.part', event['pids'])",
          "        time.sleep(600)",
          "    return {'pid': os.getpid(), 'function': context.function_name, 'n': event.get('n')}",
          "");

  private static DockerClient docker;

  private Fixtures() {}

  /** The suite's handler as a code archive. */
  static Archive handlerArchive() {
    return Archive.ofBytes(
        "reliability-handler", zip(Map.of("app.py", HANDLER_SOURCE.getBytes(UTF_8))));
  }

  /** A python3.12 function running the suite's handler. */
  static LambdaFunction function(String name, int timeoutSeconds) {
    return LambdaFunction.builder()
        .functionName(name)
        .runtime("python3.12")
        .handler("app.handler")
        .timeoutSeconds(timeoutSeconds)
        .code(handlerArchive())
        .build();
  }

  /** A runtime on the named backend with the test image mapping. */
  static LambdaRuntime.Builder runtime(String backend) {
    return LambdaRuntime.builder().backend(backend).imageMappings(IMAGE_MAPPINGS);
  }

  /** Builds a zip in memory from entry names to contents, in the given order. */
  static byte[] zip(Map<String, byte[]> entries) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ZipOutputStream zip = new ZipOutputStream(bytes)) {
      for (Map.Entry<String, byte[]> entry : new LinkedHashMap<>(entries).entrySet()) {
        zip.putNextEntry(new ZipEntry(entry.getKey()));
        zip.write(entry.getValue());
        zip.closeEntry();
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return bytes.toByteArray();
  }

  /** A client for the default Docker engine, shared by the suite; fails loudly without one. */
  static synchronized DockerClient docker() {
    if (docker == null) {
      DockerClientConfig config = DefaultDockerClientConfig.createDefaultConfigBuilder().build();
      docker =
          DockerClientImpl.getInstance(
              config,
              new ZerodepDockerHttpClient.Builder()
                  .dockerHost(config.getDockerHost())
                  .sslConfig(config.getSSLConfig())
                  .connectionTimeout(Duration.ofSeconds(5))
                  .responseTimeout(Duration.ofSeconds(60))
                  .build());
    }
    return docker;
  }

  /** The containers, running or not, whose owner label names a process of this JVM. */
  static List<Container> containersOfThisJvm() {
    return containersOfPid(PID);
  }

  /** The containers, running or not, whose owner-pid label is the given process. */
  static List<Container> containersOfPid(long pid) {
    return docker()
        .listContainersCmd()
        .withShowAll(true)
        .withLabelFilter(
            Map.of(
                Labels.MANAGED_BY, Labels.MANAGED_BY_VALUE, Labels.OWNER_PID, Long.toString(pid)))
        .exec();
  }

  /** The containers, running or not, of one owner id. */
  static List<Container> containersOfOwner(String ownerId) {
    return docker()
        .listContainersCmd()
        .withShowAll(true)
        .withLabelFilter(Map.of(Labels.OWNER, ownerId))
        .exec();
  }

  /**
   * The live processes the local backend started for this JVM, found by the marker variable {@code
   * LAMBDARUN_OWNER_PID} in {@code /proc/<pid>/environ}.
   */
  static List<Long> localProcessesOfThisJvm() {
    return localProcessesOfPid(PID);
  }

  /** The live processes the local backend started for the given owner process. */
  static List<Long> localProcessesOfPid(long ownerPid) {
    String marker = "LAMBDARUN_OWNER_PID=" + ownerPid;
    List<Long> found = new ArrayList<>();
    ProcessHandle.allProcesses()
        .filter(ProcessHandle::isAlive)
        .forEach(
            handle -> {
              try {
                byte[] environ =
                    Files.readAllBytes(Path.of("/proc", Long.toString(handle.pid()), "environ"));
                for (String variable : new String(environ, UTF_8).split("\0")) {
                  if (variable.equals(marker) && !isZombie(handle.pid())) {
                    found.add(handle.pid());
                  }
                }
              } catch (IOException | SecurityException e) {
                // gone meanwhile, or not ours to read
              }
            });
    return found;
  }

  /** The session id of a live process, from {@code /proc/<pid>/stat}. */
  static long sessionOf(long pid) throws IOException {
    String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
    return Long.parseLong(stat.substring(stat.lastIndexOf(')') + 2).split(" ")[3]);
  }

  /** Whether a process is a zombie, or already gone. */
  static boolean isZombie(long pid) {
    try {
      String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
      return stat.substring(stat.lastIndexOf(')') + 2).startsWith("Z");
    } catch (IOException e) {
      return true;
    }
  }

  /** The whole stdout and stderr of a container. */
  static String dockerLog(String containerId) {
    StringBuilder log = new StringBuilder();
    try {
      docker()
          .logContainerCmd(containerId)
          .withStdOut(true)
          .withStdErr(true)
          .exec(
              new com.github.dockerjava.api.async.ResultCallback.Adapter<
                  com.github.dockerjava.api.model.Frame>() {
                @Override
                public void onNext(com.github.dockerjava.api.model.Frame frame) {
                  log.append(new String(frame.getPayload(), UTF_8));
                }
              })
          .awaitCompletion(30, java.util.concurrent.TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return log.toString();
  }

  /** Counts the occurrences of a string in a text. */
  static int count(String text, String part) {
    int n = 0;
    for (int at = text.indexOf(part); at >= 0; at = text.indexOf(part, at + part.length())) {
      n++;
    }
    return n;
  }

  /** Waits until a condition holds, polling; returns whether it did within the limit. */
  static boolean eventually(Duration limit, java.util.function.BooleanSupplier condition) {
    long deadline = System.nanoTime() + limit.toNanos();
    while (true) {
      if (condition.getAsBoolean()) {
        return true;
      }
      if (System.nanoTime() > deadline) {
        return false;
      }
      try {
        Thread.sleep(100);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return false;
      }
    }
  }

  /** An event for the suite's handler. */
  static byte[] event(String action, int n) {
    return ("{\"action\":\"" + action + "\",\"n\":" + n + "}").getBytes(UTF_8);
  }

  /**
   * An event asking the handler to block with a detached grandchild, reporting both pids in a file.
   */
  static byte[] blockEvent(Path pids) {
    return ("{\"action\":\"block\",\"pids\":\"" + pids.toAbsolutePath() + "\"}").getBytes(UTF_8);
  }

  /** An event asking the handler to sleep. */
  static byte[] sleepEvent(double seconds) {
    return ("{\"action\":\"sleep\",\"seconds\":" + seconds + "}").getBytes(UTF_8);
  }
}
