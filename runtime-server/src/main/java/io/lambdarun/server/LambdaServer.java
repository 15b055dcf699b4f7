package io.lambdarun.server;

import io.lambdarun.api.LambdaRunException;
import io.lambdarun.core.LambdaRuntime;
import java.net.URI;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

/**
 * The AWS Lambda API over HTTP on top of a {@link LambdaRuntime}, for the AWS SDKs and the AWS CLI:
 * functions and layers are created, listed, updated, deleted and functions invoked on AWS's
 * rest-json wire format. Functions and layers live in memory, or in {@link ServerOptions#dataDir()}
 * across restarts. Every request is accepted unless {@link ServerOptions#credentials()} names the
 * one access key whose SigV4 signatures are accepted. The runtime belongs to the caller, who closes
 * it after this server.
 *
 * <pre>{@code
 * try (LambdaRuntime runtime = LambdaRuntime.builder().build();
 *     LambdaServer server = LambdaServer.start(runtime, ServerOptions.DEFAULT)) {
 *   System.out.println(server.endpoint());   // http://127.0.0.1:9001
 * }
 * }</pre>
 */
public final class LambdaServer implements AutoCloseable {

  /** Threads running operations; further requests queue without a thread. */
  private static final int OPERATION_THREADS = 64;

  /** Threads running queued {@code Event} invocations. */
  private static final int EVENT_THREADS = 8;

  private final Server jetty;
  private final ExecutorService operations;
  private final ExecutorService eventWorkers;
  private final ScheduledExecutorService eventTimer;
  private final URI endpoint;

  private LambdaServer(
      Server jetty,
      ExecutorService operations,
      ExecutorService eventWorkers,
      ScheduledExecutorService eventTimer,
      URI endpoint) {
    this.jetty = jetty;
    this.operations = operations;
    this.eventWorkers = eventWorkers;
    this.eventTimer = eventTimer;
    this.endpoint = endpoint;
  }

  /**
   * Starts serving on the options' address.
   *
   * @param runtime runs the functions; stays open until the caller closes it
   * @param options the address and event retry timing
   * @return the running server
   * @throws LambdaRunException if the address cannot be bound
   * @throws io.lambdarun.api.ConfigurationException if the data directory cannot be used or read
   */
  public static LambdaServer start(LambdaRuntime runtime, ServerOptions options) {
    Clock clock = Clock.systemUTC();
    FunctionRegistry registry = new FunctionRegistry();
    LayerRegistry layers = new LayerRegistry();
    ConcurrencyLimits limits = new ConcurrencyLimits();
    ProvisionedConcurrencyConfigs provisioned =
        new ProvisionedConcurrencyConfigs(registry, runtime, clock);
    StateChanges changes = StateChanges.IN_MEMORY;
    if (options.dataDir().isPresent()) {
      DataDirectory dataDir =
          new DataDirectory(options.dataDir().get(), registry, layers, limits, provisioned);
      dataDir.load();
      changes = dataDir;
    }
    if (options.functionsFile().isPresent()) {
      declare(
          FunctionsFile.read(options.functionsFile().get(), layers, clock.instant()),
          registry,
          changes);
    }
    ExecutorService operations =
        Executors.newFixedThreadPool(OPERATION_THREADS, daemon("lambdarun-api"));
    ExecutorService eventWorkers =
        Executors.newFixedThreadPool(EVENT_THREADS, daemon("lambdarun-event"));
    ScheduledExecutorService eventTimer =
        Executors.newSingleThreadScheduledExecutor(daemon("lambdarun-event-retry"));
    EventQueue events =
        new EventQueue(
            runtime,
            limits,
            ref -> registry.find(ref).map(StoredFunction::function),
            eventWorkers,
            eventTimer,
            options,
            clock);
    QueuedThreadPool threads = new QueuedThreadPool(16, 2);
    threads.setName("lambdarun-http");
    threads.setDaemon(true);
    Server jetty = new Server(threads);
    HttpConfiguration http = new HttpConfiguration();
    http.setSendServerVersion(false);
    http.setSendDateHeader(true);
    ServerConnector connector = new ServerConnector(jetty, new HttpConnectionFactory(http));
    connector.setHost(options.host());
    connector.setPort(options.port());
    jetty.addConnector(connector);
    jetty.setHandler(
        new LambdaApiHandler(
            new FunctionOperations(registry, layers, limits, provisioned, changes, runtime, clock),
            new InvokeOperation(registry, runtime, events, limits),
            new LayerOperations(layers, changes, clock),
            operations,
            options.credentials().map(SignatureVerifier::new)));
    // no graceful wait: idle keep-alive connections of clients would hold the stop for its whole
    // timeout, and invocations still running end anyway when the runtime is closed next
    jetty.setStopTimeout(0);
    LambdaServer server = new LambdaServer(jetty, operations, eventWorkers, eventTimer, null);
    try {
      jetty.start();
    } catch (Exception e) {
      server.close();
      throw new LambdaRunException(
          "the Lambda API could not listen on '"
              + options.host()
              + ":"
              + options.port()
              + "' ("
              + e.getMessage()
              + "); choose a free port with --port or another --host",
          e);
    }
    URI endpoint =
        URI.create("http://" + hostForUri(options.host()) + ":" + connector.getLocalPort());
    return new LambdaServer(jetty, operations, eventWorkers, eventTimer, endpoint);
  }

  private static void declare(
      List<StoredFunction> declared, FunctionRegistry registry, StateChanges changes) {
    for (StoredFunction function : declared) {
      FunctionRef ref = new FunctionRef(function.name(), Optional.empty());
      if (registry.find(ref).isPresent()) {
        registry.update(ref, old -> function);
      } else {
        registry.create(function);
      }
      changes.functionChanged(function.name());
    }
  }

  /**
   * Returns the URL clients pass as the endpoint, such as {@code --endpoint-url}.
   *
   * @return for example {@code http://127.0.0.1:9001}
   */
  public URI endpoint() {
    return endpoint;
  }

  /**
   * Stops listening, interrupts the operations in progress and drops queued events. Idempotent; the
   * runtime stays open: closing it next ends the invocations still running.
   */
  @Override
  public void close() {
    try {
      jetty.stop();
    } catch (Exception e) {
      throw new LambdaRunException(
          "the Lambda API server at '" + endpoint + "' did not stop (" + e.getMessage() + ")", e);
    } finally {
      eventTimer.shutdownNow();
      eventWorkers.shutdownNow();
      operations.shutdownNow();
    }
  }

  private static String hostForUri(String host) {
    return host.contains(":") && !host.startsWith("[") ? "[" + host + "]" : host;
  }

  private static ThreadFactory daemon(String prefix) {
    AtomicInteger count = new AtomicInteger();
    return task -> {
      Thread thread = new Thread(task, prefix + "-" + count.incrementAndGet());
      thread.setDaemon(true);
      return thread;
    };
  }
}
