package io.lambdarun.server;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.lambdarun.api.Archive;
import io.lambdarun.api.ImageConfig;
import io.lambdarun.api.PackageType;
import io.lambdarun.core.model.LambdaFunction;
import io.lambdarun.core.model.LogFormat;
import io.lambdarun.core.model.LoggingConfig;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Base64;
import java.util.HexFormat;

/**
 * Writes a function as AWS's {@code FunctionConfiguration}: the body of CreateFunction,
 * GetFunctionConfiguration and the updates, and the items of ListFunctions. {@code State} is always
 * {@code Active}: a function is checked completely before it is stored, so the SDKs' {@code
 * FunctionActive} waiters return at once.
 */
final class FunctionConfigurations {

  private static final DateTimeFormatter LAST_MODIFIED =
      DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSZ").withZone(ZoneOffset.UTC);

  private FunctionConfigurations() {}

  static ObjectNode render(StoredFunction stored) {
    LambdaFunction function = stored.function();
    ObjectNode node = Json.MAPPER.createObjectNode();
    node.put("FunctionName", function.functionName());
    node.put(
        "FunctionArn",
        function.version().equals(LambdaFunction.LATEST)
            ? function.functionArn()
            : function.qualifiedArn());
    if (function.packageType() == PackageType.ZIP) {
      node.put("Runtime", function.runtime());
      node.put("Handler", function.handler());
    }
    node.put("Role", function.role());
    node.put("CodeSize", function.code().map(Archive::size).orElse(0L));
    node.put("Description", stored.description());
    node.put("Timeout", function.timeout().toSeconds());
    node.put("MemorySize", function.memoryMib());
    node.put("LastModified", LAST_MODIFIED.format(stored.lastModified()));
    node.put("CodeSha256", codeSha256(function));
    node.put("Version", function.version());
    if (!function.environment().isEmpty()) {
      ObjectNode variables = node.putObject("Environment").putObject("Variables");
      function.environment().forEach(variables::put);
    }
    node.putObject("TracingConfig").put("Mode", "PassThrough");
    node.put("RevisionId", stored.revisionId());
    node.put("State", "Active");
    node.put("LastUpdateStatus", "Successful");
    node.put("PackageType", function.packageType() == PackageType.ZIP ? "Zip" : "Image");
    if (!function.imageConfig().isEmpty()) {
      imageConfig(
          node.putObject("ImageConfigResponse").putObject("ImageConfig"), function.imageConfig());
    }
    if (!function.layers().isEmpty()) {
      ArrayNode layers = node.putArray("Layers");
      function
          .layers()
          .forEach(
              layer -> layers.addObject().put("Arn", layer.name()).put("CodeSize", layer.size()));
    }
    node.putArray("Architectures").add(function.architecture().awsName());
    node.putObject("EphemeralStorage").put("Size", function.ephemeralStorageMib());
    node.putObject("SnapStart").put("ApplyOn", "None").put("OptimizationStatus", "Off");
    LoggingConfig logging = function.loggingConfig();
    ObjectNode loggingConfig =
        node.putObject("LoggingConfig").put("LogFormat", logging.logFormat().awsName());
    if (logging.logFormat() == LogFormat.JSON) {
      loggingConfig
          .put("ApplicationLogLevel", logging.effectiveApplicationLogLevel().name())
          .put("SystemLogLevel", logging.effectiveSystemLogLevel().name());
    }
    loggingConfig.put("LogGroup", function.effectiveLogGroup());
    return node;
  }

  /** The {@code Code} member of GetFunction: where the package is. */
  static ObjectNode code(LambdaFunction function) {
    ObjectNode code = Json.MAPPER.createObjectNode();
    if (function.packageType() == PackageType.IMAGE) {
      code.put("RepositoryType", "ECR");
      code.put("ImageUri", function.imageUri().orElse(""));
      code.put("ResolvedImageUri", function.imageUri().orElse(""));
    } else {
      code.put("RepositoryType", "S3");
    }
    return code;
  }

  private static void imageConfig(ObjectNode node, ImageConfig config) {
    if (!config.entryPoint().isEmpty()) {
      ArrayNode entryPoint = node.putArray("EntryPoint");
      config.entryPoint().forEach(entryPoint::add);
    }
    if (!config.command().isEmpty()) {
      ArrayNode command = node.putArray("Command");
      config.command().forEach(command::add);
    }
    config.workingDirectory().ifPresent(dir -> node.put("WorkingDirectory", dir));
  }

  /** Base64 of the SHA-256 of the zip, as AWS reports it; of the image URI for an image. */
  static String codeSha256(LambdaFunction function) {
    byte[] digest =
        function
            .code()
            .map(archive -> HexFormat.of().parseHex(archive.sha256()))
            .orElseGet(() -> sha256(function.imageUri().orElse("")));
    return Base64.getEncoder().encodeToString(digest);
  }

  private static byte[] sha256(String text) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("the JDK lacks SHA-256", e);
    }
  }
}
