package io.lambdarun.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.lambdarun.api.Archive;
import io.lambdarun.api.ArchiveLimits;
import java.time.Clock;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;

/**
 * PublishLayerVersion, GetLayerVersion, ListLayerVersions and DeleteLayerVersion. A layer's zip is
 * checked as a function's code is (zip slip, links, bombs, corrupt zips) before it is stored;
 * functions name versions by ARN in {@code Layers} and keep their copy when a version is deleted.
 */
final class LayerOperations {

  private static final int DEFAULT_MAX_ITEMS = 50;
  private static final int MAX_ITEMS_LIMIT = 50;
  private static final DateTimeFormatter CREATED =
      DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSZ").withZone(ZoneOffset.UTC);

  private final LayerRegistry layers;
  private final StateChanges changes;
  private final Clock clock;

  LayerOperations(LayerRegistry layers, StateChanges changes, Clock clock) {
    this.layers = layers;
    this.changes = changes;
    this.clock = clock;
  }

  ApiResponse publish(ApiRequest request) {
    String name = LayerRegistry.name(request.pathParameter(0));
    ObjectNode body = Json.object(request.body());
    JsonNode content =
        Json.object(body, "Content")
            .orElseThrow(
                () ->
                    ApiException.validation(
                        "1 validation error detected: Value null at 'content' failed to satisfy"
                            + " constraint: Member must not be null"));
    if (content.hasNonNull("S3Bucket") || content.hasNonNull("S3Key")) {
      throw ApiException.invalidParameter(
          "layer content from S3 bucket '"
              + content.path("S3Bucket").asText()
              + "' is not served"
              + " by lambdarun; send the zip itself as 'ZipFile'");
    }
    byte[] zip =
        FunctionRequests.base64(
            Json.text(content, "ZipFile")
                .orElseThrow(
                    () ->
                        ApiException.invalidParameter(
                            "Please provide a source for layer content.")));
    String description = Json.text(body, "Description").orElse("");
    List<String> runtimes = Json.strings(body, "CompatibleRuntimes").orElse(List.of());
    List<String> architectures = Json.strings(body, "CompatibleArchitectures").orElse(List.of());
    String license = Json.text(body, "LicenseInfo").orElse("");
    LayerVersion published =
        layers.publish(
            name,
            version -> {
              Archive archive = Archive.ofBytes(LayerVersion.layerArn(name) + ":" + version, zip);
              archive.entries(ArchiveLimits.AWS);
              return new LayerVersion(
                  name,
                  version,
                  description,
                  archive,
                  runtimes,
                  architectures,
                  license,
                  clock.instant());
            });
    changes.layerChanged(name);
    return ApiResponse.json(201, Json.bytes(render(published, true)));
  }

  ApiResponse get(ApiRequest request) {
    LayerVersion version =
        layers.get(
            LayerRegistry.name(request.pathParameter(0)),
            LayerRegistry.versionNumber(request.pathParameter(1)));
    return ApiResponse.json(200, Json.bytes(render(version, true)));
  }

  ApiResponse list(ApiRequest request) {
    int maxItems =
        Paging.maxItems(request.queryParameter("MaxItems"), DEFAULT_MAX_ITEMS, MAX_ITEMS_LIMIT);
    FunctionRegistry.Page<LayerVersion> page =
        layers.page(
            LayerRegistry.name(request.pathParameter(0)),
            request
                .queryParameter("Marker")
                .filter(m -> !m.isEmpty())
                .map(LayerRegistry::versionNumber),
            maxItems);
    ObjectNode body = Json.MAPPER.createObjectNode();
    page.nextMarker().ifPresent(marker -> body.put("NextMarker", marker));
    ArrayNode versions = body.putArray("LayerVersions");
    page.items().forEach(item -> versions.add(render(item, false)));
    return ApiResponse.json(200, Json.bytes(body));
  }

  ApiResponse delete(ApiRequest request) {
    String name = LayerRegistry.name(request.pathParameter(0));
    layers.delete(name, LayerRegistry.versionNumber(request.pathParameter(1)));
    changes.layerChanged(name);
    return ApiResponse.empty(204);
  }

  /** A {@code GetLayerVersion} answer, or a {@code LayerVersionsListItem} without content. */
  private static ObjectNode render(LayerVersion version, boolean withContent) {
    ObjectNode node = Json.MAPPER.createObjectNode();
    if (withContent) {
      node.putObject("Content")
          .put(
              "CodeSha256",
              Base64.getEncoder()
                  .encodeToString(HexFormat.of().parseHex(version.content().sha256())))
          .put("CodeSize", version.content().size());
      node.put("LayerArn", version.layerArn());
    }
    node.put("LayerVersionArn", version.versionArn());
    node.put("Description", version.description());
    node.put("CreatedDate", CREATED.format(version.createdDate()));
    node.put("Version", version.version());
    if (!version.compatibleRuntimes().isEmpty()) {
      ArrayNode runtimes = node.putArray("CompatibleRuntimes");
      version.compatibleRuntimes().forEach(runtimes::add);
    }
    if (!version.compatibleArchitectures().isEmpty()) {
      ArrayNode architectures = node.putArray("CompatibleArchitectures");
      version.compatibleArchitectures().forEach(architectures::add);
    }
    if (!version.licenseInfo().isEmpty()) {
      node.put("LicenseInfo", version.licenseInfo());
    }
    return node;
  }
}
