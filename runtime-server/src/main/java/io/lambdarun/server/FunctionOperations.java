package io.lambdarun.server;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.lambdarun.core.LambdaRuntime;
import java.time.Clock;
import java.util.Optional;

/**
 * CreateFunction, GetFunction, GetFunctionConfiguration, ListFunctions, UpdateFunctionCode,
 * UpdateFunctionConfiguration, DeleteFunction, PublishVersion, ListVersionsByFunction, the reserved
 * and the provisioned concurrency operations. A change or a delete evicts the function's warm
 * instances, so the next invocation runs the new configuration; busy instances finish their event
 * first (provisioned versions are launched again at once).
 */
final class FunctionOperations {

  private static final int DEFAULT_MAX_ITEMS = 50;
  private static final int MAX_ITEMS_LIMIT = 10_000;

  private final FunctionRegistry registry;
  private final LayerRegistry layers;
  private final ConcurrencyLimits limits;
  private final ProvisionedConcurrencyConfigs provisioned;
  private final StateChanges changes;
  private final LambdaRuntime runtime;
  private final Clock clock;

  FunctionOperations(
      FunctionRegistry registry,
      LayerRegistry layers,
      ConcurrencyLimits limits,
      ProvisionedConcurrencyConfigs provisioned,
      StateChanges changes,
      LambdaRuntime runtime,
      Clock clock) {
    this.registry = registry;
    this.layers = layers;
    this.limits = limits;
    this.provisioned = provisioned;
    this.changes = changes;
    this.runtime = runtime;
    this.clock = clock;
  }

  ApiResponse create(ApiRequest request) {
    ObjectNode body = Json.object(request.body());
    StoredFunction created = FunctionRequests.create(body, layers, clock.instant());
    registry.create(created);
    StoredFunction answered =
        published(body, new FunctionRef(created.name(), Optional.empty())).orElse(created);
    changes.functionChanged(created.name());
    return ApiResponse.json(201, Json.bytes(FunctionConfigurations.render(answered)));
  }

  ApiResponse publishVersion(ApiRequest request) {
    FunctionRef ref = request.ref().latestOnly();
    ObjectNode body = Json.object(request.body());
    StoredFunction version =
        registry.publish(
            ref,
            latest -> FunctionRequests.checkPublish(latest, body),
            (latest, number) -> FunctionRequests.publish(latest, number, body, clock.instant()));
    changes.functionChanged(ref.name());
    return ApiResponse.json(201, Json.bytes(FunctionConfigurations.render(version)));
  }

  ApiResponse listVersions(ApiRequest request) {
    int maxItems =
        Paging.maxItems(request.queryParameter("MaxItems"), DEFAULT_MAX_ITEMS, MAX_ITEMS_LIMIT);
    FunctionRegistry.Page<StoredFunction> page =
        registry.versions(
            request.ref().latestOnly(),
            request.queryParameter("Marker").filter(m -> !m.isEmpty()),
            maxItems);
    ObjectNode body = Json.MAPPER.createObjectNode();
    page.nextMarker().ifPresent(marker -> body.put("NextMarker", marker));
    ArrayNode versions = body.putArray("Versions");
    page.items().forEach(item -> versions.add(FunctionConfigurations.render(item)));
    return ApiResponse.json(200, Json.bytes(body));
  }

  ApiResponse putConcurrency(ApiRequest request) {
    FunctionRef ref = request.ref().latestOnly();
    registry.get(ref);
    int value =
        Json.integer(Json.object(request.body()), "ReservedConcurrentExecutions")
            .orElseThrow(
                () ->
                    ApiException.validation(
                        "1 validation error detected: Value null at 'reservedConcurrentExecutions' failed"
                            + " to satisfy constraint: Member must not be null"));
    limits.put(ref.name(), value);
    changes.functionChanged(ref.name());
    return concurrency(value);
  }

  ApiResponse getConcurrency(ApiRequest request) {
    FunctionRef ref = request.ref().latestOnly();
    registry.get(ref);
    return limits
        .get(ref.name())
        .map(FunctionOperations::concurrency)
        .orElseGet(() -> ApiResponse.json(200, Json.bytes(Json.MAPPER.createObjectNode())));
  }

  ApiResponse deleteConcurrency(ApiRequest request) {
    FunctionRef ref = request.ref().latestOnly();
    registry.get(ref);
    limits.remove(ref.name());
    changes.functionChanged(ref.name());
    return ApiResponse.empty(204);
  }

  ApiResponse putProvisioned(ApiRequest request) {
    ApiResponse answer = provisioned.put(request);
    changes.functionChanged(request.ref().name());
    return answer;
  }

  /** GetProvisionedConcurrencyConfig; with {@code List=ALL} ListProvisionedConcurrencyConfigs. */
  ApiResponse getProvisioned(ApiRequest request) {
    if (request.queryParameter("List").filter("ALL"::equals).isPresent()) {
      return provisioned.list(request);
    }
    return provisioned.get(request);
  }

  ApiResponse deleteProvisioned(ApiRequest request) {
    ApiResponse answer = provisioned.delete(request);
    changes.functionChanged(request.ref().name());
    return answer;
  }

  private static ApiResponse concurrency(int value) {
    ObjectNode body = Json.MAPPER.createObjectNode().put("ReservedConcurrentExecutions", value);
    return ApiResponse.json(200, Json.bytes(body));
  }

  /** Publishes {@code $LATEST} when the request asks with {@code Publish}. */
  private Optional<StoredFunction> published(ObjectNode body, FunctionRef ref) {
    if (!Json.bool(body, "Publish").orElse(false)) {
      return Optional.empty();
    }
    return Optional.of(
        registry.publish(
            ref,
            latest -> {},
            (latest, number) ->
                FunctionRequests.publish(
                    latest, number, Json.MAPPER.createObjectNode(), clock.instant())));
  }

  ApiResponse get(ApiRequest request) {
    StoredFunction stored = registry.get(request.ref());
    ObjectNode body = Json.MAPPER.createObjectNode();
    body.set("Configuration", FunctionConfigurations.render(stored));
    body.set("Code", FunctionConfigurations.code(stored.function()));
    limits
        .get(stored.name())
        .ifPresent(n -> body.putObject("Concurrency").put("ReservedConcurrentExecutions", n));
    if (!stored.function().tags().isEmpty()) {
      ObjectNode tags = body.putObject("Tags");
      stored.function().tags().forEach(tags::put);
    }
    return ApiResponse.json(200, Json.bytes(body));
  }

  ApiResponse getConfiguration(ApiRequest request) {
    StoredFunction stored = registry.get(request.ref());
    return ApiResponse.json(200, Json.bytes(FunctionConfigurations.render(stored)));
  }

  ApiResponse list(ApiRequest request) {
    int maxItems =
        Paging.maxItems(request.queryParameter("MaxItems"), DEFAULT_MAX_ITEMS, MAX_ITEMS_LIMIT);
    FunctionRegistry.Page<StoredFunction> page =
        registry.page(request.queryParameter("Marker").filter(m -> !m.isEmpty()), maxItems);
    ObjectNode body = Json.MAPPER.createObjectNode();
    page.nextMarker().ifPresent(marker -> body.put("NextMarker", marker));
    ArrayNode functions = body.putArray("Functions");
    page.items().forEach(item -> functions.add(FunctionConfigurations.render(item)));
    return ApiResponse.json(200, Json.bytes(body));
  }

  ApiResponse updateConfiguration(ApiRequest request) {
    FunctionRef ref = request.ref().latestOnly();
    StoredFunction updated =
        registry.update(
            ref,
            old ->
                FunctionRequests.updateConfiguration(
                    old, Json.object(request.body()), layers, clock.instant()));
    changes.functionChanged(ref.name());
    runtime.evict(ref.name());
    return ApiResponse.json(200, Json.bytes(FunctionConfigurations.render(updated)));
  }

  ApiResponse updateCode(ApiRequest request) {
    FunctionRef ref = request.ref().latestOnly();
    ObjectNode body = Json.object(request.body());
    if (Json.bool(body, "DryRun").orElse(false)) {
      StoredFunction checked =
          FunctionRequests.updateCode(registry.get(ref), body, clock.instant());
      return ApiResponse.json(200, Json.bytes(FunctionConfigurations.render(checked)));
    }
    StoredFunction updated =
        registry.update(ref, old -> FunctionRequests.updateCode(old, body, clock.instant()));
    runtime.evict(ref.name());
    StoredFunction answered = published(body, ref).orElse(updated);
    changes.functionChanged(ref.name());
    return ApiResponse.json(200, Json.bytes(FunctionConfigurations.render(answered)));
  }

  ApiResponse delete(ApiRequest request) {
    FunctionRef ref = request.ref();
    registry.delete(ref);
    if (ref.qualifier().isEmpty()) {
      limits.remove(ref.name());
      provisioned.removeFunction(ref.name());
    } else {
      provisioned.removeVersion(ref);
    }
    changes.functionChanged(ref.name());
    runtime.evict(ref.name());
    return ApiResponse.empty(204);
  }
}
