package io.lambdarun.core;

import io.lambdarun.core.runtimeapi.RuntimeApiHost;
import java.time.Duration;

/**
 * The configuration keys lambdarun's core reads from a {@link io.lambdarun.api.RuntimeConfig}
 * ({@code -Dlambdarun.backend=docker} or {@code LAMBDARUN_BACKEND=docker}). Values set on {@link
 * LambdaRuntime.Builder} win over them.
 */
public final class CoreConfigKeys {

  /** The backend to use by name; unset chooses automatically. */
  public static final String BACKEND = "lambdarun.backend";

  /** The most warm instances per function version. */
  public static final String MAX_INSTANCES = "lambdarun.pool.max-instances";

  /** The default of {@link #MAX_INSTANCES}. */
  public static final int MAX_INSTANCES_DEFAULT = 10;

  /** How long a free instance stays warm, e.g. {@code 300s}. */
  public static final String IDLE_TIMEOUT = "lambdarun.pool.idle-timeout";

  /** The default of {@link #IDLE_TIMEOUT}. */
  public static final Duration IDLE_TIMEOUT_DEFAULT = Duration.ofSeconds(300);

  /** Added to a function's timeout before the client gives up on an instance, e.g. {@code 5s}. */
  public static final String INVOKE_GRACE = "lambdarun.invoke.grace";

  /** The default of {@link #INVOKE_GRACE}. */
  public static final Duration INVOKE_GRACE_DEFAULT = Duration.ofSeconds(5);

  /**
   * How long an instance in Runtime API mode may take from its start to its runtime client's first
   * {@code /next}, e.g. {@code 30s}.
   */
  public static final String INIT_TIMEOUT = RuntimeApiHost.INIT_TIMEOUT_KEY;

  /** The default of {@link #INIT_TIMEOUT}: Lambda allows 10 s, local machines get more. */
  public static final Duration INIT_TIMEOUT_DEFAULT = Duration.ofSeconds(30);

  /** The emulator endpoint functions receive as {@code AWS_ENDPOINT_URL}; unset for none. */
  public static final String ENDPOINT_URL = "lambdarun.endpoint-url";

  /** Runtime image overrides: {@code python3.12=repo/python:3.12,mirror/<runtime>}. */
  public static final String IMAGE_MAPPINGS = "lambdarun.image-mappings";

  /** The port of the local registry private ECR URIs are rewritten to; unset pulls them as is. */
  public static final String ECR_REGISTRY_PORT = "lambdarun.ecr.registry-port";

  /** Whether to remove instances left behind by dead owners when starting; default true. */
  public static final String SWEEP_ORPHANS = "lambdarun.sweep-orphans";

  private CoreConfigKeys() {}
}
