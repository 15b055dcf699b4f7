package io.lambdarun.local;

import io.lambdarun.api.ContainerRuntime;
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
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
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
  private final Map<RuntimeKind, Interpreter> interpreters = new EnumMap<>(RuntimeKind.class);
  private final Map<Integer, JavaLauncher> javaLaunchers = new HashMap<>();
  private JdkChooser jdkChooser;
  private List<Path> javaClientClassPath;
  private Path javaNativeLibrary;
  private final Map<String, LocalInstance> instances = new ConcurrentHashMap<>();
  private final ProcessLimits limits = ProcessLimits.detect();
  private final OutputFollower follower;
  private volatile boolean closed;

  /** What the runtime keeps per instance. */
  private record LocalInstance(
      RuntimeProcess process, InstanceFiles files, OutputLog log, PeakMemory memory) {}

  LocalContainerRuntime(LocalSettings settings, Owner owner) {
    this.settings = settings;
    this.owner = owner;
    this.ownerDir = settings.workDir().resolve(owner.id());
    this.runtimeDir = ownerDir.resolve("runtime");
    this.follower = new OutputFollower(settings.logTailBytes(), ROTATE_BYTES);
    try {
      Files.createDirectories(runtimeDir);
      Files.writeString(
          ownerDir.resolve(OWNER_FILE), owner.pid() + " " + owner.host(), StandardCharsets.UTF_8);
      copyResource(ProcessLauncher.PYTHON_CLIENT);
      copyResource(ProcessLauncher.NODE_CLIENT);
    } catch (IOException | UncheckedIOException e) {
      InstanceFiles.deleteTree(ownerDir);
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

  /** The file in an owner's folder that holds the owner's process id and host. */
  static final String OWNER_FILE = "owner";

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
        kind == RuntimeKind.PYTHON || kind == RuntimeKind.NODE ? interpreter(kind, spec) : null;
    JavaLauncher java = kind == RuntimeKind.JAVA ? javaLauncher(spec) : null;
    String id = newInstanceId(spec.functionName());
    InstanceFiles files = null;
    try {
      files = InstanceFiles.create(ownerDir.resolve(id), spec);
      OutputLog log = new OutputLog(files.output(), settings.logTailBytes(), ROTATE_BYTES);
      ProcessLauncher launcher =
          ProcessLauncher.prepare(
              spec, kind, interpreter, java, files, runtimeDir, runtimeApi, owner, id);
      RuntimeProcess process = launcher.start(limits.create(owner, id));
      instances.put(id, new LocalInstance(process, files, log, new PeakMemory()));
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
      discard(id, files);
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
      discard(id, files);
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
    LocalInstance local = instances.remove(instance.id());
    if (local == null) {
      return;
    }
    stop(List.of(local));
    follower.end(instance.id());
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
    Set<String> removed = new LinkedHashSet<>();
    List<ProcessHandle> orphans = new ArrayList<>();
    for (MarkedProcesses.Marked marked : MarkedProcesses.scan()) {
      Owner processOwner = marked.owner();
      if (!processOwner.id().equals(owner.id()) && processOwner.isDeadOnThisHost()) {
        orphans.add(marked.handle());
        removed.add(processOwner.id() + "/" + marked.instanceId());
      }
    }
    ProcessTrees.kill(orphans);
    sweepFolders();
    return removed.size();
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
    List<LocalInstance> all = new ArrayList<>(instances.values());
    instances.clear();
    stop(all);
    follower.close();
    List<ProcessHandle> escaped = new ArrayList<>();
    for (MarkedProcesses.Marked marked : MarkedProcesses.scan()) {
      if (marked.owner().id().equals(owner.id())) {
        escaped.add(marked.handle());
      }
    }
    ProcessTrees.kill(escaped);
    InstanceFiles.deleteTree(ownerDir);
  }

  private void stop(List<LocalInstance> stopping) {
    List<ProcessHandle> processes = new ArrayList<>();
    for (LocalInstance local : stopping) {
      local.process().handle().ifPresent(processes::add);
    }
    ProcessTrees.stop(processes, settings.stopGrace());
    for (LocalInstance local : stopping) {
      limits.remove(owner, local.files().root().getFileName().toString());
      local.files().delete();
    }
  }

  private void discard(String id, InstanceFiles files) {
    limits.remove(owner, id);
    LocalInstance local = instances.remove(id);
    if (local != null) {
      local
          .process()
          .handle()
          .ifPresent(handle -> ProcessTrees.stop(List.of(handle), Duration.ZERO));
      local.files().delete();
    } else if (files != null) {
      files.delete();
    } else {
      InstanceFiles.deleteTree(ownerDir.resolve(id));
    }
  }

  private Interpreter interpreter(RuntimeKind kind, LaunchSpec spec) {
    synchronized (interpreters) {
      Interpreter found = interpreters.get(kind);
      if (found != null) {
        return found;
      }
      try {
        found = Interpreter.probe(kind, settings.config(), LocalSettings.PROBE_TIMEOUT);
      } catch (RuntimeUnavailableException e) {
        throw runtimeMissing(spec, e);
      }
      interpreters.put(kind, found);
      return found;
    }
  }

  private static LaunchFailedException runtimeMissing(
      LaunchSpec spec, RuntimeUnavailableException e) {
    return new LaunchFailedException(
        spec.functionName(),
        "function '"
            + spec.functionName()
            + "' needs runtime '"
            + spec.runtime()
            + "' but "
            + e.getMessage(),
        e);
  }

  /**
   * Returns the JVM launcher for a {@code java*} function: its JDK (chosen once per Java version)
   * and AWS's runtime interface client, located and its JNI library written on first use.
   */
  private JavaLauncher javaLauncher(LaunchSpec spec) {
    int major = JavaLauncher.major(spec.runtime());
    synchronized (javaLaunchers) {
      JavaLauncher found = javaLaunchers.get(major);
      if (found != null) {
        return found;
      }
      try {
        if (javaClientClassPath == null) {
          JavaRuntimeClient client = JavaRuntimeClient.locate();
          javaNativeLibrary = client.writeNativeLibrary(runtimeDir);
          javaClientClassPath = client.classPath(runtimeDir);
        }
      } catch (RuntimeUnavailableException e) {
        throw runtimeMissing(spec, e);
      } catch (IOException e) {
        throw new LaunchFailedException(
            spec.functionName(),
            "cannot write AWS's Java runtime client library to '"
                + runtimeDir
                + "' ("
                + e.getMessage()
                + "); set "
                + LocalConfigKeys.WORK_DIR
                + " to a writable folder",
            e);
      }
      if (jdkChooser == null) {
        jdkChooser = JdkChooser.forThisMachine(settings.config());
      }
      Jdk jdk = jdkChooser.choose(spec.functionName(), spec.runtime(), major);
      found = new JavaLauncher(jdk, javaClientClassPath, javaNativeLibrary);
      javaLaunchers.put(major, found);
      return found;
    }
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
      if (!instances.containsKey(id) && !Files.exists(ownerDir.resolve(id))) {
        return id;
      }
    }
  }

  private void sweepFolders() {
    try (DirectoryStream<Path> owners = Files.newDirectoryStream(settings.workDir())) {
      for (Path folder : owners) {
        Path ownerFile = folder.resolve(OWNER_FILE);
        if (folder.getFileName().toString().equals(owner.id()) || !Files.isRegularFile(ownerFile)) {
          continue;
        }
        String[] parts = Files.readString(ownerFile, StandardCharsets.UTF_8).strip().split(" ");
        if (parts.length == 2) {
          try {
            Owner folderOwner =
                new Owner(folder.getFileName().toString(), Long.parseLong(parts[0]), parts[1]);
            if (folderOwner.isDeadOnThisHost()) {
              limits.sweep(folderOwner.id());
              InstanceFiles.deleteTree(folder);
            }
          } catch (IllegalArgumentException e) {
            LOG.debug("ignoring folder '{}' with a malformed owner file", folder);
          }
        }
      }
    } catch (IOException e) {
      LOG.debug("cannot sweep the work folder '{}'", settings.workDir(), e);
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
