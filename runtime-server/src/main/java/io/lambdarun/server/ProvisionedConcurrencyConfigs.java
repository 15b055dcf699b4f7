package io.lambdarun.server;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.lambdarun.core.LambdaRuntime;
import io.lambdarun.core.model.LambdaFunction;
import io.lambdarun.core.model.ProvisionedConcurrency;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentSkipListMap;

/**
 * Put-, Get-, Delete- and ListProvisionedConcurrencyConfigs on published versions, with AWS's
 * shapes and errors: core launches the version's instances ahead ({@link LambdaRuntime#provision})
 * and the answers report how many are up. Aliases do not exist in serve, so a qualifier that is no
 * version number is an alias AWS cannot find. A data directory keeps them ({@link #snapshot},
 * {@link #restore}). Thread-safe.
 */
final class ProvisionedConcurrencyConfigs {

  private static final DateTimeFormatter LAST_MODIFIED =
      DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ssZ").withZone(ZoneOffset.UTC);

  /** The most configurations a ListProvisionedConcurrencyConfigs page holds, AWS's limit. */
  private static final int MAX_ITEMS = 50;

  /** One version's configuration: the count asked for and when. */
  private record Config(LambdaFunction function, int requested, Instant lastModified) {}

  private final ConcurrentSkipListMap<String, Config> configs = new ConcurrentSkipListMap<>();
  private final FunctionRegistry registry;
  private final LambdaRuntime runtime;
  private final Clock clock;

  ProvisionedConcurrencyConfigs(FunctionRegistry registry, LambdaRuntime runtime, Clock clock) {
    this.registry = registry;
    this.runtime = runtime;
    this.clock = clock;
  }

  /** A version's configuration as the data directory keeps it. */
  record Saved(String version, int requested, Instant lastModified) {}

  /** Returns the function's configurations, to persist them. */
  List<Saved> snapshot(String name) {
    String prefix = new FunctionRef(name, Optional.empty()).arn() + ":";
    return configs.entrySet().stream()
        .filter(entry -> entry.getKey().startsWith(prefix))
        .map(
            entry ->
                new Saved(
                    entry.getKey().substring(prefix.length()),
                    entry.getValue().requested(),
                    entry.getValue().lastModified()))
        .toList();
  }

  /** Puts back a configuration read from a data directory and provisions the version again. */
  void restore(String name, Saved saved) {
    LambdaFunction function =
        registry.get(new FunctionRef(name, Optional.of(saved.version()))).function();
    runtime.provision(function, saved.requested());
    configs.put(
        function.qualifiedArn(), new Config(function, saved.requested(), saved.lastModified()));
  }

  ApiResponse put(ApiRequest request) {
    FunctionRef ref = qualified(request);
    if (ref.qualifier().get().equals(LambdaFunction.LATEST)) {
      throw ApiException.invalidParameter(
          "Provisioned Concurrency Configs cannot be applied to unpublished function versions.");
    }
    LambdaFunction function = version(ref);
    Integer requested =
        Json.integer(Json.object(request.body()), "ProvisionedConcurrentExecutions")
            .orElseThrow(
                () ->
                    ApiException.validation(
                        "1 validation error detected: Value null at 'provisionedConcurrentExecutions'"
                            + " failed to satisfy constraint: Member must not be null"));
    if (requested < 1) {
      throw ApiException.validation(
          "1 validation error detected: Value '"
              + requested
              + "' at"
              + " 'provisionedConcurrentExecutions' failed to satisfy constraint: Member must"
              + " have value greater than or equal to 1");
    }
    runtime.provision(function, requested);
    Config config = new Config(function, requested, clock.instant());
    configs.put(function.qualifiedArn(), config);
    // AWS answers every accepted Put as just started, however fast the instances come up
    ObjectNode accepted =
        render(
            config,
            new ProvisionedConcurrency(
                requested, 0, ProvisionedConcurrency.Status.IN_PROGRESS, Optional.empty()));
    return ApiResponse.json(202, Json.bytes(accepted));
  }

  ApiResponse get(ApiRequest request) {
    FunctionRef ref = publishedOnly(qualified(request));
    Config config = configs.get(version(ref).qualifiedArn());
    if (config == null) {
      throw new ApiException(
          404,
          "ProvisionedConcurrencyConfigNotFoundException",
          "No Provisioned Concurrency Config found for this function");
    }
    return ApiResponse.json(200, Json.bytes(render(config)));
  }

  ApiResponse delete(ApiRequest request) {
    FunctionRef ref = publishedOnly(qualified(request));
    remove(version(ref).qualifiedArn());
    return ApiResponse.empty(204);
  }

  /**
   * ListProvisionedConcurrencyConfigs ({@code ?List=ALL}): the function's configurations by
   * qualified ARN, {@code MaxItems} (1 to 50, default 50) at a time after {@code Marker}.
   */
  ApiResponse list(ApiRequest request) {
    FunctionRef ref = request.ref();
    registry.get(new FunctionRef(ref.name(), Optional.empty()));
    int maxItems = Paging.maxItems(request.queryParameter("MaxItems"), MAX_ITEMS, MAX_ITEMS);
    String prefix = new FunctionRef(ref.name(), Optional.empty()).arn() + ":";
    Optional<String> marker = request.queryParameter("Marker").filter(m -> !m.isEmpty());
    List<Map.Entry<String, Config>> rest =
        (marker.isPresent() ? configs.tailMap(marker.get(), false) : configs)
            .entrySet().stream().filter(entry -> entry.getKey().startsWith(prefix)).toList();
    ObjectNode body = Json.MAPPER.createObjectNode();
    ArrayNode items = body.putArray("ProvisionedConcurrencyConfigs");
    rest.stream()
        .limit(maxItems)
        .forEach(entry -> items.add(render(entry.getValue()).put("FunctionArn", entry.getKey())));
    if (rest.size() > maxItems) {
      body.put("NextMarker", rest.get(maxItems - 1).getKey());
    }
    return ApiResponse.json(200, Json.bytes(body));
  }

  /** Ends the provisioning of every version of a deleted function. */
  void removeFunction(String name) {
    String prefix = new FunctionRef(name, Optional.empty()).arn() + ":";
    configs.keySet().stream().filter(arn -> arn.startsWith(prefix)).toList().forEach(this::remove);
  }

  /** Ends the provisioning of a deleted version. */
  void removeVersion(FunctionRef ref) {
    remove(ref.arn());
  }

  private void remove(String qualifiedArn) {
    Config config = configs.remove(qualifiedArn);
    if (config != null) {
      runtime.deprovision(config.function());
    }
  }

  private ObjectNode render(Config config) {
    return render(
        config,
        runtime
            .provisioned(config.function())
            .orElse(
                new ProvisionedConcurrency(
                    config.requested(),
                    0,
                    ProvisionedConcurrency.Status.IN_PROGRESS,
                    Optional.empty())));
  }

  private static ObjectNode render(Config config, ProvisionedConcurrency state) {
    ObjectNode node = Json.MAPPER.createObjectNode();
    node.put("RequestedProvisionedConcurrentExecutions", config.requested());
    node.put("AvailableProvisionedConcurrentExecutions", state.available());
    node.put("AllocatedProvisionedConcurrentExecutions", state.available());
    node.put("Status", state.status().name());
    state.statusReason().ifPresent(reason -> node.put("StatusReason", reason));
    node.put("LastModified", LAST_MODIFIED.format(config.lastModified()));
    return node;
  }

  private static FunctionRef qualified(ApiRequest request) {
    FunctionRef ref = request.ref();
    if (ref.qualifier().isEmpty()) {
      throw ApiException.validation(
          "1 validation error detected: Value null at 'qualifier' failed to satisfy constraint:"
              + " Member must not be null");
    }
    return ref;
  }

  private static FunctionRef publishedOnly(FunctionRef ref) {
    if (ref.qualifier().get().equals(LambdaFunction.LATEST)) {
      throw ApiException.invalidParameter(
          "The function resource provided must be an alias or a published version.");
    }
    return ref;
  }

  /** The published version the reference names; a name that is no number is an unknown alias. */
  private LambdaFunction version(FunctionRef ref) {
    if (!ref.qualifier().get().chars().allMatch(Character::isDigit)) {
      throw new ApiException(
          404, "ResourceNotFoundException", "Cannot find alias arn: " + ref.arn());
    }
    return registry.get(ref).function();
  }
}
