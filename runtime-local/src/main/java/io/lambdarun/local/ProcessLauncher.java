package io.lambdarun.local;

import io.lambdarun.api.LaunchFailedException;
import io.lambdarun.api.LaunchSpec;
import io.lambdarun.api.Owner;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Starts the runtime process of one instance: the project's runtime client for Python and Node.js,
 * a JVM running AWS's runtime interface client for Java, the function's {@code bootstrap} for
 * {@code provided*}, with the environment Lambda gives a runtime, the code folder as working
 * directory, no stdin, and stdout and stderr appended to the instance's output file. Every start
 * uses the same command and environment.
 */
final class ProcessLauncher {

  /** The Python runtime client's file name in the runtime folder. */
  static final String PYTHON_CLIENT = "lambdarun_runtime.py";

  /** The Node.js runtime client's file name in the runtime folder. */
  static final String NODE_CLIENT = "lambdarun_runtime.js";

  /** The shell that starts runtimes detached. */
  static final Path SHELL = Path.of("/bin/sh");

  private static final File NO_INPUT = new File("/dev/null");
  private static final long DETACH_TIMEOUT_SECONDS = 10;

  /**
   * The detaching script: $0 is the pid file, $1 the status file, $2 the control group to enter
   * (empty for none), the rest the command. The subshell applies Lambda's limits ({@link
   * ProcessLimits}), waits for the command and records its status; sh exits at once, so the JVM
   * keeps no child (and no reaper thread) per instance.
   */
  private static final String DETACH =
      "status=\"$1\"; group=\"$2\"; shift 2; ( "
          + ProcessLimits.shellLine("group")
          + " && \"$@\"; echo $? > \"$status\" ) & echo $! > \"$0\"";

  private final List<String> command;
  private final Map<String, String> environment;
  private final Path workingDirectory;
  private final Path output;
  private final Path stateDirectory;
  private final AtomicInteger starts = new AtomicInteger();

  private ProcessLauncher(
      List<String> command, Map<String, String> environment, InstanceFiles files) {
    this.command = command;
    this.environment = environment;
    this.workingDirectory = files.task();
    this.output = files.output();
    this.stateDirectory = files.root();
  }

  /**
   * Prepares the launcher of an instance.
   *
   * @param spec the launch spec
   * @param kind the runtime kind
   * @param interpreter the interpreter for {@link RuntimeKind#PYTHON} and {@link RuntimeKind#NODE},
   *     else {@code null}
   * @param java the JVM launcher for {@link RuntimeKind#JAVA}, else {@code null}
   * @param files the instance's folders
   * @param runtimeDir the folder holding the runtime clients
   * @param runtimeApi {@code host:port} of the instance's Runtime API
   * @param owner the owner to mark processes with
   * @param instanceId the instance to mark processes with
   * @return the launcher
   * @throws LaunchFailedException if a {@code provided*} function has no executable bootstrap
   * @throws IOException if the code's folders cannot be read
   */
  static ProcessLauncher prepare(
      LaunchSpec spec,
      RuntimeKind kind,
      Interpreter interpreter,
      JavaLauncher java,
      InstanceFiles files,
      Path runtimeDir,
      String runtimeApi,
      Owner owner,
      String instanceId)
      throws IOException {
    List<String> command = new ArrayList<>();
    Path lambdaRuntimeDir = runtimeDir;
    Path executableDir = interpreter == null ? null : interpreter.executable().getParent();
    switch (kind) {
      case PYTHON -> {
        command.add(interpreter.executable().toString());
        command.add("-u");
        command.add(runtimeDir.resolve(PYTHON_CLIENT).toString());
      }
      case NODE -> {
        command.add(interpreter.executable().toString());
        command.add(runtimeDir.resolve(NODE_CLIENT).toString());
      }
      case JAVA -> {
        command.addAll(
            java.command(
                spec.runtime(),
                spec.handler(),
                spec.memoryMib(),
                spec.environment().getOrDefault("JAVA_TOOL_OPTIONS", ""),
                files));
        executableDir = java.jdk().java().getParent();
      }
      case PROVIDED -> {
        command.add(bootstrap(spec, files).toString());
        lambdaRuntimeDir = files.task();
      }
    }
    Map<String, String> environment =
        environment(spec, kind, interpreter, executableDir, files, lambdaRuntimeDir, runtimeApi);
    environment.put(MarkedProcesses.OWNER, owner.id());
    environment.put(MarkedProcesses.OWNER_PID, Long.toString(owner.pid()));
    environment.put(MarkedProcesses.OWNER_HOST, owner.host());
    environment.put(MarkedProcesses.INSTANCE, instanceId);
    return new ProcessLauncher(List.copyOf(command), environment, files);
  }

  /**
   * Starts the runtime process.
   *
   * @param processGroup the {@code cgroup.procs} file of the instance's control group, if any
   * @return the started process
   * @throws IOException if it cannot be started
   */
  RuntimeProcess start(Optional<Path> processGroup) throws IOException {
    int generation = starts.incrementAndGet();
    Path pidFile = stateDirectory.resolve("runtime-" + generation + ".pid");
    Path statusFile = stateDirectory.resolve("runtime-" + generation + ".status");
    Files.deleteIfExists(stateDirectory.resolve("runtime-" + (generation - 1) + ".pid"));
    Files.deleteIfExists(stateDirectory.resolve("runtime-" + (generation - 1) + ".status"));
    List<String> argv = new ArrayList<>(command.size() + 6);
    argv.add(SHELL.toString());
    argv.add("-c");
    argv.add(DETACH);
    argv.add(pidFile.toString());
    argv.add(statusFile.toString());
    argv.add(processGroup.map(Path::toString).orElse(""));
    argv.addAll(command);
    ProcessBuilder builder = new ProcessBuilder(argv).directory(workingDirectory.toFile());
    builder.environment().clear();
    builder.environment().putAll(environment);
    builder.redirectInput(ProcessBuilder.Redirect.from(NO_INPUT));
    builder.redirectOutput(ProcessBuilder.Redirect.appendTo(output.toFile()));
    builder.redirectErrorStream(true);
    Process launcher = builder.start();
    try {
      if (!launcher.waitFor(DETACH_TIMEOUT_SECONDS, TimeUnit.SECONDS)
          || launcher.exitValue() != 0) {
        launcher.destroyForcibly();
        throw new IOException(
            "'" + SHELL + "' did not start '" + command.get(0) + "' in the background");
      }
    } catch (InterruptedException e) {
      launcher.destroyForcibly();
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while starting '" + command.get(0) + "'", e);
    }
    long pid = Long.parseLong(Files.readString(pidFile, StandardCharsets.US_ASCII).strip());
    return new RuntimeProcess(pid, ProcessHandle.of(pid), statusFile);
  }

  private static Path bootstrap(LaunchSpec spec, InstanceFiles files) {
    for (Path candidate :
        List.of(files.task().resolve("bootstrap"), files.opt().resolve("bootstrap"))) {
      if (Files.isRegularFile(candidate)) {
        if (!Files.isExecutable(candidate)) {
          throw new LaunchFailedException(
              spec.functionName(),
              "function '"
                  + spec.functionName()
                  + "' has a bootstrap at '"
                  + candidate
                  + "' that is not executable; store it in the zip with mode 755");
        }
        return candidate;
      }
    }
    throw new LaunchFailedException(
        spec.functionName(),
        "function '"
            + spec.functionName()
            + "' uses runtime '"
            + spec.runtime()
            + "' but neither"
            + " its code nor a layer holds a 'bootstrap' file; add an executable bootstrap at the"
            + " root of the zip");
  }

  /**
   * Builds the process environment: Lambda's defaults for the variables a function may extend
   * (PATH, LD_LIBRARY_PATH, PYTHONPATH, NODE_PATH, TZ), then the spec's environment, then the
   * variables only the platform sets (AWS_LAMBDA_RUNTIME_API, _HANDLER, LAMBDA_TASK_ROOT,
   * LAMBDA_RUNTIME_DIR). Context variables the spec lacks (function name, version, memory, log
   * group and stream, and for Python, Node and Java AWS_EXECUTION_ENV, which names the declared
   * runtime to the runtime clients) are filled from the spec.
   */
  private static Map<String, String> environment(
      LaunchSpec spec,
      RuntimeKind kind,
      Interpreter interpreter,
      Path executableDir,
      InstanceFiles files,
      Path runtimeDir,
      String runtimeApi) {
    String task = files.task().toString();
    String opt = files.opt().toString();
    Map<String, String> env = new LinkedHashMap<>();
    String hostPath = System.getenv().getOrDefault("PATH", "/usr/local/bin:/usr/bin:/bin");
    String interpreterDir = executableDir == null ? "" : executableDir + File.pathSeparator;
    env.put("PATH", interpreterDir + hostPath + File.pathSeparator + opt + "/bin");
    String hostLibraries = System.getenv().getOrDefault("LD_LIBRARY_PATH", "");
    env.put(
        "LD_LIBRARY_PATH",
        (hostLibraries.isEmpty() ? "" : hostLibraries + File.pathSeparator)
            + String.join(
                File.pathSeparator,
                runtimeDir.toString(),
                runtimeDir + "/lib",
                task,
                task + "/lib",
                opt + "/lib"));
    env.put("TZ", ":UTC");
    if (kind == RuntimeKind.PYTHON) {
      env.put(
          "PYTHONPATH",
          String.join(
              File.pathSeparator,
              task,
              opt + "/python/lib/python" + interpreter.majorMinor() + "/site-packages",
              opt + "/python",
              runtimeDir.toString()));
    } else if (kind == RuntimeKind.NODE) {
      env.put(
          "NODE_PATH",
          String.join(
              File.pathSeparator,
              opt + "/nodejs/node" + interpreter.major() + "/node_modules",
              opt + "/nodejs/node_modules",
              runtimeDir + "/node_modules",
              runtimeDir.toString(),
              task));
    }
    env.put("TMPDIR", files.tmp().toString());
    env.put("AWS_LAMBDA_FUNCTION_NAME", spec.functionName());
    env.put("AWS_LAMBDA_FUNCTION_VERSION", spec.version());
    env.put("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", Integer.toString(spec.memoryMib()));
    env.put("AWS_LAMBDA_LOG_GROUP_NAME", "/aws/lambda/" + spec.functionName());
    env.put(
        "AWS_LAMBDA_LOG_STREAM_NAME",
        LocalDate.now(ZoneOffset.UTC).format(DateTimeFormatter.ofPattern("yyyy/MM/dd"))
            + "/["
            + spec.version()
            + "]"
            + UUID.randomUUID().toString().replace("-", ""));
    if (kind != RuntimeKind.PROVIDED) {
      env.put("AWS_EXECUTION_ENV", "AWS_Lambda_" + spec.runtime());
    }
    env.putAll(spec.environment());
    env.put("AWS_LAMBDA_RUNTIME_API", runtimeApi);
    env.put("_HANDLER", spec.handler());
    env.put("LAMBDA_TASK_ROOT", task);
    env.put("LAMBDA_RUNTIME_DIR", runtimeDir.toString());
    return env;
  }
}
