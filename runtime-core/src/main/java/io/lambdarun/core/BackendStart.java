package io.lambdarun.core;

import io.lambdarun.api.ContainerRuntime;
import io.lambdarun.api.ContainerRuntimeProvider;
import io.lambdarun.api.LambdaRunException;
import io.lambdarun.api.RuntimeConfig;
import io.lambdarun.api.RuntimeUnavailableException;
import io.lambdarun.core.discovery.BackendSelector;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Starts the backend of a {@link LambdaRuntime}: selects its provider, creates it, sweeps it. */
final class BackendStart {

  private static final Logger LOG = LoggerFactory.getLogger(LambdaRuntime.class);

  private BackendStart() {}

  /**
   * Selects the backend and creates its runtime.
   *
   * @param providers providers tried before the discovered ones
   * @param config the configuration for the backend
   * @param settings the runtime's settings
   * @return the backend's runtime; the caller closes it
   */
  static ContainerRuntime create(
      List<ContainerRuntimeProvider> providers, RuntimeConfig config, RuntimeSettings settings) {
    ContainerRuntimeProvider provider =
        BackendSelector.discover(providers).select(settings.backend(), config);
    try {
      return provider.create(config, settings.owner());
    } catch (LambdaRunException e) {
      throw e;
    } catch (RuntimeException e) {
      throw new RuntimeUnavailableException(
          "backend '"
              + provider.name()
              + "' ("
              + provider.getClass().getName()
              + ") failed to start ("
              + e
              + "); check its configuration or report this to its"
              + " maintainers",
          e);
    }
  }

  /** Removes the instances dead owners left on the backend; a failure is logged, not thrown. */
  static void sweep(ContainerRuntime runtime) {
    try {
      int swept = runtime.sweepOrphans();
      if (swept > 0) {
        LOG.info("removed {} instances left behind by dead owners", swept);
      }
    } catch (RuntimeException e) {
      LOG.warn("sweeping instances of dead owners on backend '{}' failed", runtime.name(), e);
    }
  }
}
