package io.lambdarun.core.pool;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A loopback HTTP/1.1 server for client tests: one thread per connection, answers each request with
 * whatever {@link #script} returns, and counts connections accepted and still open.
 */
final class ScriptedServer implements AutoCloseable {

  /** What to do after an answer. */
  enum After {
    KEEP,
    CLOSE,
    RESET,
    HANG
  }

  /** The bytes to send and what to do next; {@code null} bytes send nothing. */
  record Answer(byte[] bytes, After after) {
    static Answer of(String raw, After after) {
      return new Answer(raw.getBytes(StandardCharsets.ISO_8859_1), after);
    }

    static Answer ok(String body) {
      return of(
          "HTTP/1.1 200 OK\r\nContent-Length: "
              + body.getBytes(StandardCharsets.UTF_8).length
              + "\r\n\r\n"
              + body,
          After.KEEP);
    }
  }

  /** A received request. */
  record Request(int connection, String head, byte[] body) {
    String header(String name) {
      for (String line : head.split("\r\n")) {
        int colon = line.indexOf(':');
        if (colon > 0 && line.substring(0, colon).trim().equalsIgnoreCase(name)) {
          return line.substring(colon + 1).trim();
        }
      }
      return null;
    }
  }

  /** Answers a request. */
  interface Script {
    Answer answer(Request request) throws Exception;
  }

  final AtomicInteger accepted = new AtomicInteger();
  final AtomicInteger open = new AtomicInteger();
  final List<Request> requests = new CopyOnWriteArrayList<>();
  final Semaphore closedConnections = new Semaphore(0);
  private final Set<Socket> sockets = ConcurrentHashMap.newKeySet();
  volatile Script script = request -> Answer.ok(new String(request.body(), StandardCharsets.UTF_8));
  private final ServerSocket server;
  private final Thread acceptor;

  ScriptedServer() throws IOException {
    server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    acceptor = new Thread(this::acceptLoop, "scripted-server");
    acceptor.setDaemon(true);
    acceptor.start();
  }

  URI endpoint() {
    return URI.create("http://127.0.0.1:" + server.getLocalPort());
  }

  private void acceptLoop() {
    while (!server.isClosed()) {
      try {
        Socket socket = server.accept();
        if (server.isClosed()) {
          socket.close();
          return;
        }
        sockets.add(socket);
        int index = accepted.incrementAndGet();
        open.incrementAndGet();
        Thread thread = new Thread(() -> serve(socket, index), "scripted-connection-" + index);
        thread.setDaemon(true);
        thread.start();
      } catch (IOException e) {
        return;
      }
    }
  }

  private void serve(Socket socket, int index) {
    try (socket) {
      InputStream in = socket.getInputStream();
      OutputStream out = socket.getOutputStream();
      while (true) {
        String head = readHead(in);
        if (head == null) {
          return;
        }
        Request request = new Request(index, head, readBody(in, head));
        requests.add(request);
        Answer answer = script.answer(request);
        if (answer.bytes() != null) {
          out.write(answer.bytes());
          out.flush();
        }
        switch (answer.after()) {
          case KEEP -> {}
          case CLOSE -> {
            return;
          }
          case RESET -> {
            socket.setSoLinger(true, 0);
            return;
          }
          case HANG -> {
            while (in.read() != -1) {
              // wait for the client to give up
            }
            return;
          }
        }
      }
    } catch (Exception e) {
      // the client went away
    } finally {
      sockets.remove(socket);
      open.decrementAndGet();
      closedConnections.release();
    }
  }

  private static String readHead(InputStream in) throws IOException {
    ByteArrayOutputStream head = new ByteArrayOutputStream();
    int c;
    while ((c = in.read()) != -1) {
      head.write(c);
      byte[] bytes = head.toByteArray();
      int n = bytes.length;
      if (n >= 4
          && bytes[n - 4] == '\r'
          && bytes[n - 3] == '\n'
          && bytes[n - 2] == '\r'
          && bytes[n - 1] == '\n') {
        return new String(bytes, 0, n - 4, StandardCharsets.ISO_8859_1);
      }
    }
    return null;
  }

  private static byte[] readBody(InputStream in, String head) throws IOException {
    for (String line : head.split("\r\n")) {
      if (line.toLowerCase(Locale.ROOT).startsWith("content-length:")) {
        return in.readNBytes(Integer.parseInt(line.substring(15).trim()));
      }
    }
    return new byte[0];
  }

  /** Closes every accepted connection, as a dying process would. */
  void dropConnections() throws IOException {
    for (Socket socket : sockets) {
      socket.close();
    }
  }

  /**
   * Stops listening. Returns only once the acceptor has left {@code accept}: until then the JDK
   * keeps the listening socket open, and a connection arriving meanwhile would still be served.
   */
  @Override
  public void close() throws IOException {
    server.close();
    try {
      acceptor.join(5_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("interrupted while waiting for the acceptor to stop");
    }
  }
}
