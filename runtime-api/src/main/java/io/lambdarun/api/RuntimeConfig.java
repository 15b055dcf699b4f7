package io.lambdarun.api;

import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Read-only string configuration handed to a backend.
 *
 * <p>Keys are namespaced per backend, {@code lambdarun.<backend>.<key>} (for example {@code
 * lambdarun.docker.host}); each backend documents its keys in a {@code ...ConfigKeys} class. {@link
 * #fromSystem()} reads Java system properties first, then environment variables whose name is the
 * key in upper case with dots and dashes turned into underscores ({@code LAMBDARUN_DOCKER_HOST}).
 *
 * <p>The typed getters throw {@link ConfigurationException} naming the key and the offending value
 * when a value cannot be parsed; they never silently fall back to the default.
 */
@FunctionalInterface
public interface RuntimeConfig {

  /**
   * Looks up a raw value.
   *
   * @param key the full key, e.g. {@code lambdarun.docker.host}
   * @return the value, or empty when the key is not set or set to a blank value
   */
  Optional<String> get(String key);

  /**
   * Looks up a value with a default.
   *
   * @param key the full key
   * @param defaultValue the value to use when the key is unset
   * @return the configured or the default value
   */
  default String getString(String key, String defaultValue) {
    return get(key).orElse(defaultValue);
  }

  /**
   * Looks up an integer.
   *
   * @param key the full key
   * @param defaultValue the value to use when the key is unset
   * @return the configured or the default value
   * @throws ConfigurationException if the value is not an integer
   */
  default int getInt(String key, int defaultValue) {
    Optional<String> value = get(key);
    if (value.isEmpty()) {
      return defaultValue;
    }
    try {
      return Integer.parseInt(value.get().trim());
    } catch (NumberFormatException e) {
      throw new ConfigurationException(
          key,
          "configuration key '"
              + key
              + "' has value '"
              + value.get()
              + "', which is not a whole number; set it to an integer such as '"
              + defaultValue
              + "'");
    }
  }

  /**
   * Looks up a boolean; {@code true}, {@code 1} and {@code yes} are true, {@code false}, {@code 0}
   * and {@code no} are false, in any case.
   *
   * @param key the full key
   * @param defaultValue the value to use when the key is unset
   * @return the configured or the default value
   * @throws ConfigurationException if the value is none of the accepted words
   */
  default boolean getBoolean(String key, boolean defaultValue) {
    Optional<String> value = get(key);
    if (value.isEmpty()) {
      return defaultValue;
    }
    switch (value.get().trim().toLowerCase(Locale.ROOT)) {
      case "true", "1", "yes":
        return true;
      case "false", "0", "no":
        return false;
      default:
        throw new ConfigurationException(
            key,
            "configuration key '"
                + key
                + "' has value '"
                + value.get()
                + "', which is not a boolean; set it to 'true' or 'false'");
    }
  }

  /**
   * Looks up a duration written as a number with a unit ({@code 250ms}, {@code 10s}, {@code 5m},
   * {@code 1h}) or in ISO-8601 ({@code PT10S}).
   *
   * @param key the full key
   * @param defaultValue the value to use when the key is unset
   * @return the configured or the default value
   * @throws ConfigurationException if the value is not a non-negative duration or is too long to
   *     hold
   */
  default Duration getDuration(String key, Duration defaultValue) {
    Optional<String> value = get(key);
    if (value.isEmpty()) {
      return defaultValue;
    }
    Optional<Duration> parsed;
    try {
      parsed = DurationSyntax.parse(value.get().trim());
    } catch (ArithmeticException e) {
      throw new ConfigurationException(
          key,
          "configuration key '"
              + key
              + "' has value '"
              + value.get()
              + "', which is longer than a duration can be; use a value such as '10s' or '5m'");
    }
    if (parsed.isEmpty() || parsed.get().isNegative()) {
      throw new ConfigurationException(
          key,
          "configuration key '"
              + key
              + "' has value '"
              + value.get()
              + "', which is not a duration; use a value such as '500ms', '10s', '5m' or 'PT10S'");
    }
    return parsed.get();
  }

  /**
   * Returns a config that answers from this one and, for keys this one lacks, from {@code
   * fallback}.
   *
   * @param fallback the config consulted second
   * @return the combined config
   */
  default RuntimeConfig withFallback(RuntimeConfig fallback) {
    Objects.requireNonNull(fallback, "fallback");
    return key -> get(key).or(() -> fallback.get(key));
  }

  /**
   * Returns a config backed by a copy of the given map; blank values count as unset.
   *
   * @param values key-value pairs
   * @return the config
   */
  static RuntimeConfig of(Map<String, String> values) {
    Map<String, String> copy = Collections.unmodifiableMap(new LinkedHashMap<>(values));
    return key -> Optional.ofNullable(copy.get(key)).filter(v -> !v.isBlank());
  }

  /**
   * Returns a config with no keys set.
   *
   * @return the empty config
   */
  static RuntimeConfig empty() {
    return key -> Optional.empty();
  }

  /**
   * Returns a config that reads Java system properties, then environment variables named after the
   * key ({@code lambdarun.docker.host} becomes {@code LAMBDARUN_DOCKER_HOST}).
   *
   * @return the config
   */
  static RuntimeConfig fromSystem() {
    return key ->
        Optional.ofNullable(System.getProperty(key))
            .or(() -> Optional.ofNullable(System.getenv(environmentName(key))))
            .filter(v -> !v.isBlank());
  }

  /**
   * Returns the environment variable name {@link #fromSystem()} reads for a key.
   *
   * @param key the full key
   * @return the key in upper case with {@code .} and {@code -} replaced by {@code _}
   */
  static String environmentName(String key) {
    return key.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_');
  }
}
