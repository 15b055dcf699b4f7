package io.lambdarun.core.pool;

import io.lambdarun.api.ContainerRuntime;
import io.lambdarun.api.Instance;
import io.lambdarun.api.LambdaRunException;
import io.lambdarun.api.LaunchFailedException;
import io.lambdarun.api.LaunchSpec;
import io.lambdarun.core.CredentialsProvider;
import io.lambdarun.core.LambdaFunction;
import io.lambdarun.core.SessionCredentials;
import java.time.Duration;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Launches and retires instances: issues credentials once per instance, launches through the
 * backend, and revokes the credentials when the launch fails or the instance is torn down.
 */
public final class InstanceLauncher {

  private static final Logger LOG = LoggerFactory.getLogger(InstanceLauncher.class);

  private final ContainerRuntime runtime;
  private final LaunchSpecFactory specs;
  private final Optional<CredentialsProvider> credentialsProvider;

  /**
   * Creates a launcher.
   *
   * @param runtime the backend
   * @param specs builds launch specs
   * @param credentialsProvider issues execution-role credentials, if configured
   */
  public InstanceLauncher(
      ContainerRuntime runtime,
      LaunchSpecFactory specs,
      Optional<CredentialsProvider> credentialsProvider) {
    this.runtime = runtime;
    this.specs = specs;
    this.credentialsProvider = credentialsProvider;
  }

  /**
   * Launches one instance and waits until it is ready.
   *
   * @param function the function
   * @param deployId its deploy id
   * @return the ready instance
   */
  public Launched launch(LambdaFunction function, String deployId) {
    Optional<SessionCredentials> credentials =
        credentialsProvider.map(provider -> provider.issue(function));
    boolean launched = false;
    try {
      LaunchSpec spec = specs.create(function, deployId, credentials);
      long start = System.nanoTime();
      Instance instance = launch(spec);
      launched = true;
      Duration launchTime = Duration.ofNanos(System.nanoTime() - start);
      LOG.info(
          "launched instance '{}' of function '{}' version '{}' in {} ms", instance.id(),
          function.functionName(), function.version(), launchTime.toMillis());
      return new Launched(instance, credentials, launchTime);
    } finally {
      if (!launched) {
        credentials.ifPresent(this::revoke);
      }
    }
  }

  private Instance launch(LaunchSpec spec) {
    try {
      return runtime.launch(spec);
    } catch (LambdaRunException e) {
      throw e;
    } catch (RuntimeException e) {
      throw new LaunchFailedException(
          spec.functionName(),
          "backend '" + runtime.name() + "' failed to launch function '" + spec.functionName()
              + "' (" + e + "); check the backend's log or report this to its maintainers",
          e);
    }
  }

  /**
   * Terminates an instance and revokes its credentials; never throws.
   *
   * @param launched the instance
   */
  public void retire(Launched launched) {
    try {
      runtime.terminate(launched.instance());
    } catch (RuntimeException e) {
      LOG.warn("terminating instance '{}' failed", launched.instance().id(), e);
    }
    launched.credentials().ifPresent(this::revoke);
  }

  private void revoke(SessionCredentials credentials) {
    credentialsProvider.ifPresent(provider -> {
      try {
        provider.revoke(credentials);
      } catch (RuntimeException e) {
        LOG.warn("revoking credentials failed ({})", e.getClass().getName());
      }
    });
  }
}
