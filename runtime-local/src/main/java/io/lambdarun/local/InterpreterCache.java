package io.lambdarun.local;

import io.lambdarun.api.LaunchFailedException;
import io.lambdarun.api.LaunchSpec;
import io.lambdarun.api.RuntimeConfig;
import io.lambdarun.api.RuntimeUnavailableException;
import java.io.IOException;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** The interpreters and JVM launchers functions run with, each found on first use and then kept. */
final class InterpreterCache {

  private final RuntimeConfig config;
  private final Path runtimeDir;
  private final Map<RuntimeKind, Interpreter> interpreters = new EnumMap<>(RuntimeKind.class);
  private final Map<Integer, JavaLauncher> javaLaunchers = new HashMap<>();
  private JdkChooser jdkChooser; // guarded by javaLaunchers
  private List<Path> javaClientClassPath; // likewise
  private Path javaNativeLibrary; // likewise

  /**
   * Creates the empty cache.
   *
   * @param config the backend's configuration, which may name interpreters and JDKs
   * @param runtimeDir the owner's folder for runtime files, where AWS's Java runtime client goes
   */
  InterpreterCache(RuntimeConfig config, Path runtimeDir) {
    this.config = config;
    this.runtimeDir = runtimeDir;
  }

  /**
   * Returns the interpreter of a Python or Node function's runtime kind, probed once.
   *
   * @throws LaunchFailedException if there is none
   */
  Interpreter interpreter(RuntimeKind kind, LaunchSpec spec) {
    synchronized (interpreters) {
      Interpreter found = interpreters.get(kind);
      if (found != null) {
        return found;
      }
      try {
        found = Interpreter.probe(kind, config, LocalSettings.PROBE_TIMEOUT);
      } catch (RuntimeUnavailableException e) {
        throw runtimeMissing(spec, e);
      }
      interpreters.put(kind, found);
      return found;
    }
  }

  /**
   * Returns the JVM launcher for a {@code java*} function: its JDK (chosen once per Java version)
   * and AWS's runtime interface client, located and its JNI library written on first use.
   *
   * @throws LaunchFailedException if there is no fitting JDK or client, or the library cannot be
   *     written
   */
  JavaLauncher javaLauncher(LaunchSpec spec) {
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
        jdkChooser = JdkChooser.forThisMachine(config);
      }
      Jdk jdk = jdkChooser.choose(spec.functionName(), spec.runtime(), major);
      found = new JavaLauncher(jdk, javaClientClassPath, javaNativeLibrary);
      javaLaunchers.put(major, found);
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
}
