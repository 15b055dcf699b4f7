package io.lambdarun.core.env;

import io.lambdarun.api.HostAccess;
import io.lambdarun.api.PackageType;
import io.lambdarun.core.model.LambdaFunction;
import io.lambdarun.core.model.LogFormat;
import io.lambdarun.core.model.LoggingConfig;
import io.lambdarun.core.model.ReservedKeys;
import io.lambdarun.core.model.SessionCredentials;
import java.net.URI;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;

/**
 * Builds the final environment of one instance, with Lambda's precedence (lowest first): {@code
 * AWS_ENDPOINT_URL} pointing back at the embedding emulator when one is configured, then the
 * function's own variables with loopback URLs rewritten and reserved keys skipped, then the
 * platform variables, which always win. Credentials appear only when they were issued.
 */
public final class FunctionEnvironment {

  /** The keys holding execution-role credentials; their values are secret. */
  public static final Set<String> CREDENTIAL_KEYS =
      Collections.unmodifiableSet(
          new TreeSet<>(
              List.of(
                  "AWS_ACCESS_KEY_ID",
                  "AWS_ACCESS_KEY",
                  "AWS_SECRET_ACCESS_KEY",
                  "AWS_SESSION_TOKEN")));

  /** The variable that sends AWS SDKs to a custom endpoint. */
  public static final String ENDPOINT_URL = "AWS_ENDPOINT_URL";

  private static final DateTimeFormatter STREAM_DATE =
      DateTimeFormatter.ofPattern("yyyy/MM/dd").withZone(ZoneOffset.UTC);

  private final Optional<URI> endpointUrl;
  private final HostAccess hostAccess;

  /**
   * Creates a builder of environments for one backend.
   *
   * @param endpointUrl the embedding emulator's endpoint, given to functions as {@code
   *     AWS_ENDPOINT_URL}; empty for none
   * @param hostAccess how workloads reach the embedding host
   */
  public FunctionEnvironment(Optional<URI> endpointUrl, HostAccess hostAccess) {
    this.endpointUrl = endpointUrl;
    this.hostAccess = hostAccess;
  }

  /**
   * Builds the environment of a new instance.
   *
   * @param function the function
   * @param credentials credentials issued for the instance, if any
   * @param launchTime when the instance is launched, for the log stream's date
   * @param streamId 32 lower-case hex characters naming the instance's log stream
   * @return the environment, sorted by key, one value per key
   */
  public SortedMap<String, String> build(
      LambdaFunction function,
      Optional<SessionCredentials> credentials,
      Instant launchTime,
      String streamId) {
    SortedMap<String, String> environment = new TreeMap<>();
    endpointUrl.ifPresent(url -> environment.put(ENDPOINT_URL, rewrite(url.toString())));
    function
        .environment()
        .forEach(
            (key, value) -> {
              if (!ReservedKeys.isReserved(key)) {
                environment.put(key, rewrite(value));
              }
            });
    environment.put("AWS_REGION", function.region());
    environment.put("AWS_DEFAULT_REGION", function.region());
    environment.put("AWS_LAMBDA_FUNCTION_NAME", function.functionName());
    environment.put("AWS_LAMBDA_FUNCTION_VERSION", function.version());
    environment.put("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", Integer.toString(function.memoryMib()));
    environment.put("AWS_LAMBDA_LOG_GROUP_NAME", function.effectiveLogGroup());
    LoggingConfig logging = function.loggingConfig();
    environment.put("AWS_LAMBDA_LOG_FORMAT", logging.logFormat().awsName());
    if (logging.logFormat() == LogFormat.JSON) {
      environment.put("AWS_LAMBDA_LOG_LEVEL", logging.effectiveApplicationLogLevel().name());
    }
    environment.put(
        "AWS_LAMBDA_LOG_STREAM_NAME",
        STREAM_DATE.format(launchTime) + "/[" + function.version() + "]" + streamId);
    environment.put("AWS_LAMBDA_INITIALIZATION_TYPE", "on-demand");
    environment.put("AWS_LAMBDA_FUNCTION_TIMEOUT", Long.toString(function.timeout().toSeconds()));
    if (function.packageType() == PackageType.ZIP
        && !function.runtime().isEmpty()
        && !function.runtime().startsWith("provided")) {
      environment.put("AWS_EXECUTION_ENV", "AWS_Lambda_" + function.runtime());
    }
    credentials.ifPresent(
        issued -> {
          environment.put("AWS_ACCESS_KEY_ID", issued.accessKeyId());
          environment.put("AWS_ACCESS_KEY", issued.accessKeyId());
          environment.put("AWS_SECRET_ACCESS_KEY", issued.secretAccessKey());
          environment.put("AWS_SESSION_TOKEN", issued.sessionToken());
        });
    return environment;
  }

  /**
   * Returns a fresh log stream id.
   *
   * @return a random UUID without dashes
   */
  public static String newStreamId() {
    return UUID.randomUUID().toString().replace("-", "");
  }

  private String rewrite(String value) {
    return hostAccess.isLoopback()
        ? value
        : new LocalhostRewriter(hostAccess.hostAlias()).rewrite(value);
  }

  /**
   * Returns the credential keys present in an environment.
   *
   * @param environment a built environment
   * @return the subset of {@link #CREDENTIAL_KEYS} it holds
   */
  public static Set<String> sensitiveKeys(Map<String, String> environment) {
    Set<String> keys = new TreeSet<>(CREDENTIAL_KEYS);
    keys.retainAll(environment.keySet());
    return keys;
  }
}
