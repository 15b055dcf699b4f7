package io.lambdarun.core.image;

import io.lambdarun.api.ConfigurationException;
import io.lambdarun.api.HostAccess;
import io.lambdarun.api.InvalidFunctionException;
import io.lambdarun.api.PackageType;
import io.lambdarun.core.model.LambdaFunction;
import io.lambdarun.core.model.RuntimeCatalog;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * Decides which image runs a function: the user's mapping for its runtime, else AWS's base image,
 * or for image functions the function's own URI; private ECR URIs are translated to the local
 * registry when a registry port is configured.
 *
 * <p>A mapping string is a comma-separated list of {@code runtime=image} entries, plus at most one
 * pattern entry containing {@value #RUNTIME_PLACEHOLDER}, which applies to every known runtime not
 * mapped explicitly: {@code python3.12=my-registry/python:3.12,mirror.local/lambda/<runtime>}.
 */
public final class ImageResolver {

  /** The placeholder a mapping pattern uses for the runtime id. */
  public static final String RUNTIME_PLACEHOLDER = "<runtime>";

  /** The AWS error code for invoking a function whose runtime cannot run. */
  public static final String INVALID_RUNTIME = "InvalidRuntimeException";

  private final Map<String, String> mappings;
  private final Optional<String> pattern;
  private final OptionalInt registryPort;

  private ImageResolver(
      Map<String, String> mappings, Optional<String> pattern, OptionalInt registryPort) {
    this.mappings = Collections.unmodifiableMap(new LinkedHashMap<>(mappings));
    this.pattern = pattern;
    this.registryPort = registryPort;
  }

  /**
   * Creates a resolver that uses AWS's base images and translates no ECR URI.
   *
   * @return the resolver
   */
  public static ImageResolver defaults() {
    return new ImageResolver(Map.of(), Optional.empty(), OptionalInt.empty());
  }

  /**
   * Creates a resolver from a mapping string.
   *
   * @param configKey the configuration key the string came from, for error messages
   * @param mappingString the mappings, blank for none
   * @param registryPort the local registry's port for ECR translation, empty to pull ECR URIs as
   *     written
   * @return the resolver
   * @throws ConfigurationException if an entry is malformed or names an unknown runtime
   */
  public static ImageResolver of(String configKey, String mappingString, OptionalInt registryPort) {
    Map<String, String> mappings = new LinkedHashMap<>();
    Optional<String> pattern = Optional.empty();
    for (String rawEntry : mappingString.split(",")) {
      String entry = rawEntry.trim();
      if (entry.isEmpty()) {
        continue;
      }
      int equals = entry.indexOf('=');
      if (equals < 0 && entry.contains(RUNTIME_PLACEHOLDER) && pattern.isEmpty()) {
        pattern = Optional.of(entry);
        continue;
      }
      String runtime = equals < 0 ? "" : entry.substring(0, equals).trim();
      String image = equals < 0 ? "" : entry.substring(equals + 1).trim();
      if (!RuntimeCatalog.isKnown(runtime) || image.isEmpty()) {
        throw new ConfigurationException(
            configKey,
            "image mapping entry '"
                + entry
                + "' in '"
                + configKey
                + "' is neither"
                + " 'runtime=image' for a known runtime nor a single pattern containing '"
                + RUNTIME_PLACEHOLDER
                + "'; write for example 'python3.12=my-registry/python:3.12'");
      }
      mappings.put(runtime, image);
    }
    return new ImageResolver(mappings, pattern, registryPort);
  }

  /**
   * Returns the image to run for a function.
   *
   * @param function the function
   * @param hostAccess how the backend reaches the local registry
   * @return the image reference
   * @throws InvalidFunctionException with code {@value #INVALID_RUNTIME} when a zip function's
   *     runtime has no image
   */
  public String imageFor(LambdaFunction function, HostAccess hostAccess) {
    String image =
        function.packageType() == PackageType.IMAGE
            ? function.imageUri().orElseThrow()
            : runtimeImage(function.runtime())
                .orElseThrow(
                    () ->
                        new InvalidFunctionException(
                            INVALID_RUNTIME,
                            "runtime '"
                                + function.runtime()
                                + "' of function '"
                                + function.functionName()
                                + "' is deprecated and has no base"
                                + " image; move the function to a current runtime or map an image"
                                + " for it"));
    return translate(image, hostAccess);
  }

  /**
   * Returns the image for a runtime, honouring the mappings.
   *
   * @param runtime a runtime id
   * @return the mapped or base image, or empty when the runtime has none
   */
  public Optional<String> runtimeImage(String runtime) {
    String mapped = mappings.get(runtime);
    if (mapped != null) {
      return Optional.of(mapped);
    }
    if (pattern.isPresent() && RuntimeCatalog.isKnown(runtime)) {
      return Optional.of(pattern.get().replace(RUNTIME_PLACEHOLDER, runtime));
    }
    return RuntimeCatalog.baseImage(runtime);
  }

  private String translate(String image, HostAccess hostAccess) {
    if (registryPort.isEmpty()) {
      return image;
    }
    return EcrUri.translate(image, hostAccess.registryHost(), registryPort.getAsInt())
        .orElse(image);
  }
}
