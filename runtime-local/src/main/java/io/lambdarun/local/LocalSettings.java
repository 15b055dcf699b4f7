package io.lambdarun.local;

import io.lambdarun.api.ConfigurationException;
import io.lambdarun.api.RuntimeConfig;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;

/**
 * The validated configuration of a local runtime (see {@link LocalConfigKeys}).
 *
 * @param config the raw configuration, for the interpreter commands
 * @param workDir the folder holding every owner's instances
 * @param stopGrace how long stopping waits before killing
 * @param logTailBytes the most bytes of output returned by logs
 */
record LocalSettings(RuntimeConfig config, Path workDir, Duration stopGrace, int logTailBytes) {

  /** How long probing an interpreter may take. */
  static final Duration PROBE_TIMEOUT = Duration.ofSeconds(5);

  /**
   * Reads and validates the settings.
   *
   * @param config the configuration
   * @return the settings
   * @throws ConfigurationException if a value is invalid
   */
  static LocalSettings from(RuntimeConfig config) {
    String folder =
        config.getString(
            LocalConfigKeys.WORK_DIR,
            Path.of(System.getProperty("java.io.tmpdir"), "lambdarun-local").toString());
    Path workDir;
    try {
      workDir = Path.of(folder).toAbsolutePath();
    } catch (InvalidPathException e) {
      throw new ConfigurationException(
          LocalConfigKeys.WORK_DIR,
          "configuration key '"
              + LocalConfigKeys.WORK_DIR
              + "' has value '"
              + folder
              + "', which is not a valid path; set it to a writable folder");
    }
    Duration stopGrace = config.getDuration(LocalConfigKeys.STOP_GRACE, Duration.ofSeconds(2));
    int logTailBytes = config.getInt(LocalConfigKeys.LOG_TAIL_BYTES, 64 * 1024);
    if (logTailBytes < 1) {
      throw new ConfigurationException(
          LocalConfigKeys.LOG_TAIL_BYTES,
          "configuration key '"
              + LocalConfigKeys.LOG_TAIL_BYTES
              + "' has value '"
              + logTailBytes
              + "', which is not positive; set it to a byte count such as '65536'");
    }
    return new LocalSettings(config, workDir, stopGrace, logTailBytes);
  }
}
