package io.lambdarun.local;

import io.lambdarun.api.LaunchFailedException;
import io.lambdarun.api.LaunchSpec;
import io.lambdarun.api.PackageType;

/** The kinds of Lambda runtime the local backend runs, and what each needs. */
enum RuntimeKind {
  /** {@code python3.x}: the project's Python runtime client imports the handler. */
  PYTHON("python3.x", "python3", LocalConfigKeys.PYTHON),
  /** {@code nodejs*.x}: the project's Node.js runtime client requires the handler. */
  NODE("nodejs*.x", "node", LocalConfigKeys.NODE),
  /** {@code java*}: AWS's Java runtime interface client loads the handler in a child JVM. */
  JAVA("java*", "", LocalConfigKeys.JAVA_HOME_PREFIX + "<major>"),
  /** {@code provided*}: the function's own {@code bootstrap} talks to the Runtime API. */
  PROVIDED("provided*", "", "");

  private final String runtimes;
  private final String defaultCommand;
  private final String configKey;

  RuntimeKind(String runtimes, String defaultCommand, String configKey) {
    this.runtimes = runtimes;
    this.defaultCommand = defaultCommand;
    this.configKey = configKey;
  }

  /**
   * Names the runtime ids of this kind, for messages.
   *
   * @return e.g. {@code python3.x}
   */
  String runtimes() {
    return runtimes;
  }

  /**
   * Returns the interpreter command used when {@link #configKey()} is unset.
   *
   * @return the command, empty for {@link #JAVA} and {@link #PROVIDED}
   */
  String defaultCommand() {
    return defaultCommand;
  }

  /**
   * Returns the configuration key naming the interpreter.
   *
   * @return the key, empty for {@link #PROVIDED}
   */
  String configKey() {
    return configKey;
  }

  /**
   * Tells which kind runs a spec.
   *
   * @param spec the launch spec
   * @return the kind
   * @throws LaunchFailedException for image functions and runtimes the backend cannot run
   */
  static RuntimeKind of(LaunchSpec spec) {
    if (spec.packageType() == PackageType.IMAGE) {
      throw new LaunchFailedException(
          spec.functionName(),
          "function '"
              + spec.functionName()
              + "' is an image function, which the local backend"
              + " cannot run; select a container backend such as 'docker'");
    }
    String runtime = spec.runtime();
    if (runtime.startsWith("python3")) {
      return PYTHON;
    }
    if (runtime.startsWith("nodejs")) {
      return NODE;
    }
    if (JavaLauncher.major(runtime) > 0) {
      return JAVA;
    }
    if (spec.isCustomRuntime()) {
      return PROVIDED;
    }
    throw new LaunchFailedException(
        spec.functionName(),
        "function '"
            + spec.functionName()
            + "' uses runtime '"
            + runtime
            + "', which the local"
            + " backend cannot run; use python3.x, nodejs*.x, java* or provided.*, or a container"
            + " backend such as 'docker'");
  }
}
