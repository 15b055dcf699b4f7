package io.lambdarun.core.model;

import io.lambdarun.api.Architecture;
import io.lambdarun.api.Archive;
import io.lambdarun.api.ArchiveLimits;
import io.lambdarun.api.ImageConfig;
import io.lambdarun.api.InvalidFunctionException;
import io.lambdarun.api.PackageType;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;

/**
 * A Lambda function as lambdarun runs it: the parts of a function's configuration that shape its
 * execution environment. Immutable; build with {@link #builder()}, whose {@link Builder#build()}
 * applies every Lambda rule; the canonical constructor only normalises. {@link Builder#build()}
 * reads every archive to check it, so build a function once per configuration and reuse it for
 * every invocation; instances are matched by content (deploy id), not by object identity.
 *
 * <p>One file on purpose: a record and its builder, most of it the documentation of each field.
 *
 * @param functionName 1 to 64 of {@code [a-zA-Z0-9_-]}
 * @param functionArn the unqualified ARN, {@code arn:aws:lambda:<region>:<account>:function:<name>}
 * @param version {@code $LATEST} or a published version number
 * @param runtime the runtime id for zip functions, e.g. {@code python3.12}; empty for images
 * @param handler the handler for zip functions, e.g. {@code app.handler}; empty for images
 * @param role the execution role ARN, empty for none
 * @param timeout 1 to 900 whole seconds
 * @param memoryMib 128 to 10240
 * @param environment the function's own variables, sorted by key
 * @param packageType zip or image
 * @param code the code archive of a zip function
 * @param imageUri the image of an image function
 * @param imageConfig overrides of the image's entry point, command and working directory
 * @param ephemeralStorageMib the size of {@code /tmp}, 512 to 10240
 * @param loggingConfig the log format, levels and log group
 * @param architecture the instruction set
 * @param tags the function's tags, sorted by key
 * @param layers layer archives in attach order, at most 5
 */
public record LambdaFunction(
    String functionName,
    String functionArn,
    String version,
    String runtime,
    String handler,
    String role,
    Duration timeout,
    int memoryMib,
    Map<String, String> environment,
    PackageType packageType,
    Optional<Archive> code,
    Optional<String> imageUri,
    ImageConfig imageConfig,
    int ephemeralStorageMib,
    LoggingConfig loggingConfig,
    Architecture architecture,
    Map<String, String> tags,
    List<Archive> layers) {

  /** The region used when the ARN does not name one. */
  public static final String DEFAULT_REGION = "us-east-1";

  /** The account used when the ARN does not name one. */
  public static final String DEFAULT_ACCOUNT = "000000000000";

  /** The unpublished version. */
  public static final String LATEST = "$LATEST";

  /**
   * Normalises blank optionals and copies the collections into sorted, unmodifiable ones.
   *
   * @param functionName 1 to 64 of {@code [a-zA-Z0-9_-]}
   * @param functionArn the unqualified ARN, {@code
   *     arn:aws:lambda:<region>:<account>:function:<name>}
   * @param version {@code $LATEST} or a published version number
   * @param runtime the runtime id for zip functions, e.g. {@code python3.12}; empty for images
   * @param handler the handler for zip functions, e.g. {@code app.handler}; empty for images
   * @param role the execution role ARN, empty for none
   * @param timeout 1 to 900 whole seconds
   * @param memoryMib 128 to 10240
   * @param environment the function's own variables, sorted by key
   * @param packageType zip or image
   * @param code the code archive of a zip function
   * @param imageUri the image of an image function
   * @param imageConfig overrides of the image's entry point, command and working directory
   * @param ephemeralStorageMib the size of {@code /tmp}, 512 to 10240
   * @param loggingConfig the log format, levels and log group
   * @param architecture the instruction set
   * @param tags the function's tags, sorted by key
   * @param layers layer archives in attach order, at most 5
   */
  public LambdaFunction {
    Objects.requireNonNull(functionName, "functionName");
    Objects.requireNonNull(functionArn, "functionArn");
    Objects.requireNonNull(version, "version");
    Objects.requireNonNull(runtime, "runtime");
    Objects.requireNonNull(handler, "handler");
    Objects.requireNonNull(role, "role");
    Objects.requireNonNull(timeout, "timeout");
    Objects.requireNonNull(packageType, "packageType");
    Objects.requireNonNull(code, "code");
    imageUri = Objects.requireNonNull(imageUri, "imageUri").filter(uri -> !uri.isBlank());
    Objects.requireNonNull(imageConfig, "imageConfig");
    Objects.requireNonNull(loggingConfig, "loggingConfig");
    Objects.requireNonNull(architecture, "architecture");
    environment = Collections.unmodifiableMap(new TreeMap<>(environment));
    tags = Collections.unmodifiableMap(new TreeMap<>(tags));
    layers = List.copyOf(layers);
  }

  /**
   * Starts a builder with Lambda's defaults: {@code $LATEST}, 3 s, 128 MiB, 512 MiB of {@code
   * /tmp}, zip, x86_64, account {@value #DEFAULT_ACCOUNT} in {@value #DEFAULT_REGION}.
   *
   * @return a new builder
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Returns a builder holding this function's values, for deriving a changed function.
   *
   * @return a pre-filled builder
   */
  public Builder toBuilder() {
    Builder builder = new Builder();
    builder.functionName = functionName;
    builder.functionArn = functionArn;
    builder.version = version;
    builder.runtime = runtime;
    builder.handler = handler;
    builder.role = role;
    builder.timeout = timeout;
    builder.memoryMib = memoryMib;
    builder.environment.putAll(environment);
    builder.packageType = packageType;
    builder.code = code.orElse(null);
    builder.imageUri = imageUri.orElse(null);
    builder.imageConfig = imageConfig;
    builder.ephemeralStorageMib = ephemeralStorageMib;
    builder.loggingConfig = loggingConfig;
    builder.architecture = architecture;
    builder.tags.putAll(tags);
    builder.layers.addAll(layers);
    return builder;
  }

  /**
   * Returns the log group, {@code LoggingConfig.LogGroup}.
   *
   * @return the log group, when not the default {@code /aws/lambda/<name>}
   */
  public Optional<String> logGroup() {
    return loggingConfig.logGroup();
  }

  /**
   * Returns the log group the function's records go to.
   *
   * @return the configured log group, or {@code /aws/lambda/<name>}
   */
  public String effectiveLogGroup() {
    return loggingConfig.logGroup().orElse("/aws/lambda/" + functionName);
  }

  /**
   * Returns the region, field 4 of the ARN.
   *
   * @return the region, or {@value #DEFAULT_REGION} when the ARN names none
   */
  public String region() {
    return arnField(3, DEFAULT_REGION);
  }

  /**
   * Returns the account id, field 5 of the ARN.
   *
   * @return the account, or {@value #DEFAULT_ACCOUNT} when the ARN names none
   */
  public String accountId() {
    return arnField(4, DEFAULT_ACCOUNT);
  }

  private String arnField(int index, String fallback) {
    String[] fields = functionArn.split(":", -1);
    return fields.length > index && !fields[index].isEmpty() ? fields[index] : fallback;
  }

  /**
   * Returns the execution role moved into the function's account, the role a credentials provider
   * should assume: an IAM role ARN gets the function's account, a non-ARN role is returned as is.
   *
   * @return for example {@code arn:aws:iam::<function account>:role/path/name}; empty without a
   *     role
   */
  public String roleInFunctionAccount() {
    String[] fields = role.split(":", 6);
    if (fields.length < 6 || !fields[0].equals("arn")) {
      return role;
    }
    fields[4] = accountId();
    return String.join(":", fields);
  }

  /**
   * Returns the ARN qualified with the version.
   *
   * @return {@code <functionArn>:<version>}
   */
  public String qualifiedArn() {
    return functionArn + ":" + version;
  }

  /** Collects a function's settings; defaults follow Lambda's. */
  public static final class Builder {
    private String functionName;
    private String functionArn;
    private String accountId = DEFAULT_ACCOUNT;
    private String region = DEFAULT_REGION;
    private String version = LATEST;
    private String runtime = "";
    private String handler = "";
    private String role = "";
    private Duration timeout = Duration.ofSeconds(3);
    private int memoryMib = 128;
    private final Map<String, String> environment = new TreeMap<>();
    private PackageType packageType = PackageType.ZIP;
    private Archive code;
    private String imageUri;
    private ImageConfig imageConfig = ImageConfig.NONE;
    private int ephemeralStorageMib = 512;
    private LoggingConfig loggingConfig = LoggingConfig.DEFAULT;
    private Architecture architecture = Architecture.X86_64;
    private final Map<String, String> tags = new TreeMap<>();
    private final List<Archive> layers = new ArrayList<>();
    private ArchiveLimits archiveLimits = ArchiveLimits.AWS;

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
     * @param value the unqualified ARN; unset derives it from name, region and account
     * @return this builder
     */
    public Builder functionArn(String value) {
      functionArn = value;
      return this;
    }

    /**
     * Sets the account ID.
     *
     * @param value the account id used for a derived ARN
     * @return this builder
     */
    public Builder accountId(String value) {
      accountId = value;
      return this;
    }

    /**
     * Sets the region.
     *
     * @param value the region used for a derived ARN
     * @return this builder
     */
    public Builder region(String value) {
      region = value;
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
     * Sets the runtime.
     *
     * @param value the runtime id, e.g. {@code python3.12}
     * @return this builder
     */
    public Builder runtime(String value) {
      runtime = value;
      return this;
    }

    /**
     * Sets the handler.
     *
     * @param value the handler, e.g. {@code app.handler}
     * @return this builder
     */
    public Builder handler(String value) {
      handler = value;
      return this;
    }

    /**
     * Sets the execution role ARN.
     *
     * @param value the execution role ARN
     * @return this builder
     */
    public Builder role(String value) {
      role = value;
      return this;
    }

    /**
     * Sets the timeout.
     *
     * @param value the timeout, whole seconds
     * @return this builder
     */
    public Builder timeout(Duration value) {
      timeout = value;
      return this;
    }

    /**
     * Sets the timeout in whole seconds.
     *
     * @param seconds the timeout in seconds
     * @return this builder
     */
    public Builder timeoutSeconds(int seconds) {
      timeout = Duration.ofSeconds(seconds);
      return this;
    }

    /**
     * Sets the memory size in MiB.
     *
     * @param value the memory size in MiB
     * @return this builder
     */
    public Builder memoryMib(int value) {
      memoryMib = value;
      return this;
    }

    /**
     * Sets the environment, replacing what was set.
     *
     * @param values the function's variables, replacing what was set
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
     * Sets the package type.
     *
     * @param value zip or image
     * @return this builder
     */
    public Builder packageType(PackageType value) {
      packageType = value;
      return this;
    }

    /**
     * Sets the code archive.
     *
     * @param value the code archive of a zip function
     * @return this builder
     */
    public Builder code(Archive value) {
      code = value;
      return this;
    }

    /**
     * Sets the image URI of an image function.
     *
     * @param value the image URI; also sets the package type to image
     * @return this builder
     */
    public Builder imageUri(String value) {
      imageUri = value;
      packageType = PackageType.IMAGE;
      return this;
    }

    /**
     * Sets the image config.
     *
     * @param value image overrides
     * @return this builder
     */
    public Builder imageConfig(ImageConfig value) {
      imageConfig = value;
      return this;
    }

    /**
     * Sets the size of {@code /tmp} in MiB.
     *
     * @param value the size of /tmp in MiB
     * @return this builder
     */
    public Builder ephemeralStorageMib(int value) {
      ephemeralStorageMib = value;
      return this;
    }

    /**
     * Sets the log group.
     *
     * @param value the log group, {@code null} for the default
     * @return this builder
     */
    public Builder logGroup(String value) {
      loggingConfig = loggingConfig.withLogGroup(Optional.ofNullable(value));
      return this;
    }

    /**
     * Sets the logging configuration, replacing what was set.
     *
     * @param value the log format, levels and log group
     * @return this builder
     */
    public Builder loggingConfig(LoggingConfig value) {
      loggingConfig = Objects.requireNonNull(value, "loggingConfig");
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
     * @param value the bounds used to check the archives in {@link #build()}
     * @return this builder
     */
    public Builder archiveLimits(ArchiveLimits value) {
      archiveLimits = Objects.requireNonNull(value, "archiveLimits");
      return this;
    }

    /**
     * Builds the function after checking every rule, including that the archives are safe and the
     * code is not empty.
     *
     * @return the function
     * @throws InvalidFunctionException naming the first broken rule
     * @throws NullPointerException if the function name is unset
     */
    public LambdaFunction build() {
      Objects.requireNonNull(functionName, "functionName");
      String arn =
          functionArn != null
              ? functionArn
              : "arn:aws:lambda:" + region + ":" + accountId + ":function:" + functionName;
      LambdaFunction function =
          new LambdaFunction(
              functionName,
              arn,
              version,
              runtime,
              handler,
              role,
              timeout,
              memoryMib,
              environment,
              packageType,
              Optional.ofNullable(code),
              Optional.ofNullable(imageUri),
              imageConfig,
              ephemeralStorageMib,
              loggingConfig,
              architecture,
              tags,
              layers);
      FunctionRules.check(function, archiveLimits);
      return function;
    }
  }
}
