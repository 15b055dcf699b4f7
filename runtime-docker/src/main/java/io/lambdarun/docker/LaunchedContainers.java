package io.lambdarun.docker;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.command.CreateContainerCmd;
import com.github.dockerjava.api.exception.ConflictException;
import com.github.dockerjava.api.exception.DockerException;
import com.github.dockerjava.api.exception.NotFoundException;
import io.lambdarun.api.LaunchFailedException;
import io.lambdarun.api.LaunchSpec;
import io.lambdarun.api.LogLineListener;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The containers a runtime created and has not removed, with the staged code and log stream of
 * each.
 */
final class LaunchedContainers {

  private static final Logger LOG = LoggerFactory.getLogger(LaunchedContainers.class);

  /** How much of a followed container's latest output {@link #followedSince} returns. */
  private static final int LOG_TAIL_BYTES = 64 * 1024;

  /** How long removal waits for the engine to end a followed container's log stream. */
  private static final Duration LOG_STREAM_GRACE = Duration.ofMillis(500);

  private final DockerClient docker;
  private final SandboxSettings sandbox;
  private final ContainerExits exits;
  private final CgroupMemory memory;
  private final Set<String> launched = ConcurrentHashMap.newKeySet();
  private final Map<String, StagedCode> stagedCode = new ConcurrentHashMap<>();
  private final Map<String, ContainerLogStream> logStreams = new ConcurrentHashMap<>();

  /**
   * Creates the empty set.
   *
   * @param docker the engine
   * @param sandbox the sandbox every container is created with
   * @param exits forgets a container's exit when it is removed
   * @param memory forgets a container's memory peak when it is removed
   */
  LaunchedContainers(
      DockerClient docker, SandboxSettings sandbox, ContainerExits exits, CgroupMemory memory) {
    this.docker = docker;
    this.sandbox = sandbox;
    this.exits = exits;
    this.memory = memory;
  }

  /**
   * Creates a container with the sandbox and keeps it, with its staged code, until it is removed.
   *
   * @param spec the launch spec
   * @param request the create settings built from it
   * @param staged the code to mount read-only, if staged
   * @param copied whether the code is copied into the container before it starts
   * @return the container's id
   * @throws LaunchFailedException if the engine refuses the create
   */
  String create(
      LaunchSpec spec, ContainerRequest request, Optional<StagedCode> staged, boolean copied) {
    try {
      CreateContainerCmd create = request.applyTo(docker.createContainerCmd(request.image()));
      sandbox.applyTo(create, staged.map(StagedCode::mounts).orElse(List.of()), copied);
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
              + Messages.of(e)
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

  /** Tells whether a kept container mounts {@code code}, which is then deleted with it. */
  boolean mounts(StagedCode code) {
    return stagedCode.containsValue(code);
  }

  /** Returns the kept containers. */
  List<String> ids() {
    return List.copyOf(launched);
  }

  /**
   * Opens one {@link ContainerLogStream} for a kept container, from its first line; removing the
   * container ends it.
   *
   * @return false when the container is not kept, is followed already, or its log cannot be opened
   */
  boolean follow(String id, LogLineListener listener) {
    if (!launched.contains(id) || logStreams.containsKey(id)) {
      return false;
    }
    ContainerLogStream stream;
    try {
      stream = ContainerLogStream.open(docker, id, listener, LOG_TAIL_BYTES);
    } catch (RuntimeException e) {
      LOG.warn(
          "cannot follow the log of container {} ({}); its logs are read on demand",
          Messages.shortId(id),
          Messages.of(e));
      return false;
    }
    if (logStreams.putIfAbsent(id, stream) != null || !launched.contains(id)) {
      logStreams.remove(id, stream);
      stream.close(Duration.ZERO);
      return false;
    }
    return true;
  }

  /** Returns a followed container's lines since a time; empty when it is not followed. */
  Optional<String> followedSince(String id, Instant since) {
    ContainerLogStream followed = logStreams.get(id);
    return followed == null ? Optional.empty() : Optional.of(followed.since(since));
  }

  /** Removes a container and what it held; tells whether this call removed it. Never throws. */
  boolean remove(String id) {
    // first: a follow racing this call either finds the container no longer launched or has
    // registered its stream, which is taken below
    launched.remove(id);
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
      LOG.warn("could not remove container {}: {}", Messages.shortId(id), Messages.of(e));
      return false;
    } finally {
      memory.forget(id);
      if (stream != null) {
        stream.close(LOG_STREAM_GRACE);
      }
      if (code != null) {
        code.delete();
      }
    }
  }
}
