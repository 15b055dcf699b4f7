package io.lambdarun.core.runtimeapi;

import io.lambdarun.api.ContainerRuntime;
import io.lambdarun.api.Instance;
import io.lambdarun.api.LaunchFailedException;
import io.lambdarun.api.LaunchSpec;
import io.lambdarun.api.RuntimeApiAccess;
import java.io.IOException;
import java.net.InetAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.Deque;
import java.util.Map;
import java.util.OptionalInt;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Hosts the Lambda Runtime API for every instance of backends that run in Runtime API mode (see
 * {@link ContainerRuntime}): one listening port per instance, all served by one selector thread,
 * and one thread that polls {@link ContainerRuntime#exitCode} of the instances that are starting or
 * serving an event and times events out. The thread count does not grow with the number of
 * instances: an invoking thread reads its own event's answer with a selector borrowed from a pool
 * the host keeps.
 *
 * <p>Each instance's port is bound to the backend's {@link RuntimeApiAccess#bindAddress()} and
 * pinned to the first peer address that asks it for an event (or reports an init error); requests
 * from any other address are answered 403 and cannot take, answer or fail the instance's events.
 */
public final class RuntimeApiHost implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(RuntimeApiHost.class);
  private static final Duration EXIT_POLL = Duration.ofMillis(100);
  private static final int LAST_OUTPUT_CHARS = 2048;

  /** The most pollers kept between invokes (two descriptors and a 64 KB buffer each). */
  private static final int MAX_IDLE_POLLERS = 32;

  /**
   * The configuration key of the init timeout, named in the error of an instance that exceeds it;
   * published as {@code CoreConfigKeys.INIT_TIMEOUT}.
   */
  public static final String INIT_TIMEOUT_KEY = "lambdarun.runtime-api.init-timeout";

  private final SelectorHttpServer server;
  private final ScheduledThreadPoolExecutor exitWatch;
  private final Map<InstanceChannel, Watched> watched = new ConcurrentHashMap<>();
  private final Deque<CallerPoller> pollers = new ConcurrentLinkedDeque<>();
  private final AtomicInteger idlePollers = new AtomicInteger();
  private volatile boolean closed;

  /** An instance whose exit the watch polls. */
  private record Watched(ContainerRuntime runtime, Instance instance) {}

  private RuntimeApiHost(String name) {
    server = SelectorHttpServer.start(name + "-http");
    exitWatch =
        new ScheduledThreadPoolExecutor(
            1,
            task -> {
              Thread thread = new Thread(task, name + "-exits");
              thread.setDaemon(true);
              return thread;
            });
    // an event's timeout is cancelled when it is answered: forget it then, not when it is due
    exitWatch.setRemoveOnCancelPolicy(true);
    exitWatch.scheduleWithFixedDelay(
        this::pollExits, EXIT_POLL.toMillis(), EXIT_POLL.toMillis(), TimeUnit.MILLISECONDS);
  }

  /**
   * Starts a host with its two threads.
   *
   * @param name the prefix of its thread names
   * @return the running host; the caller closes it
   */
  public static RuntimeApiHost start(String name) {
    return new RuntimeApiHost(name);
  }

  /**
   * Launches one instance in Runtime API mode and waits until it is ready: opens the instance's
   * port, launches {@code spec} with {@link LaunchSpec#runtimeApi()} and {@code
   * AWS_LAMBDA_RUNTIME_API} set to it, and waits for the runtime client's first {@code /next} (or
   * an init error, which the first event then answers).
   *
   * @param runtime a backend with a {@link ContainerRuntime#runtimeApiAccess()}
   * @param spec the instance's spec, without a Runtime API address
   * @param initTimeout how long the runtime client may take to ask for its first event
   * @return the ready instance; the caller closes it and terminates its backend instance
   * @throws LaunchFailedException if the instance exits or does not ask for an event in time, with
   *     the end of its log
   */
  public RuntimeApiInstance launch(
      ContainerRuntime runtime, LaunchSpec spec, Duration initTimeout) {
    RuntimeApiAccess access =
        runtime
            .runtimeApiAccess()
            .orElseThrow(
                () ->
                    new IllegalArgumentException(
                        "backend '"
                            + runtime.name()
                            + "' has no Runtime API access; launch it in"
                            + " RIE-endpoint mode"));
    InstanceChannel channel =
        new InstanceChannel(server, exitWatch, invokedArn(spec), spec.timeout());
    SelectorHttpServer.Listener listener;
    try {
      listener = server.listen(InetAddress.getByName(access.bindAddress()), channel);
    } catch (IOException e) {
      throw new LaunchFailedException(
          spec.functionName(),
          "cannot open a Runtime API port on '"
              + access.bindAddress()
              + "' for function '"
              + spec.functionName()
              + "' ("
              + e.getMessage()
              + "); check that the address"
              + " belongs to this host",
          e);
    }
    channel.bind(listener);
    String address = hostForAddress(access.workloadHost()) + ":" + listener.port();
    LaunchSpec launched =
        spec.toBuilder()
            .runtimeApi(address)
            .putEnvironment("AWS_LAMBDA_RUNTIME_API", address)
            .build();
    Instance instance;
    try {
      instance = runtime.launch(launched);
    } catch (RuntimeException | Error e) {
      server.execute(channel::close);
      throw e;
    }
    RuntimeApiInstance ready = new RuntimeApiInstance(this, runtime, instance, channel, address);
    watched.put(channel, new Watched(runtime, instance));
    try {
      awaitReady(runtime, launched, instance, channel, initTimeout);
    } catch (RuntimeException | Error e) {
      ready.close();
      try {
        runtime.terminate(instance);
      } catch (RuntimeException terminateFailure) {
        LOG.warn("terminating instance '{}' failed", instance.id(), terminateFailure);
      }
      throw e;
    }
    return ready;
  }

  private static void awaitReady(
      ContainerRuntime runtime,
      LaunchSpec spec,
      Instance instance,
      InstanceChannel channel,
      Duration initTimeout) {
    try {
      channel.ready().get(initTimeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      String status =
          e.getCause() instanceof InstanceChannel.EarlyExit exit
              ? "exited with status " + exit.status()
              : "stopped";
      throw new LaunchFailedException(
          spec.functionName(),
          "function '"
              + spec.functionName()
              + "' "
              + status
              + " before asking for an event"
              + " (output: '"
              + lastOutput(runtime, instance, spec)
              + "'); fix the handler or"
              + " bootstrap so that it polls the Runtime API");
    } catch (TimeoutException e) {
      throw new LaunchFailedException(
          spec.functionName(),
          "function '"
              + spec.functionName()
              + "' did not ask for an event within "
              + initTimeout.toMillis()
              + " ms of starting (output: '"
              + lastOutput(runtime, instance, spec)
              + "'); speed up its initialization or raise "
              + INIT_TIMEOUT_KEY);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new LaunchFailedException(
          spec.functionName(),
          "interrupted while launching function '" + spec.functionName() + "'; retry the launch");
    }
  }

  /** The end of the instance's log, with the values of sensitive keys masked. */
  private static String lastOutput(ContainerRuntime runtime, Instance instance, LaunchSpec spec) {
    String text;
    try {
      text = runtime.logs(instance, Instant.EPOCH);
    } catch (RuntimeException e) {
      return "unreadable: " + e.getClass().getSimpleName();
    }
    for (String key : spec.sensitiveKeys()) {
      String secret = spec.environment().get(key);
      if (secret != null && !secret.isEmpty()) {
        text = text.replace(secret, "***");
      }
    }
    text = text.strip();
    return text.length() > LAST_OUTPUT_CHARS
        ? text.substring(text.length() - LAST_OUTPUT_CHARS)
        : text;
  }

  private void pollExits() {
    for (Map.Entry<InstanceChannel, Watched> entry : watched.entrySet()) {
      InstanceChannel channel = entry.getKey();
      if (!channel.watched()) {
        continue;
      }
      Watched instance = entry.getValue();
      try {
        OptionalInt status = instance.runtime().exitCode(instance.instance());
        if (status.isPresent()) {
          channel.onExit(status.getAsInt());
        }
      } catch (RuntimeException e) {
        LOG.debug("asking whether instance '{}' exited failed", instance.instance().id(), e);
      }
    }
  }

  /** Runs a task on the loop thread; false when the host is closed. */
  boolean execute(Runnable task) {
    return server.execute(task);
  }

  /**
   * Lends an invoking thread a poller to read its answer with, or null when none can be opened (the
   * loop then reads the answer).
   */
  CallerPoller borrowPoller() {
    CallerPoller poller = pollers.pollFirst();
    if (poller != null) {
      idlePollers.decrementAndGet();
      return poller;
    }
    if (closed) {
      return null;
    }
    try {
      return CallerPoller.open();
    } catch (IOException e) {
      LOG.debug("cannot open a selector for an invoking thread; the loop reads its answer", e);
      return null;
    }
  }

  /**
   * Takes a poller back for the next invoking thread; closes it when enough are kept or the host is
   * closed.
   */
  void returnPoller(CallerPoller poller) {
    if (poller == null) {
      return;
    }
    try {
      poller.reset();
    } catch (IOException e) {
      poller.close();
      return;
    }
    if (idlePollers.incrementAndGet() > MAX_IDLE_POLLERS) {
      idlePollers.decrementAndGet();
      poller.close();
      return;
    }
    pollers.offerFirst(poller);
    if (closed && pollers.remove(poller)) {
      idlePollers.decrementAndGet();
      poller.close();
    }
  }

  /** How many pollers wait for an invoking thread; bounded by {@link #MAX_IDLE_POLLERS}. */
  int idlePollers() {
    return idlePollers.get();
  }

  /** Stops polling an instance and closes its port. */
  void forget(InstanceChannel channel) {
    watched.remove(channel);
    server.execute(channel::close);
  }

  private static String invokedArn(LaunchSpec spec) {
    return spec.version().equals("$LATEST")
        ? spec.functionArn()
        : spec.functionArn() + ":" + spec.version();
  }

  private static String hostForAddress(String host) {
    return host.indexOf(':') >= 0 && !host.startsWith("[") ? "[" + host + "]" : host;
  }

  /**
   * Stops both threads and closes every port; an event in flight is answered {@link
   * RuntimeApiAnswer.Outcome#NOT_DELIVERED}. Idempotent.
   */
  @Override
  public void close() {
    closed = true;
    exitWatch.shutdownNow();
    for (InstanceChannel channel : watched.keySet()) {
      server.execute(channel::close);
    }
    watched.clear();
    server.close();
    for (CallerPoller poller = pollers.pollFirst(); poller != null; poller = pollers.pollFirst()) {
      idlePollers.decrementAndGet();
      poller.close();
    }
  }
}
