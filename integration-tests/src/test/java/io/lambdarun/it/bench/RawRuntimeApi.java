package io.lambdarun.it.bench;

import io.lambdarun.api.ContainerRuntime;
import io.lambdarun.api.Instance;
import io.lambdarun.api.LaunchSpec;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Locale;
import java.util.UUID;

/**
 * The Runtime API floor: the leanest Lambda Runtime API there is, for one instance, driven by the
 * calling thread (no selector, no hand-off, no pool). It listens on 127.0.0.1, the instance's
 * runtime client (launched by the real backend, past core, with the spec core used for the
 * subject's instance and {@code AWS_LAMBDA_RUNTIME_API} pointing here) keeps one connection to it
 * and parks on {@code /next}; {@link #time} writes the event answer (head and body prepared before
 * the clock starts, one write) and stops the clock when the {@code /response} body has arrived,
 * then answers 202 and waits, off the clock, until the client parks on {@code /next} again.
 */
final class RawRuntimeApi implements AutoCloseable {

  private static final String PREFIX = "/2018-06-01/runtime/invocation/";
  private static final byte[] ACCEPTED =
      ("HTTP/1.1 202 Accepted\r\nContent-Type: application/json\r\nContent-Length: 16\r\n\r\n"
              + "{\"status\":\"OK\"}\n")
          .getBytes(StandardCharsets.US_ASCII);

  private final ContainerRuntime backend;
  private final ServerSocket server;
  private final String arn;
  private Instance instance;
  private String owner = "its runtime client";
  private Socket socket;
  private InputStream in;
  private OutputStream out;

  private RawRuntimeApi(ContainerRuntime backend, String functionName) throws IOException {
    this.backend = backend;
    this.server = new ServerSocket(0, 8, InetAddress.getLoopbackAddress());
    this.arn = "arn:aws:lambda:us-east-1:000000000000:function:" + functionName;
  }

  /**
   * Opens a raw Runtime API for a runtime client the caller starts itself (a cold-start floor);
   * closing it closes the port only.
   */
  static RawRuntimeApi open(String functionName) throws IOException {
    return new RawRuntimeApi(null, functionName);
  }

  /** The {@code host:port} for the client's {@code AWS_LAMBDA_RUNTIME_API}. */
  String address() {
    return "127.0.0.1:" + server.getLocalPort();
  }

  /**
   * Waits until the runtime client asks for its first event.
   *
   * @param owner what runs the client, for the error when it does not call in time
   */
  void awaitFirstNext(Duration limit, String owner) throws IOException {
    this.owner = owner;
    server.setSoTimeout((int) limit.toMillis());
    awaitNext();
  }

  /**
   * Launches one more instance of {@code spec} on {@code backend}, against a raw Runtime API of its
   * own, and waits until its runtime client asks for the first event.
   */
  static RawRuntimeApi launch(ContainerRuntime backend, LaunchSpec spec, Duration initTimeout)
      throws IOException {
    RawRuntimeApi api = new RawRuntimeApi(backend, spec.functionName());
    try {
      String address = api.address();
      api.instance =
          backend.launch(
              spec.toBuilder()
                  .runtimeApi(address)
                  .putEnvironment("AWS_LAMBDA_RUNTIME_API", address)
                  .build());
      api.awaitFirstNext(initTimeout, "instance '" + api.instance.id() + "'");
      return api;
    } catch (IOException | RuntimeException e) {
      api.close();
      throw e;
    }
  }

  Instance instance() {
    return instance;
  }

  /** The event answer the parked {@code /next} gets, prepared before the clock starts. */
  Event event(byte[] payload) {
    String requestId = UUID.randomUUID().toString();
    String head =
        "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nLambda-Runtime-Aws-Request-Id: "
            + requestId
            + "\r\nLambda-Runtime-Deadline-Ms: "
            + (System.currentTimeMillis() + 60_000)
            + "\r\nLambda-Runtime-Invoked-Function-Arn: "
            + arn
            + "\r\nContent-Length: "
            + payload.length
            + "\r\n\r\n";
    byte[] headBytes = head.getBytes(StandardCharsets.US_ASCII);
    byte[] bytes = new byte[headBytes.length + payload.length];
    System.arraycopy(headBytes, 0, bytes, 0, headBytes.length);
    System.arraycopy(payload, 0, bytes, headBytes.length, payload.length);
    return new Event(requestId, bytes);
  }

  /** One event's answer to {@code /next}: its request id and the bytes written. */
  record Event(String requestId, byte[] bytes) {}

  /**
   * Hands {@code event} to the parked client and times until its {@code /response} body has
   * arrived; then answers 202 and waits, off the clock, for the next {@code /next}.
   */
  long time(Event event, String expected) throws IOException {
    long start = System.nanoTime();
    long elapsed = deliver(event, expected) - start;
    out.write(ACCEPTED);
    out.flush();
    awaitNext();
    return elapsed;
  }

  /**
   * Hands {@code event} to the parked client and reads its {@code /response}, without answering it.
   *
   * @return {@link System#nanoTime()} when the response body had arrived
   */
  long deliver(Event event, String expected) throws IOException {
    out.write(event.bytes());
    out.flush();
    Request request = readRequest();
    long arrived = System.nanoTime();
    String text = new String(request.body(), StandardCharsets.UTF_8);
    if (!request.line().startsWith("POST " + PREFIX + event.requestId() + "/response ")
        || !expected.equals(text)) {
      throw new IllegalStateException(
          "the runtime client answered '" + request.line() + "' with '" + text + "'");
    }
    return arrived;
  }

  private void awaitNext() throws IOException {
    Request next = readRequest();
    if (!next.line().startsWith("GET " + PREFIX + "next ")) {
      throw new IllegalStateException("the runtime client asked '" + next.line() + "' for /next");
    }
  }

  /** One request; a connection the client closed is replaced by the next one it opens. */
  private Request readRequest() throws IOException {
    for (int attempt = 0; attempt < 2; attempt++) {
      if (socket == null) {
        try {
          socket = server.accept();
        } catch (SocketTimeoutException e) {
          throw new IllegalStateException(
              "the runtime client of "
                  + owner
                  + " did not call its Runtime API in time"
                  + (instance == null
                      ? ""
                      : "; see its log: " + backend.logs(instance, java.time.Instant.EPOCH)),
              e);
        }
        socket.setTcpNoDelay(true);
        socket.setSoTimeout(120_000);
        in = new BufferedInputStream(socket.getInputStream(), 8192);
        out = socket.getOutputStream();
      }
      String line = readLine(in);
      if (line == null) {
        socket.close();
        socket = null;
        continue;
      }
      int length = 0;
      String header;
      while (!(header = requireLine(readLine(in))).isEmpty()) {
        String lower = header.toLowerCase(Locale.ROOT);
        if (lower.startsWith("content-length:")) {
          length = Integer.parseInt(header.substring(15).trim());
        }
      }
      return new Request(line, in.readNBytes(length));
    }
    throw new IllegalStateException("the runtime client closed two connections in a row");
  }

  private record Request(String line, byte[] body) {}

  /** A line without its CRLF; null at end of stream before the first byte. */
  private static String readLine(InputStream in) throws IOException {
    ByteArrayOutputStream line = new ByteArrayOutputStream(128);
    int c;
    while ((c = in.read()) != '\n') {
      if (c < 0) {
        if (line.size() == 0) {
          return null;
        }
        throw new IOException("connection closed in a request's head");
      }
      if (c != '\r') {
        line.write(c);
      }
    }
    return line.toString(StandardCharsets.US_ASCII);
  }

  private static String requireLine(String line) throws IOException {
    if (line == null) {
      throw new IOException("connection closed in a request's head");
    }
    return line;
  }

  /** Terminates the instance it launched, if any, and closes the port. */
  @Override
  public void close() throws IOException {
    try {
      if (instance != null) {
        backend.terminate(instance);
      }
    } finally {
      if (socket != null) {
        socket.close();
      }
      server.close();
    }
  }
}
