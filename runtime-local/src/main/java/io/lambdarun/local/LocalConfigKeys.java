package io.lambdarun.local;

/**
 * Configuration keys of the {@code local} backend, read from {@link io.lambdarun.api.RuntimeConfig}
 * (system properties or {@code LAMBDARUN_LOCAL_*} environment variables with {@code
 * RuntimeConfig.fromSystem()}).
 */
public final class LocalConfigKeys {

  /**
   * The Python interpreter command or path for {@code python3.x} functions; default {@code
   * python3}.
   */
  public static final String PYTHON = "lambdarun.local.python";

  /** The Node.js command or path for {@code nodejs*.x} functions; default {@code node}. */
  public static final String NODE = "lambdarun.local.node";

  /**
   * The prefix of the keys naming the JDK home for {@code java*} functions of one Java version, for
   * example {@code lambdarun.local.java-home.21}; default: the JDK of that version or the nearest
   * newer one found in {@code JAVA_HOME}, the JVM running lambdarun and the usual JDK folders.
   */
  public static final String JAVA_HOME_PREFIX = "lambdarun.local.java-home.";

  /**
   * The folder under which each runtime keeps its instances' code, layers, /tmp and output; default
   * {@code <java.io.tmpdir>/lambdarun-local}.
   */
  public static final String WORK_DIR = "lambdarun.local.work-dir";

  /**
   * How long terminate and close wait after asking processes to stop before killing them; default
   * {@code 2s}.
   */
  public static final String STOP_GRACE = "lambdarun.local.stop-grace";

  /** The most bytes of output {@code logs(instance, since)} returns; default {@code 65536}. */
  public static final String LOG_TAIL_BYTES = "lambdarun.local.log-tail-bytes";

  private LocalConfigKeys() {}
}
