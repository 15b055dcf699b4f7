package io.lambdarun.server;

import io.lambdarun.api.Archive;
import io.lambdarun.core.model.LambdaFunction;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * One published version of a layer.
 *
 * @param layerName the layer's name
 * @param version the version number, from 1, never reused
 * @param description the free-text description
 * @param content the layer's zip, named after its version ARN
 * @param compatibleRuntimes the runtimes it declares, informational
 * @param compatibleArchitectures the architectures it declares, informational
 * @param licenseInfo the license it declares
 * @param createdDate when it was published
 */
record LayerVersion(
    String layerName,
    int version,
    String description,
    Archive content,
    List<String> compatibleRuntimes,
    List<String> compatibleArchitectures,
    String licenseInfo,
    Instant createdDate) {

  LayerVersion {
    Objects.requireNonNull(layerName, "layerName");
    Objects.requireNonNull(description, "description");
    Objects.requireNonNull(content, "content");
    compatibleRuntimes = List.copyOf(compatibleRuntimes);
    compatibleArchitectures = List.copyOf(compatibleArchitectures);
    Objects.requireNonNull(licenseInfo, "licenseInfo");
    Objects.requireNonNull(createdDate, "createdDate");
  }

  static String layerArn(String layerName) {
    return "arn:aws:lambda:"
        + LambdaFunction.DEFAULT_REGION
        + ":"
        + LambdaFunction.DEFAULT_ACCOUNT
        + ":layer:"
        + layerName;
  }

  String layerArn() {
    return layerArn(layerName);
  }

  String versionArn() {
    return layerArn() + ":" + version;
  }
}
