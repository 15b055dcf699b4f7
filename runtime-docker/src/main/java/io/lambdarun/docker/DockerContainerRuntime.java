package io.lambdarun.docker;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.command.CreateContainerCmd;
import com.github.dockerjava.api.command.InspectContainerResponse;
import com.github.dockerjava.api.exception.ConflictException;
import com.github.dockerjava.api.exception.DockerException;
import com.github.dockerjava.api.exception.NotFoundException;
import com.github.dockerjava.api.model.ExposedPort;
import com.github.dockerjava.api.model.Ports;
import io.lambdarun.api.ContainerRuntime;
import io.lambdarun.api.HostAccess;
import io.lambdarun.api.Instance;
import io.lambdarun.api.LambdaRunException;
import io.lambdarun.api.LaunchFailedException;
import io.lambdarun.api.LaunchSpec;
import io.lambdarun.api.LogLineListener;
import io.lambdarun.api.Owner;
import io.lambdarun.api.ReadinessProbe;
import io.lambdarun.api.RuntimeApiAccess;
import io.lambdarun.api.RuntimeUnavailableException;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs instances as containers through the Docker Engine API: create from the spec's image with the
 * handler as command, copy code and layers in as one tar stream, start; in RIE-endpoint mode then
 * wait until the RIE endpoint published on the bind address answers HTTP, in Runtime API mode
 * return at once (core waits for the runtime client's first call).
 */
final class DockerContainerRuntime implements ContainerRuntime {

  private static final Logger LOG = LoggerFactory.getLogger(DockerContainerRuntime.class);
  private static final int FAILURE_LOG_LINES = 20;

  /** The exit status reported for a container that no longer exists: killed, as by removal. */
  private static final int KILLED = 137;

  /** Where a sandboxed container's code is staged to be mounted read-only. */
  private static final Path STAGING = Path.of(System.getProperty("java.io.tmpdir"));

  /** How much of a followed container's latest output {@link #logs} returns. */
  private static final int LOG_TAIL_BYTES = 64 * 1024;

  /** How long removal waits for the engine to end a followed container's log stream. */
  private static final Duration LOG_STREAM_GRACE = Duration.ofMillis(500);

  private final DockerClient docker;
  private final DockerSettings settings;
  private final HostAccess hostAccess;
  private final String endpointHost;
  private final Optional<RuntimeApiAccess> runtimeApiAccess;
  private final ContainerRequestFactory requests;
  private final ImagePuller images;
  private final ContainerLogs logs;
  private final OrphanSweeper sweeper;
  private final ContainerExits exits;
  private final CgroupMemory memory;
  private final Map<String, ContainerLogStream> logStreams = new ConcurrentHashMap<>();
  private final Set<String> launched = ConcurrentHashMap.newKeySet();
  private final Map<String, StagedCode> stagedCode = new ConcurrentHashMap<>();
  private final Owner owner;
  private final AtomicBoolean closed = new AtomicBoolean();

  DockerContainerRuntime(DockerClient docker, DockerSettings settings, Engine engine, Owner owner) {
    this.docker = docker;
    this.settings = settings;
    this.owner = owner;
    HostNetworking networking = HostNetworking.of(settings, engine, isLinux());
    this.hostAccess = networking.hostAccess();
    this.endpointHost = networking.endpointHost();
    this.requests =
        new ContainerRequestFactory(
            settings.bindAddress(), networking.extraHosts(), settings.hostNetwork());
    this.runtimeApiAccess =
        networking.runtimeApiAccess(
            settings, engine.podman(), bridgeGateway(docker, settings, engine));
    this.images = new ImagePuller(docker, settings.apiTimeout());
    this.logs = new ContainerLogs(docker, settings.apiTimeout());
    this.sweeper = new OrphanSweeper(docker, owner, this::remove);
    this.exits = new ContainerExits(docker, owner, KILLED);
    if (settings.sandbox().enabled() && !settings.sandbox().mountsCode()) {
      LOG.warn(
          "the engine at {} may not see this machine's files, so code is copied into each"
              + " container and its root file system stays writable; the rest of Lambda's sandbox"
              + " applies",
          settings.host());
    }
    this.memory =
        new CgroupMemory(Path.of("/sys/fs/cgroup"), "unix".equals(settings.host().getScheme()));
    LOG.debug(
        "docker runtime on {} {} at {}: {}",
        engine.product(),
        engine.version(),
        settings.host(),
        networking);
  }

  @Override
  public String name() {
    return DockerRuntimeProvider.NAME;
  }

  @Override
  public HostAccess hostAccess() {
    return hostAccess;
  }

  @Override
  public Optional<RuntimeApiAccess> runtimeApiAccess() {
    return runtimeApiAccess;
  }

  /**
   * The container's exit code once it has stopped; 137 (killed) once it no longer exists; empty
   * while it runs, before it starts, or when the engine cannot be asked. Answered without an engine
   * call from the container events while their stream is open, else from one inspect.
   */
  @Override
  public OptionalInt exitCode(Instance instance) {
    OptionalInt recorded = exits.recorded(instance.id());
    if (recorded.isPresent() || exits.answersFor(instance.id())) {
      return recorded;
    }
    InspectContainerResponse.ContainerState state;
    try {
      state = docker.inspectContainerCmd(instance.id()).exec().getState();
    } catch (NotFoundException e) {
      return OptionalInt.of(KILLED);
    } catch (RuntimeException e) {
      LOG.debug("could not inspect container {}: {}", shortId(instance.id()), message(e));
      return OptionalInt.empty();
    }
    if (state == null
        || Boolean.TRUE.equals(state.getRunning())
        || "created".equals(state.getStatus())
        || state.getExitCodeLong() == null) {
      return OptionalInt.empty();
    }
    return OptionalInt.of(state.getExitCodeLong().intValue());
  }

  @Override
  public Instance launch(LaunchSpec spec) {
    checkOpen();
    if (!spec.usesRuntimeApi() && settings.hostNetwork()) {
      throw new LaunchFailedException(
          spec.functionName(),
          "function '"
              + spec.functionName()
              + "' asks for RIE-endpoint mode, whose port host"
              + " network mode cannot publish; set '"
              + DockerConfigKeys.NETWORK
              + "' to 'bridge'"
              + " or launch it in Runtime API mode");
    }
    Stopwatch watch = new Stopwatch();
    images.ensure(spec.image(), Optional.of(spec.architecture().platform()), spec.functionName());
    boolean mountsCode = settings.sandbox().mountsCode() && TarStreams.hasFiles(spec);
    Optional<StagedCode> staged = mountsCode ? Optional.of(stage(spec)) : Optional.empty();
    Optional<Path> files =
        !mountsCode && TarStreams.hasFiles(spec) ? Optional.of(writeFiles(spec)) : Optional.empty();
    watch.lap("image and files");
    try {
      ContainerRequest request = requests.create(spec);
      Optional<ContainerExits.Subscription> events =
          spec.usesRuntimeApi() ? Optional.of(exits.subscribe()) : Optional.empty();
      LOG.debug("creating container for function '{}': {}", spec.functionName(), request);
      String id = create(spec, request, staged, files.isPresent());
      events.ifPresent(subscription -> exits.watch(id, subscription));
      watch.lap("create");
      try {
        if (closed.get()) {
          throw new IllegalStateException("the docker runtime was closed during a launch");
        }
        if (files.isPresent()) {
          copy(id, files.get());
          watch.lap("copy");
        }
        docker.startContainerCmd(id).exec();
        watch.lap("start");
        Map<String, String> details = new LinkedHashMap<>();
        details.put("containerId", id);
        details.put("image", spec.image());
        if (spec.usesRuntimeApi()) {
          details.put("runtimeApi", spec.runtimeApi().orElseThrow());
          LOG.info(
              "launched container {} for function '{}' against the Runtime API at {} in {}",
              shortId(id),
              spec.functionName(),
              spec.runtimeApi().orElseThrow(),
              watch);
          return new Instance(id, Optional.empty(), details);
        }
        int port = awaitEndpoint(spec, id);
        watch.lap("ready");
        URI endpoint = URI.create("http://" + uriHost(endpointHost) + ":" + port);
        LOG.info(
            "launched container {} for function '{}' at {} in {}",
            shortId(id),
            spec.functionName(),
            endpoint,
            watch);
        return new Instance(id, Optional.of(endpoint), details);
      } catch (LambdaRunException | IllegalStateException e) {
        remove(id);
        throw e;
      } catch (RuntimeException e) {
        remove(id);
        throw new LaunchFailedException(
            spec.functionName(),
            "function '"
                + spec.functionName()
                + "' could not start in container '"
                + shortId(id)
                + "' ("
                + message(e)
                + "); check the image '"
                + spec.image()
                + "' and the engine",
            e);
      }
    } finally {
      files.ifPresent(DockerContainerRuntime::deleteQuietly);
      staged.filter(code -> !stagedCode.containsValue(code)).ifPresent(StagedCode::delete);
    }
  }

  @Override
  public void terminate(Instance instance) {
    checkOpen();
    remove(instance.id());
  }

  /** Answers from the followed lines when the container is followed, else asks the engine. */
  @Override
  public String logs(Instance instance, Instant since) {
    checkOpen();
    ContainerLogStream followed = logStreams.get(instance.id());
    if (followed != null) {
      return followed.since(since);
    }
    try {
      return logs.since(instance.id(), since);
    } catch (NotFoundException e) {
      return "";
    } catch (RuntimeException e) {
      LOG.warn("could not read the logs of container {}: {}", shortId(instance.id()), message(e));
      return "";
    }
  }

  /**
   * Opens one {@link ContainerLogStream} for the container, from its first line; removing the
   * container ends it.
   */
  @Override
  public boolean followLogs(Instance instance, LogLineListener listener) {
    checkOpen();
    String id = instance.id();
    if (!launched.contains(id) || logStreams.containsKey(id)) {
      return false;
    }
    ContainerLogStream stream;
    try {
      stream = ContainerLogStream.open(docker, id, listener, LOG_TAIL_BYTES);
    } catch (RuntimeException e) {
      LOG.warn(
          "cannot follow the log of container {} ({}); its logs are read on demand",
          shortId(id),
          message(e));
      return false;
    }
    if (logStreams.putIfAbsent(id, stream) != null || !launched.contains(id)) {
      logStreams.remove(id, stream);
      stream.close(Duration.ZERO);
      return false;
    }
    return true;
  }

  /**
   * The container's cgroup memory peak when the engine runs on this machine (see {@link
   * CgroupMemory}); empty otherwise.
   */
  @Override
  public OptionalLong maxMemoryUsedBytes(Instance instance) {
    return memory.peak(instance.id());
  }

  @Override
  public int sweepOrphans() {
    checkOpen();
    try {
      int folders = StagedCode.sweep(STAGING);
      if (folders > 0) {
        LOG.info("deleted {} staged code folders of dead owners in {}", folders, STAGING);
      }
      return sweeper.sweep();
    } catch (DockerException e) {
      throw new RuntimeUnavailableException(
          "the engine at '"
              + settings.host()
              + "' could not list lambdarun's containers ("
              + message(e)
              + "); check that it is running",
          e);
    }
  }

  @Override
  public void prepull(String image) {
    checkOpen();
    images.ensure(image, Optional.empty(), "");
  }

  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    exits.close();
    List.copyOf(launched).parallelStream().forEach(this::remove);
    try {
      docker.close();
    } catch (IOException | RuntimeException e) {
      LOG.debug("closing the docker client failed: {}", message(e));
    }
  }

  private static Optional<String> bridgeGateway(
      DockerClient docker, DockerSettings settings, Engine engine) {
    if (settings.rieOnly() || settings.hostNetwork()) {
      return Optional.empty();
    }
    BridgeGateway.Lookup gateway = BridgeGateway.find(docker, engine);
    if (gateway.address().isEmpty()) {
      LOG.warn(
          "instances run in RIE-endpoint mode only: {}; set '{}' to 'host' to run them in"
              + " Runtime API mode on loopback",
          gateway.whyNot(),
          DockerConfigKeys.NETWORK);
    }
    return gateway.address();
  }

  private String create(
      LaunchSpec spec, ContainerRequest request, Optional<StagedCode> staged, boolean copied) {
    try {
      CreateContainerCmd create = request.applyTo(docker.createContainerCmd(request.image()));
      settings.sandbox().applyTo(create, staged.map(StagedCode::mounts).orElse(List.of()), copied);
      String id = create.exec().getId();
      launched.add(id);
      staged.ifPresent(code -> stagedCode.put(id, code));
      return id;
    } catch (DockerException e) {
      throw new LaunchFailedException(
          spec.functionName(),
          "the engine refused to create a container from image '"
              + spec.image()
              + "' for function '"
              + spec.functionName()
              + "' ("
              + message(e)
              + "); check the"
              + " image, its platform '"
              + request.platform()
              + "' and the memory and /tmp sizes"
              + (staged.isPresent()
                  ? ", and that the engine sees '"
                      + staged.get()
                      + "' (if it runs elsewhere, set '"
                      + DockerConfigKeys.IN_CONTAINER
                      + "' to 'true' to copy the code instead)"
                  : ""),
          e);
    }
  }

  private StagedCode stage(LaunchSpec spec) {
    try {
      return StagedCode.stage(spec, STAGING, owner);
    } catch (UncheckedIOException e) {
      throw new LaunchFailedException(
          spec.functionName(),
          "the code of function '"
              + spec.functionName()
              + "' could not be staged in '"
              + STAGING
              + "' ("
              + message(e.getCause())
              + "); check the space and permissions of the"
              + " temporary folder",
          e);
    }
  }

  private Path writeFiles(LaunchSpec spec) {
    Path tar = null;
    try {
      tar = Files.createTempFile("lambdarun-" + spec.functionName() + "-", ".tar");
      try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(tar))) {
        TarStreams.write(spec, out);
      }
      return tar;
    } catch (IOException e) {
      if (tar != null) {
        deleteQuietly(tar);
      }
      throw new LaunchFailedException(
          spec.functionName(),
          "the code of function '"
              + spec.functionName()
              + "' could not be staged in '"
              + (tar == null ? System.getProperty("java.io.tmpdir") : tar)
              + "' ("
              + message(e)
              + "); check the space and permissions of the temporary folder",
          e);
    } catch (RuntimeException e) {
      if (tar != null) {
        deleteQuietly(tar);
      }
      throw e;
    }
  }

  private void copy(String id, Path tar) {
    try (InputStream in = new BufferedInputStream(Files.newInputStream(tar))) {
      docker.copyArchiveToContainerCmd(id).withRemotePath("/").withTarInputStream(in).exec();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the staged code '" + tar + "'", e);
    }
  }

  /** Finds the published port, then waits until the endpoint answers or the container dies. */
  private int awaitEndpoint(LaunchSpec spec, String id) {
    InspectContainerResponse inspected = docker.inspectContainerCmd(id).exec();
    Optional<String> death = deathOf(inspected);
    if (death.isPresent()) {
      throw launchFailure(spec, id, death.get() + " right after start");
    }
    int port =
        publishedPort(inspected)
            .orElseThrow(
                () ->
                    launchFailure(
                        spec,
                        id,
                        "has no host port published for " + ContainerRequestFactory.RIE_PORT));
    switch (ReadinessProbe.await(
        endpointHost, port, settings.readinessTimeout(), () -> deathOf(id))) {
      case READY:
        return port;
      case DIED:
        throw launchFailure(
            spec, id, deathOf(id).orElse("stopped") + " before its endpoint answered");
      case INTERRUPTED:
        throw launchFailure(spec, id, "was abandoned: the launching thread was interrupted");
      default:
        throw launchFailure(
            spec,
            id,
            "did not answer HTTP on "
                + endpointHost
                + ":"
                + port
                + " within "
                + settings.readinessTimeout().toMillis()
                + " ms (raise "
                + DockerConfigKeys.READINESS_TIMEOUT
                + " if the image starts slowly)");
    }
  }

  private LaunchFailedException launchFailure(LaunchSpec spec, String id, String what) {
    String tail;
    try {
      tail = logs.tail(id, FAILURE_LOG_LINES).strip();
    } catch (RuntimeException e) {
      tail = "";
    }
    return new LaunchFailedException(
        spec.functionName(),
        "function '"
            + spec.functionName()
            + "' did not start: container '"
            + shortId(id)
            + "' of"
            + " image '"
            + spec.image()
            + "' "
            + what
            + "; check the image's entry point and the"
            + " handler '"
            + spec.handler()
            + "'"
            + (tail.isEmpty() ? "" : ". Last log lines:\n" + tail));
  }

  private Optional<String> deathOf(String id) {
    try {
      return deathOf(docker.inspectContainerCmd(id).exec());
    } catch (NotFoundException e) {
      return Optional.of("was removed");
    } catch (RuntimeException e) {
      return Optional.empty();
    }
  }

  private static Optional<String> deathOf(InspectContainerResponse inspected) {
    InspectContainerResponse.ContainerState state = inspected.getState();
    if (state == null || Boolean.TRUE.equals(state.getRunning())) {
      return Optional.empty();
    }
    Long exitCode = state.getExitCodeLong();
    String error = state.getError();
    return Optional.of(
        "exited with code "
            + exitCode
            + (error == null || error.isBlank() ? "" : " (" + error + ")"));
  }

  private static Optional<Integer> publishedPort(InspectContainerResponse inspected) {
    if (inspected.getNetworkSettings() == null
        || inspected.getNetworkSettings().getPorts() == null) {
      return Optional.empty();
    }
    Ports.Binding[] bindings =
        inspected
            .getNetworkSettings()
            .getPorts()
            .getBindings()
            .get(ExposedPort.tcp(ContainerRequestFactory.RIE_PORT));
    if (bindings == null) {
      return Optional.empty();
    }
    for (Ports.Binding binding : bindings) {
      String spec = binding.getHostPortSpec();
      if (spec != null && spec.matches("\\d+")) {
        return Optional.of(Integer.parseInt(spec));
      }
    }
    return Optional.empty();
  }

  /** Removes a container; tells whether this call removed it. Never throws. */
  private boolean remove(String id) {
    exits.forget(id);
    StagedCode code = stagedCode.remove(id);
    ContainerLogStream stream = logStreams.remove(id);
    if (stream != null) {
      stream.ending();
    }
    try {
      docker.removeContainerCmd(id).withForce(true).withRemoveVolumes(true).exec();
      return true;
    } catch (NotFoundException | ConflictException e) {
      return false; // already gone, or its removal is already in progress
    } catch (RuntimeException e) {
      LOG.warn("could not remove container {}: {}", shortId(id), message(e));
      return false;
    } finally {
      launched.remove(id);
      memory.forget(id);
      if (stream != null) {
        stream.close(LOG_STREAM_GRACE);
      }
      if (code != null) {
        code.delete();
      }
    }
  }

  private void checkOpen() {
    if (closed.get()) {
      throw new IllegalStateException("this docker runtime is closed; create a new one");
    }
  }

  private static String uriHost(String host) {
    return host.contains(":") ? "[" + host + "]" : host;
  }

  private static String shortId(String id) {
    return id.length() > 12 ? id.substring(0, 12) : id;
  }

  private static String message(Throwable e) {
    String message = e.getMessage();
    return message == null ? e.getClass().getSimpleName() : message.strip();
  }

  private static boolean isLinux() {
    return System.getProperty("os.name", "").toLowerCase(Locale.ROOT).contains("linux");
  }

  /** Times the phases of a launch for the log line. */
  private static final class Stopwatch {
    private final long started = System.nanoTime();
    private long last = started;
    private final StringBuilder laps = new StringBuilder();

    void lap(String phase) {
      long now = System.nanoTime();
      laps.append(laps.length() == 0 ? "" : ", ")
          .append(phase)
          .append(' ')
          .append((now - last) / 1_000_000)
          .append(" ms");
      last = now;
    }

    @Override
    public String toString() {
      return (last - started) / 1_000_000 + " ms (" + laps + ")";
    }
  }

  private static void deleteQuietly(Path file) {
    try {
      Files.deleteIfExists(file);
    } catch (IOException e) {
      LOG.debug("could not delete {}: {}", file, e.getMessage());
    }
  }
}
