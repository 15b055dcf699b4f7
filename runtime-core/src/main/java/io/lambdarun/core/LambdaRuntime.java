package io.lambdarun.core;

import io.lambdarun.api.ArchiveLimits;
import io.lambdarun.api.ConfigurationException;
import io.lambdarun.api.ContainerRuntime;
import io.lambdarun.api.ContainerRuntimeProvider;
import io.lambdarun.api.Instance;
import io.lambdarun.api.InstanceFailedException;
import io.lambdarun.api.InvalidFunctionException;
import io.lambdarun.api.RuntimeConfig;
import io.lambdarun.api.RuntimeUnavailableException;
import io.lambdarun.core.discovery.NoRuntimeAvailableException;
import io.lambdarun.core.env.FunctionEnvironment;
import io.lambdarun.core.image.ImageResolver;
import io.lambdarun.core.internal.telemetry.Telemetry;
import io.lambdarun.core.model.CredentialsProvider;
import io.lambdarun.core.model.InvocationResult;
import io.lambdarun.core.model.InvokeOptions;
import io.lambdarun.core.model.LambdaFunction;
import io.lambdarun.core.model.ProvisionedConcurrency;
import io.lambdarun.core.model.ResponseStreamListener;
import io.lambdarun.core.pool.FunctionInvoker;
import io.lambdarun.core.pool.InstanceLauncher;
import io.lambdarun.core.pool.LaunchSpecFactory;
import io.lambdarun.core.pool.WarmPool;
import io.lambdarun.core.runtimeapi.RuntimeApiHost;
import io.lambdarun.core.telemetry.LambdaRuntimeListener;
import io.lambdarun.core.telemetry.LogSink;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

// Why this file is over 400 lines: about 240 of them are the Javadoc of the embedder's API, and
// Builder (about 220 lines, half of them Javadoc) stays nested because embedders name it
// LambdaRuntime.Builder. What is not API lives elsewhere: resolving the settings in
// RuntimeSettings, starting the backend in BackendStart, the pool and the invocation path in
// io.lambdarun.core.pool.

/**
 * Runs Lambda functions on one backend: the entry point for embedders.
 *
 * <pre>{@code
 * try (LambdaRuntime runtime = LambdaRuntime.builder().backend("local").build()) {
 *   LambdaFunction fn = LambdaFunction.builder().functionName("hello").runtime("python3.12")
 *       .handler("app.handler").code(Archive.ofFile(Path.of("hello.zip"))).build();
 *   InvocationResult result = runtime.invoke(fn, "{\"name\":\"world\"}".getBytes(UTF_8));
 * }
 * }</pre>
 *
 * <p>Instances stay warm per function version and are reused, one event at a time each. All methods
 * are thread-safe. {@link #close()} terminates everything this runtime launched; any other method
 * called afterwards throws {@link IllegalStateException}.
 */
public final class LambdaRuntime implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(LambdaRuntime.class);

  private final ContainerRuntime runtime;
  private final WarmPool pool;
  private final FunctionInvoker invoker;
  private final LaunchSpecFactory specs;
  private final ScheduledExecutorService reaper;
  private final ExecutorService prepullers;
  private final Optional<RuntimeApiHost> runtimeApiHost;
  private final Telemetry telemetry;
  private final AtomicBoolean closed = new AtomicBoolean();

  private LambdaRuntime(ContainerRuntime runtime, RuntimeSettings settings) {
    Clock clock = settings.clock();
    this.runtime = runtime;
    this.specs =
        new LaunchSpecFactory(
            runtime,
            settings.owner(),
            new FunctionEnvironment(settings.endpointUrl(), runtime.hostAccess()),
            settings.images(),
            settings.archiveLimits(),
            clock);
    this.runtimeApiHost =
        runtime.runtimeApiAccess().map(access -> RuntimeApiHost.start("lambdarun-runtime-api"));
    this.telemetry = new Telemetry(settings.logSinks(), settings.listeners(), clock);
    InstanceLauncher launcher =
        new InstanceLauncher(
            runtime,
            specs,
            settings.credentialsProvider(),
            runtimeApiHost,
            settings.initTimeout(),
            telemetry);
    this.pool = new WarmPool(settings.maxInstances(), settings.idleTimeout(), clock, launcher);
    this.invoker =
        new FunctionInvoker(runtime, pool, specs, settings.invokeGrace(), clock, telemetry);
    this.reaper = Executors.newSingleThreadScheduledExecutor(daemon("lambdarun-reaper"));
    long period = Math.max(1, Math.min(settings.idleTimeout().toMillis(), 30_000));
    reaper.scheduleWithFixedDelay(this::reap, period, period, TimeUnit.MILLISECONDS);
    this.prepullers = Executors.newCachedThreadPool(daemon("lambdarun-prepull"));
  }

  /**
   * Starts a builder.
   *
   * @return a builder with the defaults: automatic backend selection, {@link
   *     RuntimeConfig#fromSystem()}, 10 instances per function, 300 s idle timeout
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Invokes a function synchronously, like Lambda's {@code RequestResponse} invocation.
   *
   * @param function the function
   * @param payload the event, at most 6 MB
   * @return the result; a function error or timeout is a result, not an exception
   * @throws InvalidFunctionException if the payload is too large or the runtime has no image
   * @throws io.lambdarun.api.LaunchFailedException if no instance could be launched
   * @throws InstanceFailedException if an instance failed underneath the event
   * @throws IllegalStateException if this runtime is closed
   */
  public InvocationResult invoke(LambdaFunction function, byte[] payload) {
    return invoke(function, payload, InvokeOptions.DEFAULT);
  }

  /**
   * Invokes a function synchronously with options such as a log tail.
   *
   * @param function the function
   * @param payload the event, at most 6 MB
   * @param options the invocation options
   * @return the result
   * @throws IllegalStateException if this runtime is closed
   */
  public InvocationResult invoke(LambdaFunction function, byte[] payload, InvokeOptions options) {
    ensureOpen();
    return invoker.invoke(function, payload, options);
  }

  /**
   * Invokes a function synchronously and hands its response to {@code listener} as the function
   * writes it, as Lambda's InvokeWithResponseStream does: a runtime that streams its response
   * ({@code Lambda-Runtime-Function-Response-Mode: streaming}, up to 20 MiB) is passed on chunk by
   * chunk while the function runs; any other response is passed whole once the function ends. The
   * instance's lifecycle, the timeout and the error classification are those of {@link #invoke}.
   *
   * @param function the function
   * @param payload the event, at most 6 MB
   * @param options the invocation options
   * @param listener receives the request id, then the response's bytes, on the calling thread; an
   *     exception it throws drops the rest of the response, replaces the instance once the function
   *     has ended, and is rethrown
   * @return the result without a payload on success; on a function error (one posted in the
   *     stream's trailers included) the error document, which the listener does not receive
   * @throws IllegalStateException if this runtime is closed
   */
  public InvocationResult invokeStreaming(
      LambdaFunction function,
      byte[] payload,
      InvokeOptions options,
      ResponseStreamListener listener) {
    ensureOpen();
    return invoker.invokeStreaming(
        function, payload, options, Objects.requireNonNull(listener, "listener"));
  }

  /**
   * Tells the registered listeners that an invocation of the function was refused for lack of
   * concurrency, as an embedder that enforces reserved concurrency does (lambdarun's server answers
   * such calls 429 {@code TooManyRequestsException}); feeds the {@code Throttles} metric.
   *
   * @param function the function whose invocation was refused
   * @throws IllegalStateException if this runtime is closed
   */
  public void reportThrottle(LambdaFunction function) {
    ensureOpen();
    telemetry.throttled(function);
  }

  /**
   * Pulls the function's image in the background so the first invocation does not wait for it.
   *
   * @param function the function
   * @return completes when the image is available, exceptionally when it cannot be resolved or
   *     pulled
   * @throws IllegalStateException if this runtime is closed
   */
  public CompletableFuture<Void> prepare(LambdaFunction function) {
    ensureOpen();
    return CompletableFuture.runAsync(() -> runtime.prepull(specs.image(function)), prepullers);
  }

  /**
   * Provisions concurrency for a function version, as Lambda's PutProvisionedConcurrencyConfig
   * does: {@code count} instances are launched and initialised now, ahead of any invocation, and
   * kept while provisioned (the idle timeout spares them); one that ends, fails or times out is
   * replaced, and so are all of them when the version's configuration changes (provisioning it
   * again, or invoking it with a new configuration). Invocations find them warm; beyond them the
   * version scales on demand up to the cap as usual. Provisioning again changes the count; 0 is
   * {@link #deprovision}. A launch that fails is not retried until the version is provisioned
   * again; {@link #provisioned} reports it.
   *
   * @param function the function version
   * @param count how many instances, from 0 to the most instances per function
   * @return completes, with the provision's state, when the launches started now have ended
   * @throws io.lambdarun.api.InvalidFunctionException if the count is outside that range
   * @throws IllegalStateException if this runtime is closed
   */
  public CompletableFuture<ProvisionedConcurrency> provision(LambdaFunction function, int count) {
    ensureOpen();
    return pool.provision(function, specs.deployId(function), count);
  }

  /**
   * Ends a function version's provisioned concurrency; its instances then stay warm only as long as
   * the idle timeout allows.
   *
   * @param function the function version
   * @throws IllegalStateException if this runtime is closed
   */
  public void deprovision(LambdaFunction function) {
    ensureOpen();
    pool.provision(function, specs.deployId(function), 0);
  }

  /**
   * Returns where a function version's provisioned concurrency stands.
   *
   * @param function the function version
   * @return empty when the version is not provisioned
   * @throws IllegalStateException if this runtime is closed
   */
  public Optional<ProvisionedConcurrency> provisioned(LambdaFunction function) {
    ensureOpen();
    return pool.provisioned(function);
  }

  /**
   * Tears down every warm instance of a function, in every version; busy instances go when their
   * event is answered.
   *
   * @param functionName the function name
   * @return whether any instance was evicted
   * @throws IllegalStateException if this runtime is closed
   */
  public boolean evict(String functionName) {
    ensureOpen();
    return pool.evict(functionName);
  }

  /**
   * Tears down every warm instance; busy instances go when their event is answered.
   *
   * @throws IllegalStateException if this runtime is closed
   */
  public void stopAll() {
    ensureOpen();
    pool.stopAll(false);
  }

  /**
   * Lists the warm instances.
   *
   * @return one entry per instance
   * @throws IllegalStateException if this runtime is closed
   */
  public List<WarmInstance> warmInstances() {
    ensureOpen();
    return pool.list().stream()
        .map(
            snapshot ->
                new WarmInstance(
                    snapshot.function().functionName(),
                    snapshot.function().version(),
                    snapshot.function().runtime(),
                    runtime.name(),
                    snapshot.instance().id(),
                    snapshot.instance().details(),
                    snapshot.busy(),
                    snapshot.idle()))
        .toList();
  }

  /**
   * Returns the name of the backend in use.
   *
   * @return for example {@code docker}
   * @throws IllegalStateException if this runtime is closed
   */
  public String backendName() {
    ensureOpen();
    return runtime.name();
  }

  /** Terminates every instance this runtime launched and releases its threads. Idempotent. */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    reaper.shutdownNow();
    prepullers.shutdownNow();
    pool.close();
    telemetry.close();
    runtimeApiHost.ifPresent(RuntimeApiHost::close);
    try {
      runtime.close();
    } catch (RuntimeException e) {
      LOG.warn("closing backend '{}' failed", runtime.name(), e);
    }
  }

  private void reap() {
    try {
      pool.reapIdle();
      pool.maintainProvisioned(this::ended);
    } catch (RuntimeException e) {
      LOG.warn("reaping idle instances failed", e);
    }
  }

  private boolean ended(Instance instance) {
    try {
      return runtime.exitCode(instance).isPresent();
    } catch (RuntimeException e) {
      return false;
    }
  }

  private void ensureOpen() {
    if (closed.get()) {
      throw new IllegalStateException("this LambdaRuntime is closed; build a new one");
    }
  }

  private static ThreadFactory daemon(String name) {
    return task -> {
      Thread thread = new Thread(task, name);
      thread.setDaemon(true);
      return thread;
    };
  }

  /** Configures and builds a {@link LambdaRuntime}; values set here win over the config keys. */
  public static final class Builder {
    // what was set, null when unset; package-private for RuntimeSettings.resolve
    String backend;
    RuntimeConfig config = RuntimeConfig.fromSystem();
    final List<ContainerRuntimeProvider> providers = new ArrayList<>();
    Integer maxInstancesPerFunction;
    Duration idleTimeout;
    Duration invokeGrace;
    URI endpointUrl;
    String imageMappings;
    Integer ecrRegistryPort;
    CredentialsProvider credentialsProvider;
    ArchiveLimits archiveLimits = ArchiveLimits.AWS;
    Boolean sweepOrphansOnStart;
    Clock clock = Clock.systemUTC();
    final List<LogSink> logSinks = new ArrayList<>();
    final List<LambdaRuntimeListener> listeners = new ArrayList<>();

    private Builder() {}

    /**
     * Selects the backend by name instead of auto-selecting one.
     *
     * @param name the backend to use, e.g. {@code docker}; never falls back
     * @return this builder
     */
    public Builder backend(String name) {
      backend = name;
      return this;
    }

    /**
     * Sets the configuration for core and the backend.
     *
     * @param value the configuration for core and the backend
     * @return this builder
     */
    public Builder config(RuntimeConfig value) {
      config = Objects.requireNonNull(value, "config");
      return this;
    }

    /**
     * Adds a provider to try before the discovered ones.
     *
     * @param provider a provider tried before discovered ones
     * @return this builder
     */
    public Builder addProvider(ContainerRuntimeProvider provider) {
      providers.add(Objects.requireNonNull(provider, "provider"));
      return this;
    }

    /**
     * Adds providers to try before the discovered ones.
     *
     * @param values providers tried before discovered ones, added to those set
     * @return this builder
     */
    public Builder providers(List<? extends ContainerRuntimeProvider> values) {
      values.forEach(this::addProvider);
      return this;
    }

    /**
     * Sets the most warm instances per function version.
     *
     * @param value the most warm instances per function version, at least 1
     * @return this builder
     */
    public Builder maxInstancesPerFunction(int value) {
      maxInstancesPerFunction = value;
      return this;
    }

    /**
     * Sets the idle timeout.
     *
     * @param value how long a free instance stays warm
     * @return this builder
     */
    public Builder idleTimeout(Duration value) {
      idleTimeout = Objects.requireNonNull(value, "idleTimeout");
      return this;
    }

    /**
     * Sets the invoke grace.
     *
     * @param value added to a function's timeout before giving up on an instance
     * @return this builder
     */
    public Builder invokeGrace(Duration value) {
      invokeGrace = Objects.requireNonNull(value, "invokeGrace");
      return this;
    }

    /**
     * Sets the endpoint URL functions get as {@code AWS_ENDPOINT_URL}.
     *
     * @param value the emulator endpoint functions get as {@code AWS_ENDPOINT_URL}
     * @return this builder
     */
    public Builder endpointUrl(URI value) {
      endpointUrl = value;
      return this;
    }

    /**
     * Sets the image mappings.
     *
     * @param value runtime image overrides, see {@link ImageResolver}
     * @return this builder
     */
    public Builder imageMappings(String value) {
      imageMappings = value;
      return this;
    }

    /**
     * Sets the local registry port private ECR image URIs are rewritten to.
     *
     * @param value the local registry port private ECR URIs are rewritten to
     * @return this builder
     */
    public Builder ecrRegistryPort(int value) {
      ecrRegistryPort = value;
      return this;
    }

    /**
     * Sets the credentials provider.
     *
     * @param value issues execution-role credentials per instance
     * @return this builder
     */
    public Builder credentialsProvider(CredentialsProvider value) {
      credentialsProvider = value;
      return this;
    }

    /**
     * Sets the archive limits.
     *
     * @param value the bounds backends apply to archives
     * @return this builder
     */
    public Builder archiveLimits(ArchiveLimits value) {
      archiveLimits = Objects.requireNonNull(value, "archiveLimits");
      return this;
    }

    /**
     * Sets whether to sweep the instances of dead owners at start.
     *
     * @param value whether to sweep instances of dead owners at start
     * @return this builder
     */
    public Builder sweepOrphansOnStart(boolean value) {
      sweepOrphansOnStart = value;
      return this;
    }

    /**
     * Adds a sink that receives every log record of every function, named as Lambda names them.
     *
     * @param sink the sink, called on the threads that read instances' output
     * @return this builder
     */
    public Builder addLogSink(LogSink sink) {
      logSinks.add(Objects.requireNonNull(sink, "sink"));
      return this;
    }

    /**
     * Adds a listener of instance and invocation events.
     *
     * @param listener the listener; what it throws is logged and ignored
     * @return this builder
     */
    public Builder addListener(LambdaRuntimeListener listener) {
      listeners.add(Objects.requireNonNull(listener, "listener"));
      return this;
    }

    /**
     * Sets the clock.
     *
     * @param value the time source for idle times and credential expiry
     * @return this builder
     */
    public Builder clock(Clock value) {
      clock = Objects.requireNonNull(value, "clock");
      return this;
    }

    /**
     * Selects the backend, creates its runtime and sweeps orphans.
     *
     * @return the runtime; the caller closes it
     * @throws ConfigurationException if a setting is invalid
     * @throws RuntimeUnavailableException if the named backend is missing or unavailable
     * @throws NoRuntimeAvailableException if no backend can be chosen automatically
     */
    public LambdaRuntime build() {
      RuntimeSettings settings = RuntimeSettings.resolve(this);
      ContainerRuntime runtime = BackendStart.create(providers, config, settings);
      try {
        if (settings.sweepOrphans()) {
          BackendStart.sweep(runtime);
        }
        return new LambdaRuntime(runtime, settings);
      } catch (RuntimeException | Error e) {
        runtime.close();
        throw e;
      }
    }
  }
}
