package io.lambdarun.docker;

/**
 * Configuration keys of the {@code docker} backend. Each can also be given as an environment
 * variable named after the key ({@code lambdarun.docker.host} is {@code LAMBDARUN_DOCKER_HOST})
 * when the configuration comes from {@link io.lambdarun.api.RuntimeConfig#fromSystem()}.
 */
public final class DockerConfigKeys {

  /**
   * The engine to talk to, e.g. {@code unix:///var/run/docker.sock} or {@code
   * tcp://127.0.0.1:2375}. Default: {@code DOCKER_HOST}, else the Docker socket, else a Podman
   * socket that exists ({@code $XDG_RUNTIME_DIR/podman/podman.sock}, {@code
   * /run/podman/podman.sock}).
   */
  public static final String HOST = "lambdarun.docker.host";

  /**
   * The folder holding {@code config.json} with registry credentials for pulls. Default: {@code
   * DOCKER_CONFIG}, else {@code ~/.docker}.
   */
  public static final String CONFIG = "lambdarun.docker.config";

  /**
   * Whether the embedding process itself runs in a container (boolean, default false). Then
   * instance endpoints use the host alias instead of {@code 127.0.0.1}, and ports are published on
   * every interface unless {@link #BIND_ADDRESS} says otherwise.
   */
  public static final String IN_CONTAINER = "lambdarun.docker.in-container";

  /**
   * The name workloads use to reach the embedding host. Default: {@code host.docker.internal} on
   * Docker, {@code host.containers.internal} on Podman.
   */
  public static final String HOST_ALIAS = "lambdarun.docker.host-alias";

  /**
   * The address the host alias maps to inside workloads on Docker, or {@code none} to add no
   * mapping. Default: {@code host-gateway} on Docker 20.10 and later, else the bridge network's
   * gateway. Podman provides its alias itself and gets no mapping.
   */
  public static final String HOST_GATEWAY = "lambdarun.docker.host-gateway";

  /**
   * The host address the RIE port is published on. Default: {@code 127.0.0.1}, or {@code 0.0.0.0}
   * when {@link #IN_CONTAINER} is set.
   */
  public static final String BIND_ADDRESS = "lambdarun.docker.bind-address";

  /**
   * The host, without a port, the engine pulls the embedder's local (ECR-translated) images from;
   * the port is core's {@code lambdarun.ecr.registry-port}. Default: {@code 127.0.0.1}, or {@code
   * host.containers.internal} for Podman on macOS and Windows.
   */
  public static final String REGISTRY_HOST = "lambdarun.docker.registry-host";

  /**
   * The network instances run on: {@code bridge} (the default), the engine's default bridge, where
   * instances reach the host's Runtime API through the host alias and the Runtime API listens on
   * the bridge's gateway address; or {@code host}, host network mode, where instances share the
   * host's loopback interface and the Runtime API listens on {@code 127.0.0.1} (tests and CI: all
   * traffic stays on loopback). Host network mode publishes no ports, so it needs {@link
   * #INSTANCE_PROTOCOL} {@code runtime-api}.
   */
  public static final String NETWORK = "lambdarun.docker.network";

  /**
   * How core talks to instances: {@code runtime-api} (the default), core hosts the Lambda Runtime
   * API and the image's entry point runs its bootstrap against it; or {@code rie}, core posts
   * events to the RIE endpoint the image serves on port 8080, for images whose entry point runs the
   * RIE whatever {@code AWS_LAMBDA_RUNTIME_API} says.
   */
  public static final String INSTANCE_PROTOCOL = "lambdarun.docker.instance-protocol";

  /** How long a launch waits for the instance's endpoint to answer (duration, default 30s). */
  public static final String READINESS_TIMEOUT = "lambdarun.docker.readiness-timeout";

  /** How long the availability check waits for the engine's ping (duration, default 2s). */
  public static final String PING_TIMEOUT = "lambdarun.docker.ping-timeout";

  /** How long one engine API call may wait for a response (duration, default 5m; covers pulls). */
  public static final String API_TIMEOUT = "lambdarun.docker.api-timeout";

  /**
   * Whether instances run in Lambda's sandbox (boolean, default true): a read-only root file system
   * with {@code /tmp} the only writable path, the code and layers mounted read-only, a non-root
   * user ({@link #SANDBOX_USER}), all capabilities dropped, {@code no-new-privileges}, the engine's
   * default seccomp profile and Lambda's limits of 1,024 open files and 1,024 processes. Set it to
   * {@code false} for images that cannot run that way (for example an entry point that writes
   * outside {@code /tmp} or needs root).
   */
  public static final String SANDBOX = "lambdarun.docker.sandbox";

  /**
   * The user the sandboxed process runs as, {@code uid} or {@code uid:gid}, numeric and not root.
   * Default {@code 993:990}, Lambda's {@code sbx_user1051}.
   */
  public static final String SANDBOX_USER = "lambdarun.docker.sandbox-user";

  private DockerConfigKeys() {}
}
