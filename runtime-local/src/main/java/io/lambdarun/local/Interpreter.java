package io.lambdarun.local;

import io.lambdarun.api.RuntimeConfig;
import io.lambdarun.api.RuntimeUnavailableException;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A Python or Node.js interpreter found on this machine.
 *
 * @param kind the runtime kind it serves
 * @param command the command it was found by, e.g. {@code python3}
 * @param executable the interpreter's real executable (shims such as pyenv's resolved)
 * @param version its version, e.g. {@code 3.11.7}
 */
record Interpreter(RuntimeKind kind, String command, Path executable, String version) {

  private static final String PYTHON_PROBE =
      "import sys; print(sys.executable); print('%d.%d.%d' % sys.version_info[:3])";
  private static final String NODE_PROBE =
      "console.log(process.execPath); console.log(process.versions.node)";

  /**
   * Returns the major and minor version, e.g. {@code 3.11}.
   *
   * @return the version's first two parts
   */
  String majorMinor() {
    String[] parts = version.split("\\.");
    return parts.length > 1 ? parts[0] + "." + parts[1] : version;
  }

  /**
   * Returns the major version, e.g. {@code 20}.
   *
   * @return the version's first part
   */
  String major() {
    return version.split("\\.")[0];
  }

  /**
   * Describes the interpreter for availability reasons and instance details.
   *
   * @return e.g. {@code python3 3.11.7 at /usr/bin/python3.11}
   */
  String describe() {
    return command + " " + version + " at " + executable;
  }

  /**
   * Finds the interpreter for a kind by running it briefly.
   *
   * @param kind {@link RuntimeKind#PYTHON} or {@link RuntimeKind#NODE}
   * @param config the configuration naming the command
   * @param timeout how long the probe may take
   * @return the interpreter
   * @throws RuntimeUnavailableException with a one-sentence reason when it cannot be run
   */
  static Interpreter probe(RuntimeKind kind, RuntimeConfig config, Duration timeout) {
    String command = config.getString(kind.configKey(), kind.defaultCommand());
    List<String> argv =
        kind == RuntimeKind.PYTHON
            ? List.of(command, "-c", PYTHON_PROBE)
            : List.of(command, "-e", NODE_PROBE);
    Path output = null;
    Process process = null;
    try {
      output = Files.createTempFile("lambdarun-probe", ".txt");
      process =
          new ProcessBuilder(argv)
              .redirectErrorStream(true)
              .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
              .redirectOutput(output.toFile())
              .start();
      if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        throw new RuntimeUnavailableException(
            "'"
                + command
                + "' did not answer within "
                + timeout.toMillis()
                + " ms; check the"
                + " installation or set "
                + kind.configKey());
      }
      List<String> lines = Files.readAllLines(output, StandardCharsets.UTF_8);
      if (process.exitValue() != 0 || lines.size() < 2) {
        throw new RuntimeUnavailableException(
            "'"
                + command
                + "' exited with status "
                + process.exitValue()
                + " ("
                + String.join(" ", lines).strip()
                + "); point "
                + kind.configKey()
                + " to a working interpreter");
      }
      Interpreter found =
          new Interpreter(kind, command, Path.of(lines.get(0).strip()), lines.get(1).strip());
      if (kind == RuntimeKind.PYTHON && !found.version().startsWith("3.")) {
        throw new RuntimeUnavailableException(
            "'"
                + command
                + "' is Python "
                + found.version()
                + ", but python3.x functions need"
                + " Python 3; point "
                + kind.configKey()
                + " to a Python 3 interpreter");
      }
      return found;
    } catch (RuntimeUnavailableException e) {
      throw e;
    } catch (IOException | RuntimeException e) {
      throw new RuntimeUnavailableException(
          "'"
              + command
              + "' was not found or cannot run ("
              + e.getMessage()
              + "); install it or"
              + " set "
              + kind.configKey()
              + " to its path");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new RuntimeUnavailableException("interrupted while probing '" + command + "'");
    } finally {
      if (process != null) {
        process.destroyForcibly();
      }
      if (output != null) {
        try {
          Files.deleteIfExists(output);
        } catch (IOException e) {
          output.toFile().deleteOnExit();
        }
      }
    }
  }
}
