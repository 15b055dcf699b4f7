package io.lambdarun.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

class ReadinessProbeTest {

  @Test
  void aListenerThatDropsConnectionsIsNotReady() throws Exception {
    // what Docker's userland proxy does while the workload does not listen yet
    try (Server server = new Server(socket -> {})) {
      assertThat(ReadinessProbe.answersHttp("127.0.0.1", server.port())).isFalse();
    }
  }

  @Test
  void anyHttpStatusLineIsReady() throws Exception {
    try (Server server = new Server(ReadinessProbeTest::answer404)) {
      assertThat(ReadinessProbe.answersHttp("127.0.0.1", server.port())).isTrue();
    }
  }

  @Test
  void aClosedPortIsNotReady() throws Exception {
    int port;
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = socket.getLocalPort();
    }
    assertThat(ReadinessProbe.answersHttp("127.0.0.1", port)).isFalse();
  }

  @Test
  void waitingEndsWhenTheEndpointStartsAnswering() throws Exception {
    AtomicInteger connections = new AtomicInteger();
    try (Server server =
        new Server(
            socket -> {
              if (connections.incrementAndGet() > 3) {
                answer404(socket);
              }
            })) {
      ReadinessProbe.Outcome outcome =
          ReadinessProbe.await("127.0.0.1", server.port(), Duration.ofSeconds(30), Optional::empty);
      assertThat(outcome).isEqualTo(ReadinessProbe.Outcome.READY);
      assertThat(connections.get()).isEqualTo(4);
    }
  }

  @Test
  void waitingEndsWhenTheWorkloadDies() throws Exception {
    try (Server server = new Server(socket -> {})) {
      ReadinessProbe.Outcome outcome =
          ReadinessProbe.await(
              "127.0.0.1", server.port(), Duration.ofSeconds(30), () -> Optional.of("exited"));
      assertThat(outcome).isEqualTo(ReadinessProbe.Outcome.DIED);
    }
  }

  @Test
  void waitingEndsAtTheDeadline() throws Exception {
    try (Server server = new Server(socket -> {})) {
      ReadinessProbe.Outcome outcome =
          ReadinessProbe.await("127.0.0.1", server.port(), Duration.ZERO, Optional::empty);
      assertThat(outcome).isEqualTo(ReadinessProbe.Outcome.TIMED_OUT);
    }
  }

  private static void answer404(Socket socket) {
    try {
      InputStream in = socket.getInputStream();
      in.readNBytes(4);
      OutputStream out = socket.getOutputStream();
      out.write(
          "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n"
              .getBytes(StandardCharsets.US_ASCII));
      out.flush();
    } catch (IOException e) {
      throw new AssertionError(e);
    }
  }

  /** A loopback server that hands each connection to a handler, then closes it. */
  private static final class Server implements AutoCloseable {
    private final ServerSocket socket;
    private final Thread acceptor;

    Server(Consumer<Socket> handler) throws IOException {
      socket = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
      acceptor =
          new Thread(
              () -> {
                while (!socket.isClosed()) {
                  try (Socket connection = socket.accept()) {
                    handler.accept(connection);
                  } catch (IOException e) {
                    return;
                  }
                }
              });
      acceptor.setDaemon(true);
      acceptor.start();
    }

    int port() {
      return socket.getLocalPort();
    }

    @Override
    public void close() throws Exception {
      socket.close();
      acceptor.join();
    }
  }
}
