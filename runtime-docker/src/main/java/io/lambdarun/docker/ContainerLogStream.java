package io.lambdarun.docker;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.async.ResultCallback;
import com.github.dockerjava.api.model.Frame;
import com.github.dockerjava.api.model.StreamType;
import io.lambdarun.api.FollowedLines;
import io.lambdarun.api.LogLine;
import io.lambdarun.api.LogLineListener;
import io.lambdarun.api.LogLineSplitter;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Follows one container's stdout and stderr through the engine's log endpoint ({@code follow}),
 * from the container's first line: one docker-java stream thread per container cuts each stream's
 * bytes into lines, each stamped with the time it was received, keeps the last {@code tailBytes} of
 * them and hands each to the listener. The stream ends when the container stops (the engine ends
 * it), with the last line without newline of each stream, or at {@link #close()}.
 *
 * <p>When the container stopped on its own, the stream reads the log once more without {@code
 * follow} and delivers what the follow left out after the bytes it delivered per stream: engines
 * such as Docker 20.10 end a follow without the final line that has no newline, which the stored
 * log holds. The engine's own timestamps ({@code timestamps=true}) are not asked for: docker-java
 * hands the engine's messages over in frames cut at its buffer size, so a timestamp prefix cannot
 * be told from a line's text once a message is split.
 */
final class ContainerLogStream extends ResultCallback.Adapter<Frame> {

  private static final Logger LOG = LoggerFactory.getLogger(ContainerLogStream.class);
  private static final int MAX_LINE_BYTES = 256 * 1024;
  private static final Duration CATCH_UP_WAIT = Duration.ofSeconds(10);

  private final DockerClient docker;
  private final String containerId;
  private final FollowedLines lines;
  private final Map<StreamType, LogLineSplitter> splitters = new EnumMap<>(StreamType.class);
  private final Map<StreamType, Long> received = new EnumMap<>(StreamType.class);
  private final CountDownLatch finished = new CountDownLatch(1);
  private volatile boolean ending;

  private ContainerLogStream(
      DockerClient docker, String containerId, LogLineListener listener, int tailBytes) {
    this.docker = docker;
    this.containerId = containerId;
    this.lines = new FollowedLines(listener, tailBytes);
  }

  /**
   * Opens the stream of a created container.
   *
   * @param docker the engine
   * @param containerId the container
   * @param listener receives the lines, from the stream's thread
   * @param tailBytes how much of the latest output {@link #since} can return
   * @return the open stream
   */
  static ContainerLogStream open(
      DockerClient docker, String containerId, LogLineListener listener, int tailBytes) {
    ContainerLogStream stream = new ContainerLogStream(docker, containerId, listener, tailBytes);
    docker
        .logContainerCmd(containerId)
        .withStdOut(true)
        .withStdErr(true)
        .withFollowStream(true)
        .exec(stream);
    return stream;
  }

  /** Returns the kept lines received at or after {@code since}, each ended by a newline. */
  String since(Instant since) {
    return lines.since(since);
  }

  @Override
  public void onNext(Frame frame) {
    byte[] payload = frame.getPayload();
    if (payload != null && payload.length > 0) {
      add(frame.getStreamType(), payload, 0);
    }
  }

  /** Ends the stream quietly: a stream closed by removal or by {@link #close()} fails this way. */
  @Override
  public void onError(Throwable error) {
    LOG.debug("the log stream of container {} ended with {}", containerId, error.toString());
    finish(false);
    closeQuietly();
  }

  @Override
  public void onComplete() {
    finish(!ending);
    super.onComplete();
  }

  /** Says that the container is being removed: the stream's end needs no catching up. */
  void ending() {
    ending = true;
  }

  /**
   * Waits up to {@code grace} for the engine to end the stream (a removed container's last lines
   * are still delivered), then closes it; the stream's thread and connection end with it.
   *
   * @param grace how long to wait for the stream's own end
   */
  void close(Duration grace) {
    ending = true;
    try {
      finished.await(grace.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    closeQuietly();
  }

  private void add(StreamType type, byte[] bytes, int offset) {
    received.merge(type, (long) bytes.length - offset, Long::sum);
    splitters
        .computeIfAbsent(type, any -> new LogLineSplitter(MAX_LINE_BYTES))
        .add(bytes, offset, bytes.length - offset, Instant.now(), this::deliver);
  }

  private void finish(boolean catchUp) {
    if (finished.getCount() == 0) {
      return;
    }
    if (catchUp) {
      catchUp();
    }
    Instant end = Instant.now();
    splitters.values().forEach(splitter -> splitter.finish(end, this::deliver));
    finished.countDown();
  }

  /** Reads the stored log and adds, per stream, what comes after the bytes already received. */
  private void catchUp() {
    Map<StreamType, Long> skip = new EnumMap<>(received);
    ResultCallback.Adapter<Frame> rest =
        new ResultCallback.Adapter<>() {
          @Override
          public void onNext(Frame frame) {
            byte[] payload = frame.getPayload();
            if (payload == null) {
              return;
            }
            long skipped = skip.getOrDefault(frame.getStreamType(), 0L);
            int offset = (int) Math.min(skipped, payload.length);
            skip.put(frame.getStreamType(), skipped - offset);
            if (offset < payload.length) {
              add(frame.getStreamType(), payload, offset);
            }
          }
        };
    try (ResultCallback.Adapter<Frame> reading =
        docker.logContainerCmd(containerId).withStdOut(true).withStdErr(true).exec(rest)) {
      reading.awaitCompletion(CATCH_UP_WAIT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (IOException | RuntimeException e) {
      LOG.debug("could not read the end of the log of container {}: {}", containerId, e.toString());
    }
  }

  private void closeQuietly() {
    try {
      close();
    } catch (IOException e) {
      LOG.debug("closing the log stream of container {} failed: {}", containerId, e.toString());
    }
  }

  private void deliver(LogLine line) {
    lines
        .deliver(line)
        .ifPresent(
            e ->
                LOG.warn(
                    "the log listener of container {} threw; later failures are dropped",
                    containerId,
                    e));
  }
}
