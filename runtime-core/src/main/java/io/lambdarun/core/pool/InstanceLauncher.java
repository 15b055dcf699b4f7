package io.lambdarun.core.pool;

import io.lambdarun.api.ContainerRuntime;
import io.lambdarun.api.Instance;
import io.lambdarun.api.LambdaRunException;
import io.lambdarun.api.LaunchFailedException;
import io.lambdarun.api.LaunchSpec;
import io.lambdarun.core.internal.telemetry.InstanceLog;
import io.lambdarun.core.internal.telemetry.Telemetry;
import io.lambdarun.core.model.CredentialsProvider;
import io.lambdarun.core.model.LambdaFunction;
import io.lambdarun.core.model.SessionCredentials;
import io.lambdarun.core.runtimeapi.RuntimeApiHost;
import io.lambdarun.core.runtimeapi.RuntimeApiInstance;
import io.lambdarun.core.telemetry.StopReason;
import java.time.Duration;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Launches and retires instances: issues credentials once per instance, launches through the
 * backend (through core's Runtime API host when the backend has a Runtime API access), and revokes
 * the credentials when the launch fails or the instance is torn down.
 */
public final class InstanceLauncher {

  private static final Logger LOG = LoggerFactory.getLogger(InstanceLauncher.class);

  private final ContainerRuntime runtime;
  private final LaunchSpecFactory specs;
  private final Optional<CredentialsProvider> credentialsProvider;
  private final Optional<RuntimeApiHost> runtimeApiHost;
  private final Duration initTimeout;
  private final Telemetry telemetry;

  /**
   * Creates a launcher.
   *
   * @param runtime the backend
   * @param specs builds launch specs
   * @param credentialsProvider issues execution-role credentials, if configured
   * @param runtimeApiHost core's Runtime API host, present when the backend runs instances in
   *     Runtime API mode
   * @param initTimeout how long a Runtime API instance may take to ask for its first event
   * @param telemetry opens each instance's log stream and reports starts and stops
   */
  public InstanceLauncher(
      ContainerRuntime runtime,
      LaunchSpecFactory specs,
      Optional<CredentialsProvider> credentialsProvider,
      Optional<RuntimeApiHost> runtimeApiHost,
      Duration initTimeout,
      Telemetry telemetry) {
    this.runtime = runtime;
    this.specs = specs;
    this.credentialsProvider = credentialsProvider;
    this.runtimeApiHost = runtimeApiHost;
    this.initTimeout = initTimeout;
    this.telemetry = telemetry;
  }

  /**
   * Launches one instance and waits until it is ready.
   *
   * @param function the function
   * @param deployId its deploy id
   * @return the ready instance
   */
  Launched launch(LambdaFunction function, String deployId) {
    Optional<SessionCredentials> credentials =
        credentialsProvider.map(provider -> provider.issue(function));
    boolean launched = false;
    try {
      LaunchSpec spec = specs.create(function, deployId, credentials);
      InstanceLog log = telemetry.open(function, spec);
      long start = System.nanoTime();
      Optional<RuntimeApiInstance> runtimeApi = runtimeApiHost.map(host -> launch(host, spec));
      Instance instance = runtimeApi.isPresent() ? runtimeApi.get().instance() : launch(spec);
      launched = true;
      Duration launchTime = Duration.ofNanos(System.nanoTime() - start);
      LOG.info(
          "launched instance '{}' of function '{}' version '{}' in {} ms",
          instance.id(),
          function.functionName(),
          function.version(),
          launchTime.toMillis());
      telemetry.started(log, instance, launchTime, runtime);
      return new Launched(instance, credentials, launchTime, runtimeApi);
    } finally {
      if (!launched) {
        credentials.ifPresent(this::revoke);
      }
    }
  }

  private RuntimeApiInstance launch(RuntimeApiHost host, LaunchSpec spec) {
    try {
      return host.launch(runtime, spec, initTimeout);
    } catch (LambdaRunException e) {
      throw e;
    } catch (RuntimeException e) {
      throw failed(spec, e);
    }
  }

  private Instance launch(LaunchSpec spec) {
    try {
      return runtime.launch(spec);
    } catch (LambdaRunException e) {
      throw e;
    } catch (RuntimeException e) {
      throw failed(spec, e);
    }
  }

  private LaunchFailedException failed(LaunchSpec spec, RuntimeException e) {
    return new LaunchFailedException(
        spec.functionName(),
        "backend '"
            + runtime.name()
            + "' failed to launch function '"
            + spec.functionName()
            + "' ("
            + e
            + "); check the backend's log or report this to its maintainers",
        e);
  }

  /**
   * Terminates an instance and revokes its credentials; never throws.
   *
   * @param launched the instance
   */
  void retire(Launched launched) {
    retire(launched, StopReason.EVICTED);
  }

  /**
   * Terminates an instance and revokes its credentials; never throws.
   *
   * @param launched the instance
   * @param reason why, unless the invocation that gave it up recorded another reason
   */
  void retire(Launched launched, StopReason reason) {
    telemetry.stopped(launched.instance(), reason);
    launched.runtimeApi().ifPresent(RuntimeApiInstance::close);
    try {
      runtime.terminate(launched.instance());
    } catch (RuntimeException e) {
      LOG.warn("terminating instance '{}' failed", launched.instance().id(), e);
    }
    launched.credentials().ifPresent(this::revoke);
  }

  private void revoke(SessionCredentials credentials) {
    credentialsProvider.ifPresent(
        provider -> {
          try {
            provider.revoke(credentials);
          } catch (RuntimeException e) {
            LOG.warn("revoking credentials failed ({})", e.getClass().getName());
          }
        });
  }
}
