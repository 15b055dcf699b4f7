package io.lambdarun.api;

/**
 * Discoverable factory for one kind of execution backend (Docker, Kubernetes, local processes,
 * ...).
 *
 * <p><b>Registration.</b> Implementations are found with {@link java.util.ServiceLoader}: list the
 * class in {@code META-INF/services/io.lambdarun.api.ContainerRuntimeProvider}, most simply by
 * annotating it with Google AutoService's {@code @AutoService(ContainerRuntimeProvider.class)}.
 * lambdarun looks in the thread context class loader first, then in the class loader of this
 * interface.
 *
 * <p><b>Construction.</b> An implementation must have a public no-argument constructor that does no
 * I/O, starts no thread and reads no configuration: discovery instantiates every provider on the
 * class path just to ask its {@link #name()}, including providers that are never selected.
 *
 * <p><b>Selection.</b> An embedder either names a provider explicitly (that provider is used or the
 * call fails; there is no fallback), or lets lambdarun choose: providers are ordered by {@link
 * #priority()} (highest first), then by name, and the first whose {@link #availability} is positive
 * wins.
 *
 * <p><b>Thread safety.</b> Implementations must be stateless and safe to call from any thread.
 */
public interface ContainerRuntimeProvider {

  /** The {@link #priority()} of a provider that is only used when selected by name. */
  int EXPLICIT_ONLY = Integer.MIN_VALUE;

  /**
   * Returns the name users select this backend by, for example {@code docker}.
   *
   * <p>The name must be stable across releases, unique on a class path, and match {@code
   * [a-z][a-z0-9-]*}.
   *
   * @return the backend name, never {@code null}
   */
  String name();

  /**
   * Returns the rank of this provider during automatic selection; higher wins.
   *
   * <p>Third-party providers should keep the default of {@code 0}. lambdarun's own backends rank
   * below it ({@code docker} -10, {@code local} -20), so that any backend a user adds wins over
   * them. A provider returning {@link #EXPLICIT_ONLY} is never chosen automatically, only by name;
   * {@code kubernetes} does this, since deploying to a cluster by accident is worse than failing.
   *
   * @return the priority
   */
  default int priority() {
    return 0;
  }

  /**
   * Tells whether this backend can run functions with the given configuration, and why.
   *
   * <p>This may do bounded I/O (ping a daemon with a short timeout, look up an interpreter) but
   * must never throw, never block for long, and never leave anything running. The returned reason
   * is shown to users when no backend is available, so it should say what was tried and how to fix
   * it, for example {@code "no Docker engine answered at unix:///var/run/docker.sock within 2s;
   * start dockerd or set DOCKER_HOST"}.
   *
   * @param config the configuration the runtime would be created with
   * @return an availability verdict with a human-readable reason, never {@code null}
   */
  Availability availability(RuntimeConfig config);

  /**
   * Creates a runtime bound to the given configuration and owner.
   *
   * <p>Every instance the runtime launches carries the owner's labels (see {@link Owner#labels()}),
   * and {@link ContainerRuntime#sweepOrphans()} uses the owner to tell its own instances from those
   * of other processes. Creation may connect to the backend; failures are reported as {@link
   * RuntimeUnavailableException} or {@link ConfigurationException}.
   *
   * @param config backend configuration; keys are documented by each backend, namespaced {@code
   *     lambdarun.<name>.*}
   * @param owner the identity of the process that owns what this runtime launches
   * @return a new runtime; the caller closes it
   * @throws ConfigurationException if a configuration value is invalid
   * @throws RuntimeUnavailableException if the backend cannot be reached
   */
  ContainerRuntime create(RuntimeConfig config, Owner owner);
}
