package io.lambdarun.api;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * Waits until an instance's RIE endpoint answers HTTP: the one wait every backend does before
 * {@link ContainerRuntime#launch} returns in RIE-endpoint mode.
 *
 * <p>A TCP connect is not enough: Docker's userland proxy, for example, accepts connections on a
 * published port before the workload listens, then drops them. So each probe sends {@code GET /}
 * and counts any HTTP status line as ready (the RIE answers 404). Probes repeat every 5 ms, and
 * every 100 ms the caller's check tells whether the workload has died, so that a crashing workload
 * fails the launch at once instead of at the timeout.
 */
public final class ReadinessProbe {

  /** Why waiting ended. */
  public enum Outcome {
    /** The endpoint answered HTTP. */
    READY,
    /** The workload died; the caller's check reported it. */
    DIED,
    /** The deadline passed without an answer. */
    TIMED_OUT,
    /** The waiting thread was interrupted; its interrupt flag is set again. */
    INTERRUPTED
  }

  private static final Duration INTERVAL = Duration.ofMillis(5);
  private static final Duration LIVENESS_INTERVAL = Duration.ofMillis(100);
  private static final int CONNECT_TIMEOUT_MS = 500;
  private static final int READ_TIMEOUT_MS = 2_000;
  private static final byte[] STATUS_PREFIX = "HTTP/".getBytes(StandardCharsets.US_ASCII);

  private ReadinessProbe() {}

  /**
   * Probes until the endpoint answers, the workload dies or the timeout passes.
   *
   * @param host the endpoint host
   * @param port the endpoint port
   * @param timeout the longest wait
   * @param death tells, when asked, why the workload died, or empty while it runs (or when the
   *     backend cannot tell)
   * @return the outcome
   */
  public static Outcome await(
      String host, int port, Duration timeout, Supplier<Optional<String>> death) {
    long deadline = System.nanoTime() + timeout.toNanos();
    long nextLivenessCheck = System.nanoTime() + LIVENESS_INTERVAL.toNanos();
    while (true) {
      if (answersHttp(host, port)) {
        return Outcome.READY;
      }
      long now = System.nanoTime();
      if (now - nextLivenessCheck >= 0) {
        if (death.get().isPresent()) {
          return Outcome.DIED;
        }
        nextLivenessCheck = now + LIVENESS_INTERVAL.toNanos();
      }
      if (now - deadline >= 0) {
        return Outcome.TIMED_OUT;
      }
      try {
        Thread.sleep(INTERVAL.toMillis());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return Outcome.INTERRUPTED;
      }
    }
  }

  /**
   * Sends one {@code GET /} and reads the start of the answer.
   *
   * @param host the endpoint host
   * @param port the endpoint port
   * @return true when an HTTP status line came back
   */
  public static boolean answersHttp(String host, int port) {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress(host, port), CONNECT_TIMEOUT_MS);
      socket.setSoTimeout(READ_TIMEOUT_MS);
      socket
          .getOutputStream()
          .write(
              ("GET / HTTP/1.0\r\nHost: " + host + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
      InputStream in = socket.getInputStream();
      byte[] head = in.readNBytes(STATUS_PREFIX.length);
      return Arrays.equals(head, STATUS_PREFIX);
    } catch (IOException e) {
      return false;
    }
  }
}
