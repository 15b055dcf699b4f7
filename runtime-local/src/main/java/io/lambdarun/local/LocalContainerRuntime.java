package io.lambdarun.local;

import io.lambdarun.api.ContainerRuntime;
import io.lambdarun.api.ExtractedFolder;
import io.lambdarun.api.HostAccess;
import io.lambdarun.api.Instance;
import io.lambdarun.api.Labels;
import io.lambdarun.api.LaunchFailedException;
import io.lambdarun.api.LaunchSpec;
import io.lambdarun.api.LogLineListener;
import io.lambdarun.api.Owner;
import io.lambdarun.api.RuntimeApiAccess;
import io.lambdarun.api.RuntimeUnavailableException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs each instance as a local process in Runtime API mode: the process's runtime client calls the
 * Lambda Runtime API that core hosts on 127.0.0.1 ({@link RuntimeApiAccess#loopback()}). The
 * backend starts and stops processes and says when one exited; it keeps no thread per instance
 * (followed output is read by one {@link OutputFollower} thread for all instances).
 */
final class LocalContainerRuntime implements ContainerRuntime {

  private static final Logger LOG = LoggerFactory.getLogger(LocalContainerRuntime.class);
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final long ROTATE_BYTES = 1024 * 1024;

  private final LocalSettings settings;
  private final Owner owner;
  private final Path ownerDir;
  private final Path runtimeDir;
  private final InterpreterCache interpreters;
  private final ProcessLimits limits = ProcessLimits.detect();
  private final LaunchedInstances instances;
  private final OrphanSweeper sweeper;
  private final OutputFollower follower;
  private volatile boolean closed;

  LocalContainerRuntime(LocalSettings settings, Owner owner) {
    this.settings = settings;
    this.owner = owner;
    this.ownerDir = settings.workDir().resolve(owner.id());
    this.runtimeDir = ownerDir.resolve("runtime");
    this.interpreters = new InterpreterCache(settings.config(), runtimeDir);
    this.instances = new LaunchedInstances(owner, limits, settings.stopGrace());
    this.sweeper = new OrphanSweeper(owner, settings.workDir(), limits);
    this.follower = new OutputFollower(settings.logTailBytes(), ROTATE_BYTES);
    try {
      Files.createDirectories(runtimeDir);
      sweeper.writeOwnerFile();
      copyResource(ProcessLauncher.PYTHON_CLIENT);
      copyResource(ProcessLauncher.NODE_CLIENT);
    } catch (IOException | UncheckedIOException e) {
      ExtractedFolder.delete(ownerDir);
      throw new RuntimeUnavailableException(
          "the local backend cannot write to its work folder '"
              + ownerDir
              + "' ("
              + e.getMessage()
              + "); set "
              + LocalConfigKeys.WORK_DIR
              + " to a writable folder",
          e);
    }
    LOG.debug(
        "runtime processes get at most {} open files and {}",
        ProcessLimits.LAMBDA_LIMIT,
        limits
            .groups()
            .map(
                folder ->
                    ProcessLimits.LAMBDA_LIMIT
                        + " processes (pids control"
                        + " groups in "
                        + folder
                        + ")")
            .orElse("no process limit (no writable pids control" + " group)"));
  }

  @Override
  public String name() {
    return LocalRuntimeProvider.NAME;
  }

  @Override
  public HostAccess hostAccess() {
    return HostAccess.loopback();
  }

  @Override
  public Optional<RuntimeApiAccess> runtimeApiAccess() {
    return Optional.of(RuntimeApiAccess.loopback());
  }

  @Override
  public Instance launch(LaunchSpec spec) {
    ensureOpen();
    String runtimeApi =
        spec.runtimeApi()
            .orElseThrow(
                () ->
                    new LaunchFailedException(
                        spec.functionName(),
                        "the local backend runs function '"
                            + spec.functionName()
                            + "' in Runtime"
                            + " API mode only and its spec has no Runtime API address; launch it"
                            + " through lambdarun's core, which hosts the Runtime API"));
    RuntimeKind kind = RuntimeKind.of(spec);
    Interpreter interpreter =
        kind == RuntimeKind.PYTHON || kind == RuntimeKind.NODE
            ? interpreters.interpreter(kind, spec)
            : null;
    JavaLauncher java = kind == RuntimeKind.JAVA ? interpreters.javaLauncher(spec) : null;
    String id = newInstanceId(spec.functionName());
    try {
      InstanceFiles files = InstanceFiles.create(ownerDir.resolve(id), spec);
      OutputLog log = new OutputLog(files.output(), settings.logTailBytes(), ROTATE_BYTES);
      ProcessLauncher launcher =
          ProcessLauncher.prepare(
              spec, kind, interpreter, java, files, runtimeDir, runtimeApi, owner, id);
      RuntimeProcess process = launcher.start(limits.create(owner, id));
      instances.add(id, new LocalInstance(process, files, log, new PeakMemory()));
      if (closed) {
        throw new IllegalStateException("the local runtime was closed during the launch");
      }
      Map<String, String> details = new LinkedHashMap<>();
      details.put("pid", Long.toString(process.pid()));
      details.put("runtime", spec.runtime());
      if (interpreter != null) {
        details.put("interpreter", interpreter.describe());
      }
      if (java != null) {
        details.put("interpreter", java.jdk().describe());
      }
      details.put("directory", files.root().toString());
      return new Instance(id, Optional.empty(), details);
    } catch (IOException | UncheckedIOException e) {
      instances.discard(id, ownerDir.resolve(id));
      throw new LaunchFailedException(
          spec.functionName(),
          "cannot start function '"
              + spec.functionName()
              + "' ("
              + e.getMessage()
              + "); check"
              + " that the work folder '"
              + ownerDir
              + "' is writable and the runtime can run",
          e);
    } catch (RuntimeException e) {
      instances.discard(id, ownerDir.resolve(id));
      throw e;
    }
  }

  /**
   * Answers from the process's status file; also cuts back a flood of output, since core asks while
   * an instance starts or serves an event.
   */
  @Override
  public OptionalInt exitCode(Instance instance) {
    LocalInstance local = instances.get(instance.id());
    if (local == null) {
      return OptionalInt.empty();
    }
    if (!follower.follows(instance.id())) {
      local.log().mark();
    }
    return local.process().isRunning()
        ? OptionalInt.empty()
        : OptionalInt.of(local.process().exitStatus());
  }

  @Override
  public void terminate(Instance instance) {
    ensureOpen();
    if (instances.stop(instance.id())) {
      follower.end(instance.id());
    }
  }

  /** Answers from the followed lines when the instance is followed, else from the output file. */
  @Override
  public String logs(Instance instance, Instant since) {
    ensureOpen();
    LocalInstance local = instances.get(instance.id());
    if (local == null) {
      return "";
    }
    Optional<String> followed = follower.since(instance.id(), since);
    if (followed.isPresent()) {
      return followed.get();
    }
    local.log().mark();
    return local.log().since(since);
  }

  /**
   * Streams the instance's output file from its first byte through the shared {@link
   * OutputFollower}; from then on {@link #logs} answers from the followed lines.
   */
  @Override
  public boolean followLogs(Instance instance, LogLineListener listener) {
    ensureOpen();
    LocalInstance local = instances.get(instance.id());
    if (local == null) {
      return false;
    }
    try {
      return follower.follow(instance.id(), local.log().file(), local.process(), listener);
    } catch (IOException e) {
      LOG.warn(
          "cannot follow the output of instance {} ({}); its logs are read on demand",
          instance.id(),
          e.toString());
      return false;
    }
  }

  /** The peak resident memory of the instance's process tree (see {@link PeakMemory}). */
  @Override
  public OptionalLong maxMemoryUsedBytes(Instance instance) {
    LocalInstance local = instances.get(instance.id());
    if (local == null) {
      return OptionalLong.empty();
    }
    return local.process().handle().map(local.memory()::measure).orElse(OptionalLong.empty());
  }

  @Override
  public int sweepOrphans() {
    ensureOpen();
    return sweeper.sweep();
  }

  @Override
  public void prepull(String image) {
    ensureOpen();
  }

  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    instances.stopAll();
    follower.close();
    instances.killEscaped();
    ExtractedFolder.delete(ownerDir);
  }

  private String newInstanceId(String functionName) {
    String base = Labels.safeLowerValue(functionName);
    if (base.length() > 40) {
      base = base.substring(0, 40);
    }
    while (true) {
      byte[] random = new byte[4];
      RANDOM.nextBytes(random);
      String id = (base.isEmpty() ? "fn" : base) + "-" + HexFormat.of().formatHex(random);
      if (!instances.contains(id) && !Files.exists(ownerDir.resolve(id))) {
        return id;
      }
    }
  }

  private void copyResource(String name) throws IOException {
    try (InputStream source = LocalContainerRuntime.class.getResourceAsStream(name)) {
      if (source == null) {
        throw new IOException("resource '" + name + "' is missing from the runtime-local jar");
      }
      Files.copy(source, runtimeDir.resolve(name), StandardCopyOption.REPLACE_EXISTING);
    }
  }

  private void ensureOpen() {
    if (closed) {
      throw new IllegalStateException("the local runtime of owner '" + owner.id() + "' is closed");
    }
  }
}
