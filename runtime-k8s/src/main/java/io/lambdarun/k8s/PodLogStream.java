package io.lambdarun.k8s;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.LogWatch;
import io.lambdarun.api.FollowedLines;
import io.lambdarun.api.LogLine;
import io.lambdarun.api.LogLineListener;
import io.lambdarun.api.LogLineSplitter;
import java.io.OutputStream;
import java.time.Instant;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Follows a pod's main container log through the API server's {@code pods/log?follow=true}
 * (fabric8's {@code watchLog}), from the container's first line: the HTTP client hands the body
 * over as it arrives, one piece after the other, and this stream cuts it into lines stamped with
 * the time they were received, keeps the last {@code tailBytes} and hands each to the listener. It
 * ends when the API server ends the response (the container stopped) or at {@link #close()}, after
 * the last line without newline.
 */
final class PodLogStream implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(PodLogStream.class);
  private static final int MAX_LINE_BYTES = 256 * 1024;

  private final String podName;
  private final FollowedLines lines;
  private final LogLineSplitter splitter = new LogLineSplitter(MAX_LINE_BYTES);
  private LogWatch watch;
  private boolean finished; // guarded by this

  private PodLogStream(String podName, LogLineListener listener, int tailBytes) {
    this.podName = podName;
    this.lines = new FollowedLines(listener, tailBytes);
  }

  /**
   * Opens the stream of a pod whose main container has started.
   *
   * @param client the API server
   * @param namespace the pod's namespace
   * @param podName the pod
   * @param listener receives the lines, in order, from the HTTP client's threads
   * @param tailBytes how much of the latest output {@link #since} can return
   * @return the open stream
   */
  static PodLogStream open(
      KubernetesClient client,
      String namespace,
      String podName,
      LogLineListener listener,
      int tailBytes) {
    PodLogStream stream = new PodLogStream(podName, listener, tailBytes);
    stream.watch =
        client
            .pods()
            .inNamespace(namespace)
            .withName(podName)
            .inContainer(PodSpecFactory.MAIN_CONTAINER)
            .watchLog(stream.new Lines());
    stream.watch.onClose().whenComplete((error, failure) -> stream.finish());
    return stream;
  }

  /** Returns the kept lines received at or after {@code since}, each ended by a newline. */
  String since(Instant since) {
    return lines.since(since);
  }

  /** Ends the stream and releases its connection; the last line without newline is delivered. */
  @Override
  public void close() {
    watch.close();
    finish();
  }

  private synchronized void add(byte[] bytes, int offset, int length) {
    if (!finished) {
      splitter.add(bytes, offset, length, Instant.now(), this::deliver);
    }
  }

  private synchronized void finish() {
    if (!finished) {
      finished = true;
      splitter.finish(Instant.now(), this::deliver);
    }
  }

  private void deliver(LogLine line) {
    lines
        .deliver(line)
        .ifPresent(
            e ->
                LOG.warn(
                    "the log listener of pod '{}' threw; later failures are dropped", podName, e));
  }

  /** The body of the log response, as the HTTP client writes it. */
  private final class Lines extends OutputStream {
    @Override
    public void write(int b) {
      add(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] bytes, int offset, int length) {
      add(bytes, offset, length);
    }
  }
}
