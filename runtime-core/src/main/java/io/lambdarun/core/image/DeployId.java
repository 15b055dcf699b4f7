package io.lambdarun.core.image;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.lambdarun.api.Archive;
import io.lambdarun.api.ImageConfig;
import io.lambdarun.core.model.LambdaFunction;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Map;

/**
 * The fingerprint of everything that shapes a function's instances; two instances are
 * interchangeable only when their deploy ids are equal.
 *
 * <p>It is the SHA-256 of the code's SHA-256 (hex, UTF-8), a zero byte, the launch-config JSON, and
 * for each layer in attach order a {@code :} followed by the layer's raw 32-byte SHA-256, encoded
 * as base64url without padding (43 characters, safe in URLs and label values). The launch-config
 * JSON is the array {@code [role, runtime, handler, timeout, memory, environment, packageType,
 * imageUri, imageConfig, ephemeralStorage, logGroup, architecture, tags-or-null]}.
 */
public final class DeployId {

  private static final ObjectMapper JSON = new ObjectMapper();

  private DeployId() {}

  /**
   * Computes a function's deploy id.
   *
   * @param function the function
   * @param withTags whether the backend's instances depend on the function's tags
   * @return 43 characters of {@code [A-Za-z0-9_-]}
   */
  public static String of(LambdaFunction function, boolean withTags) {
    MessageDigest digest = sha256();
    digest.update(function.code().map(Archive::sha256).orElse("").getBytes(StandardCharsets.UTF_8));
    digest.update((byte) 0);
    digest.update(launchConfig(function, withTags).getBytes(StandardCharsets.UTF_8));
    for (Archive layer : function.layers()) {
      digest.update((byte) ':');
      digest.update(HexFormat.of().parseHex(layer.sha256()));
    }
    return Base64.getUrlEncoder().withoutPadding().encodeToString(digest.digest());
  }

  /**
   * Returns the launch-config JSON hashed into the deploy id.
   *
   * @param function the function
   * @param withTags whether to include the tags (otherwise {@code null} stands in their place)
   * @return compact JSON
   */
  public static String launchConfig(LambdaFunction function, boolean withTags) {
    ArrayNode config = JSON.createArrayNode();
    config.add(function.role());
    config.add(function.runtime());
    config.add(function.handler());
    config.add(function.timeout().toSeconds());
    config.add(function.memoryMib());
    config.add(object(function.environment()));
    config.add(function.packageType().name());
    config.add(function.imageUri().orElse(null));
    config.add(imageConfig(function.imageConfig()));
    config.add(function.ephemeralStorageMib());
    config.add(function.logGroup().orElse(null));
    config.add(function.loggingConfig().logFormat().awsName());
    config.add(function.loggingConfig().applicationLogLevel().map(Enum::name).orElse(null));
    config.add(function.architecture().awsName());
    if (withTags) {
      config.add(object(function.tags()));
    } else {
      config.addNull();
    }
    try {
      return JSON.writeValueAsString(config);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot serialise a launch config", e);
    }
  }

  private static ObjectNode object(Map<String, String> sorted) {
    ObjectNode node = JSON.createObjectNode();
    sorted.forEach(node::put);
    return node;
  }

  private static ObjectNode imageConfig(ImageConfig imageConfig) {
    ObjectNode node = JSON.createObjectNode();
    imageConfig.entryPoint().forEach(node.putArray("EntryPoint")::add);
    imageConfig.command().forEach(node.putArray("Command")::add);
    node.put("WorkingDirectory", imageConfig.workingDirectory().orElse(null));
    return node;
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("the JDK lacks SHA-256", e);
    }
  }
}
