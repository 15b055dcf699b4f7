package io.lambdarun.docker;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.async.ResultCallback;
import com.github.dockerjava.api.command.LogContainerCmd;
import com.github.dockerjava.api.model.Frame;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.TimeUnit;

/** Reads a container's stdout and stderr as text, in the order the engine returns them. */
final class ContainerLogs {

  private final DockerClient docker;
  private final Duration timeout;

  ContainerLogs(DockerClient docker, Duration timeout) {
    this.docker = docker;
    this.timeout = timeout;
  }

  /**
   * Reads the log since a time; the engine filters at whole seconds, so up to one second more may
   * come back.
   *
   * @param containerId the container
   * @param since the earliest time of interest
   * @return the log text
   */
  String since(String containerId, Instant since) {
    return read(base(containerId).withSince((int) since.getEpochSecond()));
  }

  /**
   * Reads the last lines of the log.
   *
   * @param containerId the container
   * @param lines how many lines
   * @return the log text
   */
  String tail(String containerId, int lines) {
    return read(base(containerId).withTail(lines));
  }

  private LogContainerCmd base(String containerId) {
    return docker.logContainerCmd(containerId).withStdOut(true).withStdErr(true);
  }

  private String read(LogContainerCmd command) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    ResultCallback.Adapter<Frame> callback =
        new ResultCallback.Adapter<>() {
          @Override
          public void onNext(Frame frame) {
            synchronized (bytes) {
              bytes.writeBytes(frame.getPayload());
            }
          }
        };
    try (ResultCallback.Adapter<Frame> running = command.exec(callback)) {
      running.awaitCompletion(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (java.io.IOException e) {
      // closing the stream failed after reading; what was read stands
    }
    synchronized (bytes) {
      return bytes.toString(StandardCharsets.UTF_8);
    }
  }
}
