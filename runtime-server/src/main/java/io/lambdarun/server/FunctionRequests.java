package io.lambdarun.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.lambdarun.api.Architecture;
import io.lambdarun.api.Archive;
import io.lambdarun.api.ImageConfig;
import io.lambdarun.api.PackageType;
import io.lambdarun.core.model.LambdaFunction;
import io.lambdarun.core.model.LogFormat;
import io.lambdarun.core.model.LogLevel;
import io.lambdarun.core.model.LoggingConfig;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Reads the bodies of CreateFunction, UpdateFunctionConfiguration and UpdateFunctionCode into
 * functions; {@link LambdaFunction.Builder#build()} then applies every Lambda rule.
 */
final class FunctionRequests {

  private FunctionRequests() {}

  static StoredFunction create(ObjectNode body, LayerRegistry layers, Instant now) {
    FunctionRef ref =
        FunctionRef.parse(required(body, "FunctionName", "functionName"), Optional.empty());
    if (ref.qualifier().isPresent()) {
      throw ApiException.invalidParameter(
          "function name '"
              + ref.name()
              + ":"
              + ref.qualifier().get()
              + "' of CreateFunction"
              + " carries a qualifier; name the function without ':"
              + ref.qualifier().get()
              + "'");
    }
    JsonNode code = Json.object(body, "Code").orElseThrow(() -> mustNotBeNull("code"));
    LambdaFunction.Builder builder =
        LambdaFunction.builder().functionName(ref.name()).role(required(body, "Role", "role"));
    PackageType packageType = packageType(body);
    builder.packageType(packageType);
    applyCode(builder, code, packageType);
    applyConfiguration(builder, body, layers);
    applyLogging(builder, body, LoggingConfig.DEFAULT);
    Json.strings(body, "Architectures")
        .ifPresent(values -> builder.architecture(architecture(values)));
    Json.stringMap(body, "Tags").ifPresent(builder::tags);
    return StoredFunction.of(builder.build(), Json.text(body, "Description").orElse(""), now);
  }

  static StoredFunction updateConfiguration(
      StoredFunction old, ObjectNode body, LayerRegistry layers, Instant now) {
    checkRevision(old, body);
    LambdaFunction.Builder builder = old.function().toBuilder();
    Json.text(body, "Role").ifPresent(builder::role);
    applyConfiguration(builder, body, layers);
    applyLogging(builder, body, old.function().loggingConfig());
    return StoredFunction.of(
        builder.build(), Json.text(body, "Description").orElse(old.description()), now);
  }

  /** Checks PublishVersion's preconditions on {@code $LATEST}: its revision and code. */
  static void checkPublish(StoredFunction latest, ObjectNode body) {
    checkRevision(latest, body);
    String codeSha256 = FunctionConfigurations.codeSha256(latest.function());
    Optional<String> expected = Json.text(body, "CodeSha256");
    if (expected.isPresent() && !expected.get().equals(codeSha256)) {
      throw ApiException.invalidParameter(
          "CodeSHA256 ("
              + expected.get()
              + ") is different from current CodeSHA256 in $LATEST ("
              + codeSha256
              + "). Please try again.");
    }
  }

  /** Copies {@code $LATEST} as version {@code number}. */
  static StoredFunction publish(StoredFunction latest, int number, ObjectNode body, Instant now) {
    LambdaFunction version =
        latest.function().toBuilder().version(Integer.toString(number)).build();
    return StoredFunction.of(
        version, Json.text(body, "Description").orElse(latest.description()), now);
  }

  static StoredFunction updateCode(StoredFunction old, ObjectNode body, Instant now) {
    checkRevision(old, body);
    LambdaFunction.Builder builder = old.function().toBuilder();
    applyCode(builder, body, old.function().packageType());
    Json.strings(body, "Architectures")
        .ifPresent(values -> builder.architecture(architecture(values)));
    return StoredFunction.of(builder.build(), old.description(), now);
  }

  private static void applyConfiguration(
      LambdaFunction.Builder builder, JsonNode body, LayerRegistry layers) {
    Json.text(body, "Runtime").ifPresent(builder::runtime);
    Json.text(body, "Handler").ifPresent(builder::handler);
    Json.integer(body, "Timeout").ifPresent(builder::timeoutSeconds);
    Json.integer(body, "MemorySize").ifPresent(builder::memoryMib);
    Json.object(body, "Environment")
        .ifPresent(env -> builder.environment(Json.stringMap(env, "Variables").orElse(Map.of())));
    Json.object(body, "EphemeralStorage")
        .ifPresent(
            storage ->
                builder.ephemeralStorageMib(
                    Json.integer(storage, "Size")
                        .orElseThrow(() -> mustNotBeNull("ephemeralStorage.size"))));
    Json.object(body, "ImageConfig").ifPresent(config -> builder.imageConfig(imageConfig(config)));
    Json.strings(body, "Layers")
        .ifPresent(arns -> builder.layers(arns.stream().map(arn -> layer(layers, arn)).toList()));
  }

  /**
   * Applies a {@code LoggingConfig} member over the current one: the members it has replace the
   * current ones; the levels of a JSON configuration stay unless replaced, and go with the Text
   * format.
   */
  private static void applyLogging(
      LambdaFunction.Builder builder, JsonNode body, LoggingConfig current) {
    Json.object(body, "LoggingConfig")
        .ifPresent(config -> builder.loggingConfig(loggingConfig(config, current)));
  }

  private static LoggingConfig loggingConfig(JsonNode config, LoggingConfig current) {
    LogFormat format =
        Json.text(config, "LogFormat").map(FunctionRequests::logFormat).orElse(current.logFormat());
    Optional<LogLevel> application =
        Json.text(config, "ApplicationLogLevel")
            .map(value -> logLevel(value, "loggingConfig.applicationLogLevel", LogLevel.values()));
    Optional<LogLevel> system =
        Json.text(config, "SystemLogLevel")
            .map(
                value ->
                    logLevel(
                        value,
                        "loggingConfig.systemLogLevel",
                        new LogLevel[] {LogLevel.DEBUG, LogLevel.INFO, LogLevel.WARN}));
    if (format == LogFormat.JSON) {
      application = application.or(current::applicationLogLevel);
      system = system.or(current::systemLogLevel);
    }
    return new LoggingConfig(
        format, application, system, Json.text(config, "LogGroup").or(current::logGroup));
  }

  private static LogFormat logFormat(String value) {
    for (LogFormat format : LogFormat.values()) {
      if (format.awsName().equals(value)) {
        return format;
      }
    }
    throw ApiException.validation(
        "1 validation error detected: Value '"
            + value
            + "' at 'loggingConfig.logFormat' failed"
            + " to satisfy constraint: Member must satisfy enum value set: [JSON, Text]");
  }

  private static LogLevel logLevel(String value, String member, LogLevel[] allowed) {
    for (LogLevel level : allowed) {
      if (level.name().equals(value)) {
        return level;
      }
    }
    throw ApiException.validation(
        "1 validation error detected: Value '"
            + value
            + "' at '"
            + member
            + "' failed to satisfy"
            + " constraint: Member must satisfy enum value set: "
            + List.of(allowed));
  }

  private static Archive layer(LayerRegistry layers, String versionArn) {
    return layers
        .find(versionArn)
        .map(LayerVersion::content)
        .orElseThrow(
            () ->
                ApiException.invalidParameter("Layer version " + versionArn + " does not exist."));
  }

  private static void applyCode(LambdaFunction.Builder builder, JsonNode code, PackageType type) {
    if (code.hasNonNull("S3Bucket") || code.hasNonNull("S3Key")) {
      throw ApiException.invalidParameter(
          "code from S3 bucket '"
              + code.path("S3Bucket").asText()
              + "' is not served by"
              + " lambdarun; send the zip itself as 'ZipFile'");
    }
    Optional<String> zip = Json.text(code, "ZipFile");
    Optional<String> image = Json.text(code, "ImageUri");
    if (type == PackageType.ZIP) {
      if (image.isPresent()) {
        throw ApiException.invalidParameter(
            "Please don't provide ImageUri when updating a function with packageType Zip.");
      }
      builder.code(
          Archive.ofBytes(
              "ZipFile",
              base64(
                  zip.orElseThrow(
                      () ->
                          ApiException.invalidParameter(
                              "Please provide a source for function code.")))));
    } else {
      if (zip.isPresent()) {
        throw ApiException.invalidParameter(
            "Please don't provide ZipFile when updating a function with packageType Image.");
      }
      builder.imageUri(
          image.orElseThrow(
              () -> ApiException.invalidParameter("Please provide a source for function code.")));
    }
  }

  static byte[] base64(String text) {
    try {
      return Base64.getDecoder().decode(text);
    } catch (IllegalArgumentException e) {
      throw ApiException.invalidContent(
          "Could not parse request body into json: 'ZipFile' is not base64 ("
              + e.getMessage()
              + "); encode the zip's bytes with standard base64");
    }
  }

  private static PackageType packageType(JsonNode body) {
    String value = Json.text(body, "PackageType").orElse("Zip");
    return switch (value) {
      case "Zip" -> PackageType.ZIP;
      case "Image" -> PackageType.IMAGE;
      default ->
          throw ApiException.validation(
              "1 validation error detected: Value '"
                  + value
                  + "' at 'packageType' failed to"
                  + " satisfy constraint: Member must satisfy enum value set: [Image, Zip]");
    };
  }

  private static Architecture architecture(List<String> values) {
    if (values.size() != 1) {
      throw ApiException.validation(
          "1 validation error detected: Value '"
              + values
              + "' at 'architectures' failed to"
              + " satisfy constraint: Member must have length less than or equal to 1");
    }
    return Architecture.fromAwsName(values.get(0));
  }

  private static ImageConfig imageConfig(JsonNode config) {
    return new ImageConfig(
        Json.strings(config, "EntryPoint").orElse(List.of()),
        Json.strings(config, "Command").orElse(List.of()),
        Json.text(config, "WorkingDirectory"));
  }

  private static void checkRevision(StoredFunction old, JsonNode body) {
    Optional<String> revision = Json.text(body, "RevisionId");
    if (revision.isPresent() && !revision.get().equals(old.revisionId())) {
      throw new ApiException(
          412,
          "PreconditionFailedException",
          "The Revision Id provided does not match the latest Revision Id. Call the"
              + " GetFunction/GetAlias API to retrieve the latest Revision Id");
    }
  }

  private static String required(JsonNode body, String field, String memberName) {
    return Json.text(body, field).orElseThrow(() -> mustNotBeNull(memberName));
  }

  private static ApiException mustNotBeNull(String memberName) {
    return ApiException.validation(
        "1 validation error detected: Value null at '"
            + memberName
            + "' failed to satisfy"
            + " constraint: Member must not be null");
  }
}
