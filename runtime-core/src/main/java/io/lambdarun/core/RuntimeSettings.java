package io.lambdarun.core;

import io.lambdarun.api.ArchiveLimits;
import io.lambdarun.api.ConfigurationException;
import io.lambdarun.api.Owner;
import io.lambdarun.api.RuntimeConfig;
import io.lambdarun.core.image.ImageResolver;
import io.lambdarun.core.model.CredentialsProvider;
import io.lambdarun.core.telemetry.LambdaRuntimeListener;
import io.lambdarun.core.telemetry.LogSink;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.function.Supplier;

/**
 * The resolved settings of a {@link LambdaRuntime}: for each, the value set on its {@link
 * LambdaRuntime.Builder} wins over the {@link CoreConfigKeys config key}, which wins over the
 * default. Resolving validates every value and reads a config key only when the builder left it
 * unset.
 */
record RuntimeSettings(
    Optional<String> backend,
    Owner owner,
    Optional<URI> endpointUrl,
    ImageResolver images,
    ArchiveLimits archiveLimits,
    Optional<CredentialsProvider> credentialsProvider,
    int maxInstances,
    Duration idleTimeout,
    Duration invokeGrace,
    Duration initTimeout,
    boolean sweepOrphans,
    List<LogSink> logSinks,
    List<LambdaRuntimeListener> listeners,
    Clock clock) {

  /**
   * Resolves the settings of a builder against its config.
   *
   * @throws ConfigurationException if a value is invalid
   */
  static RuntimeSettings resolve(LambdaRuntime.Builder set) {
    RuntimeConfig config = set.config;
    OptionalInt registryPort = registryPort(set.ecrRegistryPort, config);
    return new RuntimeSettings(
        Optional.ofNullable(set.backend).or(() -> config.get(CoreConfigKeys.BACKEND)),
        Owner.forCurrentProcess(),
        Optional.ofNullable(set.endpointUrl)
            .map(URI::toString)
            .or(() -> config.get(CoreConfigKeys.ENDPOINT_URL))
            .map(RuntimeSettings::checkedUrl),
        ImageResolver.of(
            CoreConfigKeys.IMAGE_MAPPINGS,
            either(set.imageMappings, () -> config.getString(CoreConfigKeys.IMAGE_MAPPINGS, "")),
            registryPort),
        set.archiveLimits,
        Optional.ofNullable(set.credentialsProvider),
        maxInstances(
            either(
                set.maxInstancesPerFunction,
                () ->
                    config.getInt(
                        CoreConfigKeys.MAX_INSTANCES, CoreConfigKeys.MAX_INSTANCES_DEFAULT))),
        idleTimeout(
            either(
                set.idleTimeout,
                () ->
                    config.getDuration(
                        CoreConfigKeys.IDLE_TIMEOUT, CoreConfigKeys.IDLE_TIMEOUT_DEFAULT))),
        either(
            set.invokeGrace,
            () ->
                config.getDuration(
                    CoreConfigKeys.INVOKE_GRACE, CoreConfigKeys.INVOKE_GRACE_DEFAULT)),
        config.getDuration(CoreConfigKeys.INIT_TIMEOUT, CoreConfigKeys.INIT_TIMEOUT_DEFAULT),
        either(
            set.sweepOrphansOnStart, () -> config.getBoolean(CoreConfigKeys.SWEEP_ORPHANS, true)),
        List.copyOf(set.logSinks),
        List.copyOf(set.listeners),
        set.clock);
  }

  /** The value set on the builder, or else the one from the config. */
  private static <T> T either(T builderValue, Supplier<T> configValue) {
    return builderValue != null ? builderValue : configValue.get();
  }

  private static int maxInstances(int max) {
    if (max < 1) {
      throw invalid(
          CoreConfigKeys.MAX_INSTANCES,
          "the most instances per function",
          max,
          "must be at least 1; set a positive number");
    }
    return max;
  }

  private static Duration idleTimeout(Duration ttl) {
    if (ttl.isZero() || ttl.isNegative()) {
      throw invalid(
          CoreConfigKeys.IDLE_TIMEOUT,
          "idle timeout",
          ttl,
          "must be positive; set a value such as '300s'");
    }
    return ttl;
  }

  private static OptionalInt registryPort(Integer builderValue, RuntimeConfig config) {
    if (builderValue == null && config.get(CoreConfigKeys.ECR_REGISTRY_PORT).isEmpty()) {
      return OptionalInt.empty();
    }
    int port = either(builderValue, () -> config.getInt(CoreConfigKeys.ECR_REGISTRY_PORT, 0));
    if (port < 1 || port > 65_535) {
      throw invalid(
          CoreConfigKeys.ECR_REGISTRY_PORT,
          "ECR registry port",
          port,
          "is not a TCP port; set a value from 1 to 65535");
    }
    return OptionalInt.of(port);
  }

  private static URI checkedUrl(String value) {
    URI uri;
    try {
      uri = new URI(value.trim());
    } catch (URISyntaxException e) {
      uri = null;
    }
    if (uri == null || uri.getScheme() == null || uri.getHost() == null) {
      throw invalid(
          CoreConfigKeys.ENDPOINT_URL,
          "emulator endpoint",
          value,
          "is not an absolute URL; set it such as 'http://localhost:4566'");
    }
    return uri;
  }

  /** The error for a value, in the form {@code <what> '<value>' ('<key>') <rule>}. */
  private static ConfigurationException invalid(
      String key, String what, Object value, String rule) {
    return new ConfigurationException(key, what + " '" + value + "' ('" + key + "') " + rule);
  }
}
