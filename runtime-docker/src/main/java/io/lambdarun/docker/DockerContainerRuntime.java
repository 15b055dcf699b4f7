package io.lambdarun.docker;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.command.InspectContainerResponse;
import com.github.dockerjava.api.exception.DockerException;
import com.github.dockerjava.api.exception.NotFoundException;
import io.lambdarun.api.ContainerRuntime;
import io.lambdarun.api.HostAccess;
import io.lambdarun.api.Instance;
import io.lambdarun.api.LambdaRunException;
import io.lambdarun.api.LaunchFailedException;
import io.lambdarun.api.LaunchSpec;
import io.lambdarun.api.LogLineListener;
import io.lambdarun.api.Owner;
import io.lambdarun.api.RuntimeApiAccess;
import io.lambdarun.api.RuntimeUnavailableException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
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

  /** The exit status reported for a container that no longer exists: killed, as by removal. */
  private static final int KILLED = 137;

  /** Where a sandboxed container's code is staged to be mounted read-only. */
  private static final Path STAGING = Path.of(System.getProperty("java.io.tmpdir"));

  private final DockerClient docker;
  private final DockerSettings settings;
  private final HostAccess hostAccess;
  private final Optional<RuntimeApiAccess> runtimeApiAccess;
  private final ContainerRequestFactory requests;
  private final ImagePuller images;
  private final ContainerLogs logs;
  private final EndpointReadiness readiness;
  private final OrphanSweeper sweeper;
  private final ContainerExits exits;
  private final CgroupMemory memory;
  private final LaunchedContainers containers;
  private final Owner owner;
  private final AtomicBoolean closed = new AtomicBoolean();

  DockerContainerRuntime(DockerClient docker, DockerSettings settings, Engine engine, Owner owner) {
    this.docker = docker;
    this.settings = settings;
    this.owner = owner;
    HostNetworking networking = HostNetworking.of(settings, engine, isLinux());
    this.hostAccess = networking.hostAccess();
    this.requests =
        new ContainerRequestFactory(
            settings.bindAddress(), networking.extraHosts(), settings.hostNetwork());
    this.runtimeApiAccess =
        networking.runtimeApiAccess(
            settings, engine.podman(), BridgeGateway.forRuntimeApi(docker, settings, engine));
    this.images = new ImagePuller(docker, settings.apiTimeout());
    this.logs = new ContainerLogs(docker, settings.apiTimeout());
    this.readiness =
        new EndpointReadiness(docker, logs, networking.endpointHost(), settings.readinessTimeout());
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
    this.containers = new LaunchedContainers(docker, settings.sandbox(), exits, memory);
    this.sweeper = new OrphanSweeper(docker, owner, containers::remove);
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
      LOG.debug(
          "could not inspect container {}: {}", Messages.shortId(instance.id()), Messages.of(e));
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
    LaunchStopwatch watch = new LaunchStopwatch();
    images.ensure(spec.image(), Optional.of(spec.architecture().platform()), spec.functionName());
    boolean mountsCode = settings.sandbox().mountsCode() && TarStreams.hasFiles(spec);
    Optional<StagedCode> staged = mountsCode ? Optional.of(stage(spec)) : Optional.empty();
    Optional<CopiedCode> copied =
        !mountsCode && TarStreams.hasFiles(spec)
            ? Optional.of(CopiedCode.write(spec))
            : Optional.empty();
    watch.lap("image and files");
    try {
      ContainerRequest request = requests.create(spec);
      Optional<ContainerExits.Subscription> events =
          spec.usesRuntimeApi() ? Optional.of(exits.subscribe()) : Optional.empty();
      LOG.debug("creating container for function '{}': {}", spec.functionName(), request);
      String id = containers.create(spec, request, staged, copied.isPresent());
      events.ifPresent(subscription -> exits.watch(id, subscription));
      watch.lap("create");
      try {
        if (closed.get()) {
          throw new IllegalStateException("the docker runtime was closed during a launch");
        }
        if (copied.isPresent()) {
          copied.get().copyInto(docker, id);
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
              Messages.shortId(id),
              spec.functionName(),
              spec.runtimeApi().orElseThrow(),
              watch);
          return new Instance(id, Optional.empty(), details);
        }
        URI endpoint = readiness.await(spec, id);
        watch.lap("ready");
        LOG.info(
            "launched container {} for function '{}' at {} in {}",
            Messages.shortId(id),
            spec.functionName(),
            endpoint,
            watch);
        return new Instance(id, Optional.of(endpoint), details);
      } catch (LambdaRunException | IllegalStateException e) {
        containers.remove(id);
        throw e;
      } catch (RuntimeException e) {
        containers.remove(id);
        throw new LaunchFailedException(
            spec.functionName(),
            "function '"
                + spec.functionName()
                + "' could not start in container '"
                + Messages.shortId(id)
                + "' ("
                + Messages.of(e)
                + "); check the image '"
                + spec.image()
                + "' and the engine",
            e);
      }
    } finally {
      copied.ifPresent(CopiedCode::delete);
      staged.filter(code -> !containers.mounts(code)).ifPresent(StagedCode::delete);
    }
  }

  @Override
  public void terminate(Instance instance) {
    checkOpen();
    containers.remove(instance.id());
  }

  /** Answers from the followed lines when the container is followed, else asks the engine. */
  @Override
  public String logs(Instance instance, Instant since) {
    checkOpen();
    Optional<String> followed = containers.followedSince(instance.id(), since);
    if (followed.isPresent()) {
      return followed.get();
    }
    try {
      return logs.since(instance.id(), since);
    } catch (NotFoundException e) {
      return "";
    } catch (RuntimeException e) {
      LOG.warn(
          "could not read the logs of container {}: {}",
          Messages.shortId(instance.id()),
          Messages.of(e));
      return "";
    }
  }

  /** Opens one log stream for the container (see {@link LaunchedContainers#follow}). */
  @Override
  public boolean followLogs(Instance instance, LogLineListener listener) {
    checkOpen();
    return containers.follow(instance.id(), listener);
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
              + Messages.of(e)
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
    containers.ids().parallelStream().forEach(containers::remove);
    try {
      docker.close();
    } catch (IOException | RuntimeException e) {
      LOG.debug("closing the docker client failed: {}", Messages.of(e));
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
              + Messages.of(e.getCause())
              + "); check the space and permissions of the"
              + " temporary folder",
          e);
    }
  }

  private void checkOpen() {
    if (closed.get()) {
      throw new IllegalStateException("this docker runtime is closed; create a new one");
    }
  }

  private static boolean isLinux() {
    return System.getProperty("os.name", "").toLowerCase(Locale.ROOT).contains("linux");
  }
}
