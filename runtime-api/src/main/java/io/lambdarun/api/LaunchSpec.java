package io.lambdarun.api;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * Everything a backend needs to launch one execution environment, fully resolved by core.
 *
 * <p>A backend must not re-derive any Lambda rule: the {@link #environment()} is final (platform
 * variables, precedence and localhost rewriting applied), the {@link #image()} is already mapped
 * from the runtime or translated from ECR, and the {@link #labels()} already identify the owner.
 * Collections are ordered, so the same spec always produces the same container request or pod
 * (backends can be golden-tested).
 *
 * <p><b>Secrets.</b> The values of the keys in {@link #sensitiveKeys()} (execution-role
 * credentials) must never appear in a log line, an exception message, a process argument list or a
 * literal in a pod spec. {@link #toString()} masks them.
 *
 * <p>One file on purpose: a record and its builder, most of it the documentation of each field.
 *
 * @param functionName the function's name
 * @param functionArn the unqualified function ARN
 * @param version {@code $LATEST} or a published version number
 * @param accountId the 12-digit account id the function belongs to
 * @param region the AWS region the function runs in
 * @param deployId a URL-safe fingerprint of everything that shapes the instance; instances with
 *     different deploy ids are never interchangeable
 * @param packageType how the code is delivered
 * @param runtime the Lambda runtime id, e.g. {@code python3.12}; empty for image functions
 * @param handler the handler, e.g. {@code app.handler}; empty for image functions
 * @param image the container image to run: the runtime's base image for zip functions, the
 *     function's (translated) image URI for image functions. Backends that run no containers may
 *     ignore it.
 * @param imageConfig overrides of the image's entry point, command and working directory
 * @param environment the final environment of the workload, sorted by key
 * @param sensitiveKeys the keys of {@link #environment()} whose values are secret
 * @param memoryMib the memory size in MiB; backends that can enforce it do
 * @param timeout the function timeout; the workload also receives it as {@code
 *     AWS_LAMBDA_FUNCTION_TIMEOUT}
 * @param ephemeralStorageMib the size of {@code /tmp} in MiB
 * @param architecture the instruction set to run on
 * @param code the code archive for zip functions, extracted to {@code /var/task} (and, for {@code
 *     provided.*} runtimes, also to {@code /var/runtime}); empty for image functions
 * @param layers layer archives in attach order, extracted one after the other into {@code /opt},
 *     later layers overwriting earlier files
 * @param archiveLimits the bounds backends apply when reading {@link #code()} and {@link #layers()}
 * @param labels labels every resource of the instance carries, label-safe values, ordered
 * @param tags the function's tags, for backends whose {@link ContainerRuntime#launchUsesTags()}
 * @param runtimeApi in Runtime API mode, the {@code host:port} of the Lambda Runtime API that core
 *     hosts for this one instance (also in {@link #environment()} as {@code
 *     AWS_LAMBDA_RUNTIME_API}); empty in RIE-endpoint mode. See {@link ContainerRuntime} for what
 *     each mode asks of a backend.
 */
public record LaunchSpec(
    String functionName,
    String functionArn,
    String version,
    String accountId,
    String region,
    String deployId,
    PackageType packageType,
    String runtime,
    String handler,
    String image,
    ImageConfig imageConfig,
    Map<String, String> environment,
    Set<String> sensitiveKeys,
    int memoryMib,
    Duration timeout,
    int ephemeralStorageMib,
    Architecture architecture,
    Optional<Archive> code,
    List<Archive> layers,
    ArchiveLimits archiveLimits,
    Map<String, String> labels,
    Map<String, String> tags,
    Optional<String> runtimeApi) {

  /**
   * Validates the components and makes ordered, unmodifiable copies of the collections.
   *
   * @param functionName the function's name
   * @param functionArn the unqualified function ARN
   * @param version {@code $LATEST} or a published version number
   * @param accountId the 12-digit account id the function belongs to
   * @param region the AWS region the function runs in
   * @param deployId a URL-safe fingerprint of everything that shapes the instance; instances with
   *     different deploy ids are never interchangeable
   * @param packageType how the code is delivered
   * @param runtime the Lambda runtime id, e.g. {@code python3.12}; empty for image functions
   * @param handler the handler, e.g. {@code app.handler}; empty for image functions
   * @param image the container image to run: the runtime's base image for zip functions, the
   *     function's (translated) image URI for image functions. Backends that run no containers may
   *     ignore it.
   * @param imageConfig overrides of the image's entry point, command and working directory
   * @param environment the final environment of the workload, sorted by key
   * @param sensitiveKeys the keys of {@link #environment()} whose values are secret
   * @param memoryMib the memory size in MiB; backends that can enforce it do
   * @param timeout the function timeout; the workload also receives it as {@code
   *     AWS_LAMBDA_FUNCTION_TIMEOUT}
   * @param ephemeralStorageMib the size of {@code /tmp} in MiB
   * @param architecture the instruction set to run on
   * @param code the code archive for zip functions, extracted to {@code /var/task} (and, for {@code
   *     provided.*} runtimes, also to {@code /var/runtime}); empty for image functions
   * @param layers layer archives in attach order, extracted one after the other into {@code /opt},
   *     later layers overwriting earlier files
   * @param archiveLimits the bounds backends apply when reading {@link #code()} and {@link
   *     #layers()}
   * @param labels labels every resource of the instance carries, label-safe values, ordered
   * @param tags the function's tags, for backends whose {@link ContainerRuntime#launchUsesTags()}
   * @param runtimeApi in Runtime API mode, the {@code host:port} of the Lambda Runtime API that
   *     core hosts for this one instance (also in {@link #environment()} as {@code
   *     AWS_LAMBDA_RUNTIME_API}); empty in RIE-endpoint mode. See {@link ContainerRuntime} for what
   *     each mode asks of a backend.
   */
  public LaunchSpec {
    Objects.requireNonNull(functionName, "functionName");
    Objects.requireNonNull(functionArn, "functionArn");
    Objects.requireNonNull(version, "version");
    Objects.requireNonNull(accountId, "accountId");
    Objects.requireNonNull(region, "region");
    Objects.requireNonNull(deployId, "deployId");
    Objects.requireNonNull(packageType, "packageType");
    Objects.requireNonNull(runtime, "runtime");
    Objects.requireNonNull(handler, "handler");
    Objects.requireNonNull(image, "image");
    Objects.requireNonNull(imageConfig, "imageConfig");
    Objects.requireNonNull(timeout, "timeout");
    Objects.requireNonNull(architecture, "architecture");
    Objects.requireNonNull(code, "code");
    Objects.requireNonNull(archiveLimits, "archiveLimits");
    Objects.requireNonNull(runtimeApi, "runtimeApi");
    environment = Collections.unmodifiableMap(new LinkedHashMap<>(environment));
    sensitiveKeys = Collections.unmodifiableSet(new LinkedHashSet<>(sensitiveKeys));
    layers = List.copyOf(layers);
    labels = Collections.unmodifiableMap(new LinkedHashMap<>(labels));
    tags = Collections.unmodifiableMap(new LinkedHashMap<>(tags));
    runtimeApi.ifPresent(LaunchSpec::requireHostAndPort);
    if (packageType == PackageType.ZIP && code.isEmpty()) {
      throw new InvalidFunctionException(
          "function '"
              + functionName
              + "' has package type Zip but no code archive; provide the"
              + " code zip");
    }
    if (packageType == PackageType.ZIP && handler.isEmpty()) {
      throw new InvalidFunctionException(
          "function '" + functionName + "' has package type Zip but no handler; set the handler");
    }
  }

  /**
   * Starts a builder.
   *
   * @return an empty builder
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Returns a builder holding this spec's values, for deriving a variant.
   *
   * @return a pre-filled builder
   */
  public Builder toBuilder() {
    Builder builder = new Builder();
    builder.functionName = functionName;
    builder.functionArn = functionArn;
    builder.version = version;
    builder.accountId = accountId;
    builder.region = region;
    builder.deployId = deployId;
    builder.packageType = packageType;
    builder.runtime = runtime;
    builder.handler = handler;
    builder.image = image;
    builder.imageConfig = imageConfig;
    builder.environment.putAll(environment);
    builder.sensitiveKeys.addAll(sensitiveKeys);
    builder.memoryMib = memoryMib;
    builder.timeout = timeout;
    builder.ephemeralStorageMib = ephemeralStorageMib;
    builder.architecture = architecture;
    builder.code = code.orElse(null);
    builder.layers.addAll(layers);
    builder.archiveLimits = archiveLimits;
    builder.labels.putAll(labels);
    builder.tags.putAll(tags);
    builder.runtimeApi = runtimeApi.orElse(null);
    return builder;
  }

  private static void requireHostAndPort(String address) {
    int colon = address.lastIndexOf(':');
    boolean valid =
        colon > 0
            && HostAccess.isRegistryHost(address.substring(0, colon))
            && address.substring(colon + 1).matches("[1-9][0-9]{0,4}")
            && Integer.parseInt(address.substring(colon + 1)) <= 65535;
    if (!valid) {
      throw new IllegalArgumentException(
          "Runtime API address '"
              + address
              + "' is not host:port; give a host name or IP address"
              + " and a port, as AWS_LAMBDA_RUNTIME_API takes them");
    }
  }

  /**
   * Tells whether the instance runs in Runtime API mode: its runtime client calls the Runtime API
   * at {@link #runtimeApi()} and the backend exposes no RIE endpoint.
   *
   * @return true when {@link #runtimeApi()} is present
   */
  public boolean usesRuntimeApi() {
    return runtimeApi.isPresent();
  }

  /**
   * Tells whether the runtime is a custom runtime ({@code provided}, {@code provided.al2}, ...),
   * whose {@code bootstrap} is also placed in {@code /var/runtime}.
   *
   * @return true for {@code provided*} runtimes
   */
  public boolean isCustomRuntime() {
    return runtime.startsWith("provided");
  }

  /**
   * Returns the environment with the values of {@link #sensitiveKeys()} replaced by {@code ***},
   * safe to log.
   *
   * @return the masked environment
   */
  public Map<String, String> maskedEnvironment() {
    Map<String, String> masked = new LinkedHashMap<>(environment);
    masked.replaceAll((key, value) -> sensitiveKeys.contains(key) ? "***" : value);
    return masked;
  }

  @Override
  public String toString() {
    return "LaunchSpec[function="
        + functionName
        + ", version="
        + version
        + ", deployId="
        + deployId
        + ", packageType="
        + packageType
        + ", runtime="
        + runtime
        + ", handler="
        + handler
        + ", image="
        + image
        + ", memoryMib="
        + memoryMib
        + ", timeout="
        + timeout
        + ", environment="
        + maskedEnvironment()
        + ", layers="
        + layers.size()
        + runtimeApi.map(address -> ", runtimeApi=" + address).orElse("")
        + "]";
  }

  /** Builds a {@link LaunchSpec}; defaults follow AWS Lambda's. */
  public static final class Builder {
    private String functionName;
    private String functionArn;
    private String version = "$LATEST";
    private String accountId = "000000000000";
    private String region = "us-east-1";
    private String deployId;
    private PackageType packageType = PackageType.ZIP;
    private String runtime = "";
    private String handler = "";
    private String image;
    private ImageConfig imageConfig = ImageConfig.NONE;
    private final Map<String, String> environment = new LinkedHashMap<>();
    private final Set<String> sensitiveKeys = new LinkedHashSet<>();
    private int memoryMib = 128;
    private Duration timeout = Duration.ofSeconds(3);
    private int ephemeralStorageMib = 512;
    private Architecture architecture = Architecture.X86_64;
    private Archive code;
    private final List<Archive> layers = new ArrayList<>();
    private ArchiveLimits archiveLimits = ArchiveLimits.AWS;
    private final Map<String, String> labels = new LinkedHashMap<>();
    private final Map<String, String> tags = new LinkedHashMap<>();
    private String runtimeApi;

    private Builder() {}

    /**
     * Sets the function name.
     *
     * @param value the function name
     * @return this builder
     */
    public Builder functionName(String value) {
      functionName = value;
      return this;
    }

    /**
     * Sets the function ARN.
     *
     * @param value the unqualified function ARN
     * @return this builder
     */
    public Builder functionArn(String value) {
      functionArn = value;
      return this;
    }

    /**
     * Sets the version.
     *
     * @param value {@code $LATEST} or a version number
     * @return this builder
     */
    public Builder version(String value) {
      version = value;
      return this;
    }

    /**
     * Sets the account ID.
     *
     * @param value the 12-digit account id
     * @return this builder
     */
    public Builder accountId(String value) {
      accountId = value;
      return this;
    }

    /**
     * Sets the region.
     *
     * @param value the AWS region
     * @return this builder
     */
    public Builder region(String value) {
      region = value;
      return this;
    }

    /**
     * Sets the deploy ID.
     *
     * @param value the URL-safe deploy fingerprint
     * @return this builder
     */
    public Builder deployId(String value) {
      deployId = value;
      return this;
    }

    /**
     * Sets the package type.
     *
     * @param value the package type
     * @return this builder
     */
    public Builder packageType(PackageType value) {
      packageType = value;
      return this;
    }

    /**
     * Sets the runtime.
     *
     * @param value the Lambda runtime id
     * @return this builder
     */
    public Builder runtime(String value) {
      runtime = value;
      return this;
    }

    /**
     * Sets the handler.
     *
     * @param value the handler
     * @return this builder
     */
    public Builder handler(String value) {
      handler = value;
      return this;
    }

    /**
     * Sets the image.
     *
     * @param value the image to run
     * @return this builder
     */
    public Builder image(String value) {
      image = value;
      return this;
    }

    /**
     * Sets the image config.
     *
     * @param value the image overrides
     * @return this builder
     */
    public Builder imageConfig(ImageConfig value) {
      imageConfig = value;
      return this;
    }

    /**
     * Sets the environment, replacing what was set.
     *
     * @param values the final environment, replacing what was set
     * @return this builder
     */
    public Builder environment(Map<String, String> values) {
      environment.clear();
      environment.putAll(values);
      return this;
    }

    /**
     * Adds one environment variable, replacing its earlier value.
     *
     * @param key a variable
     * @param value its value
     * @return this builder
     */
    public Builder putEnvironment(String key, String value) {
      environment.put(key, value);
      return this;
    }

    /**
     * Sets the keys whose values are secret, replacing what was set.
     *
     * @param keys keys whose values are secret, replacing what was set
     * @return this builder
     */
    public Builder sensitiveKeys(Set<String> keys) {
      sensitiveKeys.clear();
      sensitiveKeys.addAll(keys);
      return this;
    }

    /**
     * Sets the memory size in MiB.
     *
     * @param value memory in MiB
     * @return this builder
     */
    public Builder memoryMib(int value) {
      memoryMib = value;
      return this;
    }

    /**
     * Sets the timeout.
     *
     * @param value the function timeout
     * @return this builder
     */
    public Builder timeout(Duration value) {
      timeout = value;
      return this;
    }

    /**
     * Sets the size of {@code /tmp} in MiB.
     *
     * @param value size of /tmp in MiB
     * @return this builder
     */
    public Builder ephemeralStorageMib(int value) {
      ephemeralStorageMib = value;
      return this;
    }

    /**
     * Sets the architecture.
     *
     * @param value the architecture
     * @return this builder
     */
    public Builder architecture(Architecture value) {
      architecture = value;
      return this;
    }

    /**
     * Sets the code archive.
     *
     * @param value the code archive, or {@code null} for none
     * @return this builder
     */
    public Builder code(Archive value) {
      code = value;
      return this;
    }

    /**
     * Sets the layers, replacing what was set.
     *
     * @param values layer archives in attach order, replacing what was set
     * @return this builder
     */
    public Builder layers(List<Archive> values) {
      layers.clear();
      layers.addAll(values);
      return this;
    }

    /**
     * Sets the archive limits.
     *
     * @param value the archive bounds
     * @return this builder
     */
    public Builder archiveLimits(ArchiveLimits value) {
      archiveLimits = value;
      return this;
    }

    /**
     * Sets the labels, replacing what was set.
     *
     * @param values labels, replacing what was set
     * @return this builder
     */
    public Builder labels(Map<String, String> values) {
      labels.clear();
      labels.putAll(values);
      return this;
    }

    /**
     * Sets the tags, replacing what was set.
     *
     * @param values tags, replacing what was set
     * @return this builder
     */
    public Builder tags(Map<String, String> values) {
      tags.clear();
      tags.putAll(values);
      return this;
    }

    /**
     * Sets the Runtime API address, which selects Runtime API mode.
     *
     * @param value the {@code host:port} of the instance's Runtime API, or {@code null} for
     *     RIE-endpoint mode
     * @return this builder
     */
    public Builder runtimeApi(String value) {
      runtimeApi = value;
      return this;
    }

    /**
     * Builds the spec.
     *
     * @return the spec
     * @throws NullPointerException if a required value (function name, ARN, deploy id, image) is
     *     missing
     * @throws InvalidFunctionException if a zip spec lacks code or handler
     */
    public LaunchSpec build() {
      return new LaunchSpec(
          functionName,
          functionArn,
          version,
          accountId,
          region,
          deployId,
          packageType,
          runtime,
          handler,
          image,
          imageConfig,
          environment,
          sensitiveKeys,
          memoryMib,
          timeout,
          ephemeralStorageMib,
          architecture,
          Optional.ofNullable(code),
          layers,
          archiveLimits,
          labels,
          tags,
          Optional.ofNullable(runtimeApi));
    }
  }
}
