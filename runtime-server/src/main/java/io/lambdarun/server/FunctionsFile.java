package io.lambdarun.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.lambdarun.api.Archive;
import io.lambdarun.api.ConfigurationException;
import io.lambdarun.api.LambdaRunException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.dataformat.yaml.YAMLMapper;

/**
 * Functions declared at start ({@code --functions FILE}): a JSON object, or a YAML mapping in a
 * {@code .yaml} or {@code .yml} file, whose {@code Functions} list holds CreateFunction requests,
 * where {@code Code.Path} (a folder or a zip, relative to the file) may stand for {@code
 * Code.ZipFile} and {@code Role} may be left out. Every entry is checked as CreateFunction checks
 * it; one error lists every bad entry. A declared function replaces the {@code $LATEST} of one kept
 * in the data directory.
 */
final class FunctionsFile {

  private static final String DEFAULT_ROLE = "arn:aws:iam::000000000000:role/lambda-role";

  private FunctionsFile() {}

  /** Reads the file and returns its functions, or fails naming every bad entry. */
  static List<StoredFunction> read(Path file, LayerRegistry layers, Instant now) {
    JsonNode root = isYaml(file) ? readYaml(file) : readJson(file);
    JsonNode entries = root == null ? null : root.get("Functions");
    if (entries == null || !entries.isArray()) {
      throw new ConfigurationException(
          "functions",
          "functions file '"
              + file
              + "' has no 'Functions' list; write "
              + (isYaml(file)
                  ? "'Functions:' with a '- FunctionName: ...' entry per function"
                  : "{\"Functions\": [...]}"));
    }
    Path base = file.toAbsolutePath().getParent();
    List<StoredFunction> functions = new ArrayList<>();
    List<String> errors = new ArrayList<>();
    int index = 0;
    for (JsonNode entry : entries) {
      index++;
      String name = entry.path("FunctionName").asText("");
      try {
        if (!(entry instanceof ObjectNode request)) {
          throw ApiException.invalidContent("the entry is not a JSON object");
        }
        functions.add(FunctionRequests.create(resolved(request.deepCopy(), base), layers, now));
      } catch (LambdaRunException | UncheckedIOException e) {
        errors.add("function " + index + " ('" + name + "'): " + e.getMessage());
      }
    }
    if (!errors.isEmpty()) {
      throw new ConfigurationException(
          "functions",
          "functions file '"
              + file
              + "' has "
              + errors.size()
              + " bad entries, fix them: "
              + String.join(" | ", errors));
    }
    return functions;
  }

  private static boolean isYaml(Path file) {
    String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
    return name.endsWith(".yaml") || name.endsWith(".yml");
  }

  private static JsonNode readJson(Path file) {
    try {
      return Json.MAPPER.readTree(file.toFile());
    } catch (IOException e) {
      throw new ConfigurationException(
          "functions",
          "functions file '"
              + file
              + "' cannot be read as JSON ("
              + Json.firstLine(e.getMessage())
              + "); write a JSON object with a 'Functions' list");
    }
  }

  /** Reads YAML and hands on the same tree as JSON, so each entry is checked as JSON is. */
  private static JsonNode readYaml(Path file) {
    try {
      tools.jackson.databind.JsonNode yaml = YAMLMapper.shared().readTree(file.toFile());
      return Json.MAPPER.readTree(JsonMapper.shared().writeValueAsBytes(yaml));
    } catch (JacksonException | IOException e) {
      throw new ConfigurationException(
          "functions",
          "functions file '"
              + file
              + "' cannot be read as YAML ("
              + Json.firstLine(e.getMessage())
              + "); write a mapping with a 'Functions' list");
    }
  }

  /** Turns {@code Code.Path} into {@code Code.ZipFile} and fills in the role. */
  private static ObjectNode resolved(ObjectNode request, Path base) {
    if (!request.hasNonNull("Role")) {
      request.put("Role", DEFAULT_ROLE);
    }
    JsonNode code = request.get("Code");
    Optional<String> path = code == null ? Optional.empty() : Json.text(code, "Path");
    if (path.isPresent()) {
      Path location = base.resolve(path.get()).normalize();
      Archive archive;
      if (Files.isDirectory(location)) {
        archive = Archive.ofDirectory(location.toString(), location);
      } else if (Files.isRegularFile(location)) {
        archive = Archive.ofFile(location);
      } else {
        throw ApiException.invalidParameter(
            "Code.Path '"
                + path.get()
                + "' is neither a folder nor a zip file next to the"
                + " functions file; name an existing folder or zip");
      }
      try (InputStream in = archive.open()) {
        ((ObjectNode) code)
            .put("ZipFile", Base64.getEncoder().encodeToString(in.readAllBytes()))
            .remove("Path");
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return request;
  }
}
