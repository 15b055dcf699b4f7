package io.lambdarun.core.testing;

import com.sun.net.httpserver.HttpServer;
import io.lambdarun.api.Availability;
import io.lambdarun.api.ContainerRuntime;
import io.lambdarun.api.ContainerRuntimeProvider;
import io.lambdarun.api.HostAccess;
import io.lambdarun.api.Instance;
import io.lambdarun.api.LaunchFailedException;
import io.lambdarun.api.LaunchSpec;
import io.lambdarun.api.Owner;
import io.lambdarun.api.RuntimeConfig;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Queue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An in-test backend whose instances are small JDK HTTP servers on 127.0.0.1, with hooks to make
 * launches fail, refuse connections, hang up, or block.
 */
public final class FakeBackend implements ContainerRuntimeProvider {

  /** What the next launch produces. */
  public enum Mode {
    /** A working HTTP endpoint running {@link #handler}. */
    LIVE,
    /** An endpoint on a closed port: connections are refused. */
    REFUSED,
    /** An endpoint that accepts connections, reads what arrives and closes without answering. */
    HANGUP,
    /** The launch fails with {@link LaunchFailedException}. */
    FAIL,
    /** The launch throws an untyped exception, as a buggy backend might. */
    CRASH
  }

  /** Answers one event. */
  @FunctionalInterface
  public interface Handler {
    /**
     * Handles an event.
     *
     * @param instanceId the instance
     * @param requestId the {@code X-Amzn-RequestId} header
     * @param body the event
     * @return the answer
     * @throws Exception to fail the exchange
     */
    Reply handle(String instanceId, String requestId, byte[] body) throws Exception;
  }

  /**
   * An answer.
   *
   * @param status the HTTP status
   * @param headers extra headers
   * @param body the body
   */
  public record Reply(int status, Map<String, String> headers, byte[] body) {
    /**
     * A 200 answer.
     *
     * @param body the body
     * @return the reply
     */
    public static Reply ok(String body) {
      return new Reply(200, Map.of(), body.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }
  }

  public final Queue<Mode> plan = new ConcurrentLinkedQueue<>();
  public volatile Handler handler = (id, requestId, body) -> new Reply(200, Map.of(), body);
  public volatile CountDownLatch launchGate = new CountDownLatch(0);
  public volatile HostAccess hostAccess = HostAccess.loopback();
  public volatile boolean usesTags;
  public volatile boolean failCreate;
  public volatile boolean failClose;
  public volatile String logText = "";

  /** How many log reads answer empty before {@link #logText} shows, as a log shipped late. */
  public volatile int emptyLogReads;

  public final List<LaunchSpec> specs = new CopyOnWriteArrayList<>();
  public final List<String> terminated = new CopyOnWriteArrayList<>();
  public final BlockingQueue<String> terminations = new LinkedBlockingQueue<>();
  public final List<String> overlapped = new CopyOnWriteArrayList<>();
  public final List<String> requestIds = new CopyOnWriteArrayList<>();
  public final List<String> clientContexts = new CopyOnWriteArrayList<>();
  public final List<Instant> logSince = new CopyOnWriteArrayList<>();
  public final List<String> prepulled = new CopyOnWriteArrayList<>();
  public final AtomicInteger launches = new AtomicInteger();
  public final AtomicInteger maxConcurrentLaunches = new AtomicInteger();
  public final AtomicInteger runtimesClosed = new AtomicInteger();
  private final AtomicInteger concurrentLaunches = new AtomicInteger();

  @Override
  public String name() {
    return "fake";
  }

  @Override
  public Availability availability(RuntimeConfig config) {
    return Availability.available("in-test backend");
  }

  @Override
  public ContainerRuntime create(RuntimeConfig config, Owner owner) {
    if (failCreate) {
      throw new IllegalStateException("planned create failure");
    }
    return new Runtime();
  }

  private final class Runtime implements ContainerRuntime {
    private final Map<String, Runnable> stoppers = new ConcurrentHashMap<>();
    private final AtomicInteger ids = new AtomicInteger();
    private volatile boolean closed;

    @Override
    public String name() {
      return "fake";
    }

    @Override
    public HostAccess hostAccess() {
      return hostAccess;
    }

    @Override
    public boolean launchUsesTags() {
      return usesTags;
    }

    @Override
    public Instance launch(LaunchSpec spec) {
      checkOpen();
      specs.add(spec);
      launches.incrementAndGet();
      maxConcurrentLaunches.accumulateAndGet(concurrentLaunches.incrementAndGet(), Math::max);
      try {
        launchGate.await();
        Mode mode = plan.isEmpty() ? Mode.LIVE : plan.poll();
        String id = mode.name().toLowerCase(java.util.Locale.ROOT) + "-" + ids.incrementAndGet();
        return switch (mode) {
          case LIVE -> live(id);
          case REFUSED -> refused(id);
          case HANGUP -> hangup(id);
          case FAIL -> throw new LaunchFailedException(spec.functionName(), "planned failure");
          case CRASH -> throw new IllegalArgumentException("planned crash");
        };
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new LaunchFailedException(spec.functionName(), "interrupted");
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      } finally {
        concurrentLaunches.decrementAndGet();
      }
    }

    private Instance live(String id) throws IOException {
      HttpServer server =
          HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
      ExecutorService executor = Executors.newCachedThreadPool();
      AtomicInteger inFlight = new AtomicInteger();
      server.setExecutor(executor);
      server.createContext(
          Instance.INVOCATION_PATH,
          exchange -> {
            if (inFlight.incrementAndGet() > 1) {
              overlapped.add(id);
            }
            try (exchange) {
              String requestId = exchange.getRequestHeaders().getFirst("X-Amzn-RequestId");
              requestIds.add(String.valueOf(requestId));
              clientContexts.add(
                  String.valueOf(exchange.getRequestHeaders().getFirst("X-Amz-Client-Context")));
              Reply reply;
              try {
                reply = handler.handle(id, requestId, exchange.getRequestBody().readAllBytes());
              } finally {
                inFlight.decrementAndGet();
              }
              reply.headers().forEach(exchange.getResponseHeaders()::add);
              exchange.sendResponseHeaders(
                  reply.status(), reply.body().length == 0 ? -1 : reply.body().length);
              exchange.getResponseBody().write(reply.body());
            } catch (Exception e) {
              exchange.close();
            }
          });
      server.start();
      stoppers.put(
          id,
          () -> {
            server.stop(0);
            executor.shutdownNow();
          });
      int port = server.getAddress().getPort();
      return new Instance(
          id, Optional.of(URI.create("http://127.0.0.1:" + port)), Map.of("port", "" + port));
    }

    private Instance refused(String id) throws IOException {
      int port;
      try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
        port = socket.getLocalPort();
      }
      return Instance.of(id, URI.create("http://127.0.0.1:" + port));
    }

    private Instance hangup(String id) throws IOException {
      ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
      Thread thread =
          new Thread(
              () -> {
                while (!socket.isClosed()) {
                  try (Socket client = socket.accept()) {
                    InputStream in = client.getInputStream();
                    in.read(new byte[8192]);
                  } catch (IOException e) {
                    return;
                  }
                }
              });
      thread.setDaemon(true);
      thread.start();
      stoppers.put(
          id,
          () -> {
            try {
              socket.close();
            } catch (IOException e) {
              throw new UncheckedIOException(e);
            }
          });
      return Instance.of(id, URI.create("http://127.0.0.1:" + socket.getLocalPort()));
    }

    @Override
    public void terminate(Instance instance) {
      terminated.add(instance.id());
      terminations.add(instance.id());
      Runnable stopper = stoppers.remove(instance.id());
      if (stopper != null) {
        stopper.run();
      }
    }

    @Override
    public String logs(Instance instance, Instant since) {
      logSince.add(since);
      return logSince.size() <= emptyLogReads ? "" : logText;
    }

    @Override
    public int sweepOrphans() {
      return 0;
    }

    @Override
    public void prepull(String image) {
      checkOpen();
      prepulled.add(image);
    }

    @Override
    public void close() {
      if (!closed) {
        closed = true;
        runtimesClosed.incrementAndGet();
        stoppers.keySet().forEach(id -> terminate(Instance.of(id, URI.create("http://127.0.0.1"))));
        if (failClose) {
          throw new IllegalStateException("planned close failure");
        }
      }
    }

    private void checkOpen() {
      if (closed) {
        throw new IllegalStateException("closed");
      }
    }
  }
}
