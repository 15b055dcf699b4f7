package io.lambdarun.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.lambdarun.api.Architecture;
import io.lambdarun.api.Archive;
import io.lambdarun.api.ConfigurationException;
import io.lambdarun.api.ImageConfig;
import io.lambdarun.api.LambdaRunException;
import io.lambdarun.api.PackageType;
import io.lambdarun.core.model.LambdaFunction;
import io.lambdarun.core.model.LogFormat;
import io.lambdarun.core.model.LogLevel;
import io.lambdarun.core.model.LoggingConfig;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Optional;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Keeps functions, their versions, reserved and provisioned concurrency, and layers in a folder so
 * they survive a restart (provisioned versions are launched again at load): {@code
 * functions/<name>.json}, {@code layers/<name>.json} and the zips, by SHA-256, in {@code code/}.
 * Every file is written to a temporary file, forced to disk and renamed over the old one, and code
 * before the JSON that names it, so a crash mid-write leaves the previous state or the new one,
 * never half a function; temporary files left by a crash are removed at start.
 *
 * <p>One file on purpose: every kind of record goes through the same write-then-rename and the same
 * load order, which is the class's whole point.
 */
final class DataDirectory implements StateChanges {

  private static final String TEMPORARY = ".tmp-";

  private final Path functionsDir;
  private final Path layersDir;
  private final Path codeDir;
  private final FunctionRegistry functions;
  private final LayerRegistry layers;
  private final ConcurrencyLimits limits;
  private final ProvisionedConcurrencyConfigs provisioned;
  private final Map<String, Object> locks = new ConcurrentHashMap<>();

  DataDirectory(
      Path root,
      FunctionRegistry functions,
      LayerRegistry layers,
      ConcurrencyLimits limits,
      ProvisionedConcurrencyConfigs provisioned) {
    this.functionsDir = root.resolve("functions");
    this.layersDir = root.resolve("layers");
    this.codeDir = root.resolve("code");
    this.functions = functions;
    this.layers = layers;
    this.limits = limits;
    this.provisioned = provisioned;
    try {
      for (Path dir : List.of(functionsDir, layersDir, codeDir)) {
        Files.createDirectories(dir);
        removeTemporaryFiles(dir);
      }
    } catch (IOException e) {
      throw new ConfigurationException(
          "data-dir",
          "data directory '"
              + root
              + "' cannot be used ("
              + e.getMessage()
              + "); pass a folder"
              + " this user can write");
    }
  }

  /** Reads every layer, then every function (which may use layer versions deleted since). */
  void load() {
    for (Path file : jsonFiles(layersDir)) {
      layers.restore(readLayer(file));
    }
    for (Path file : jsonFiles(functionsDir)) {
      readFunction(file);
    }
  }

  @Override
  public void functionChanged(String name) {
    synchronized (locks.computeIfAbsent("function:" + name, key -> new Object())) {
      Path file = functionsDir.resolve(name + ".json");
      Optional<FunctionRegistry.Versions> versions = functions.snapshot(name);
      if (versions.isEmpty()) {
        delete(file);
        return;
      }
      ObjectNode node = Json.MAPPER.createObjectNode();
      ArrayNode all = node.putArray("Versions");
      all.add(function(versions.get().latest()));
      versions.get().published().values().forEach(version -> all.add(function(version)));
      node.put("LastNumber", versions.get().lastNumber());
      node.put("PublishedFrom", versions.get().publishedFrom());
      limits.get(name).ifPresent(n -> node.put("ReservedConcurrency", n));
      ArrayNode configs = node.putArray("ProvisionedConcurrency");
      provisioned
          .snapshot(name)
          .forEach(
              saved ->
                  configs
                      .addObject()
                      .put("Version", saved.version())
                      .put("Requested", saved.requested())
                      .put("LastModified", saved.lastModified().toEpochMilli()));
      write(file, Json.bytes(node));
    }
  }

  @Override
  public void layerChanged(String name) {
    synchronized (locks.computeIfAbsent("layer:" + name, key -> new Object())) {
      Path file = layersDir.resolve(name + ".json");
      Optional<LayerRegistry.Snapshot> snapshot = layers.snapshot(name);
      if (snapshot.isEmpty()) {
        delete(file);
        return;
      }
      ObjectNode node = Json.MAPPER.createObjectNode();
      node.put("LastVersion", snapshot.get().lastVersion());
      ArrayNode versions = node.putArray("Versions");
      for (LayerVersion version : snapshot.get().versions()) {
        ObjectNode item = versions.addObject();
        item.put("Version", version.version());
        item.put("Description", version.description());
        item.put("Code", saveCode(version.content()));
        strings(item.putArray("CompatibleRuntimes"), version.compatibleRuntimes());
        strings(item.putArray("CompatibleArchitectures"), version.compatibleArchitectures());
        item.put("LicenseInfo", version.licenseInfo());
        item.put("CreatedDate", version.createdDate().toEpochMilli());
      }
      write(file, Json.bytes(node));
    }
  }

  private ObjectNode function(StoredFunction stored) {
    LambdaFunction function = stored.function();
    ObjectNode node = Json.MAPPER.createObjectNode();
    node.put("FunctionName", function.functionName());
    node.put("Version", function.version());
    node.put("Description", stored.description());
    node.put("LastModified", stored.lastModified().toEpochMilli());
    node.put("RevisionId", stored.revisionId());
    node.put("Role", function.role());
    node.put("PackageType", function.packageType().name());
    node.put("Runtime", function.runtime());
    node.put("Handler", function.handler());
    node.put("Timeout", function.timeout().toSeconds());
    node.put("MemorySize", function.memoryMib());
    node.put("EphemeralStorage", function.ephemeralStorageMib());
    node.put("Architecture", function.architecture().awsName());
    ObjectNode environment = node.putObject("Environment");
    function.environment().forEach(environment::put);
    ObjectNode tags = node.putObject("Tags");
    function.tags().forEach(tags::put);
    function.imageUri().ifPresent(uri -> node.put("ImageUri", uri));
    ObjectNode imageConfig = node.putObject("ImageConfig");
    strings(imageConfig.putArray("EntryPoint"), function.imageConfig().entryPoint());
    strings(imageConfig.putArray("Command"), function.imageConfig().command());
    function
        .imageConfig()
        .workingDirectory()
        .ifPresent(dir -> imageConfig.put("WorkingDirectory", dir));
    function.logGroup().ifPresent(group -> node.put("LogGroup", group));
    LoggingConfig logging = function.loggingConfig();
    ObjectNode loggingNode =
        node.putObject("LoggingConfig").put("LogFormat", logging.logFormat().name());
    logging
        .applicationLogLevel()
        .ifPresent(level -> loggingNode.put("ApplicationLogLevel", level.name()));
    logging.systemLogLevel().ifPresent(level -> loggingNode.put("SystemLogLevel", level.name()));
    function.code().ifPresent(code -> node.put("Code", saveCode(code)));
    ArrayNode layerNodes = node.putArray("Layers");
    for (Archive layer : function.layers()) {
      layerNodes.addObject().put("Arn", layer.name()).put("Code", saveCode(layer));
    }
    return node;
  }

  private void readFunction(Path file) {
    try {
      JsonNode node = Json.MAPPER.readTree(file.toFile());
      List<StoredFunction> versions = new ArrayList<>();
      for (JsonNode version : node.get("Versions")) {
        versions.add(storedFunction(version));
      }
      NavigableMap<Integer, StoredFunction> published = new TreeMap<>();
      versions
          .subList(1, versions.size())
          .forEach(
              version -> published.put(Integer.parseInt(version.function().version()), version));
      functions.restore(
          new FunctionRegistry.Versions(
              versions.get(0), Collections.unmodifiableNavigableMap(published),
              node.get("LastNumber").asInt(), node.get("PublishedFrom").asText()));
      if (node.hasNonNull("ReservedConcurrency")) {
        limits.put(versions.get(0).name(), node.get("ReservedConcurrency").asInt());
      }
      for (JsonNode config : node.path("ProvisionedConcurrency")) {
        provisioned.restore(
            versions.get(0).name(),
            new ProvisionedConcurrencyConfigs.Saved(
                config.get("Version").asText(),
                config.get("Requested").asInt(),
                Instant.ofEpochMilli(config.get("LastModified").asLong())));
      }
    } catch (IOException | RuntimeException e) {
      throw unreadable(file, e);
    }
  }

  private StoredFunction storedFunction(JsonNode node) {
    LambdaFunction.Builder builder =
        LambdaFunction.builder()
            .functionName(node.get("FunctionName").asText())
            .version(node.get("Version").asText())
            .role(node.get("Role").asText())
            .packageType(PackageType.valueOf(node.get("PackageType").asText()))
            .runtime(node.get("Runtime").asText())
            .handler(node.get("Handler").asText())
            .timeoutSeconds(node.get("Timeout").asInt())
            .memoryMib(node.get("MemorySize").asInt())
            .ephemeralStorageMib(node.get("EphemeralStorage").asInt())
            .architecture(Architecture.fromAwsName(node.get("Architecture").asText()))
            .environment(Json.stringMap(node, "Environment").orElseThrow())
            .tags(Json.stringMap(node, "Tags").orElseThrow())
            .imageConfig(
                new ImageConfig(
                    Json.strings(node.get("ImageConfig"), "EntryPoint").orElseThrow(),
                    Json.strings(node.get("ImageConfig"), "Command").orElseThrow(),
                    Json.text(node.get("ImageConfig"), "WorkingDirectory")));
    Json.text(node, "ImageUri").ifPresent(builder::imageUri);
    Json.object(node, "LoggingConfig")
        .ifPresent(
            logging ->
                builder.loggingConfig(
                    new LoggingConfig(
                        LogFormat.valueOf(logging.get("LogFormat").asText()),
                        Json.text(logging, "ApplicationLogLevel").map(LogLevel::valueOf),
                        Json.text(logging, "SystemLogLevel").map(LogLevel::valueOf),
                        Optional.empty())));
    Json.text(node, "LogGroup").ifPresent(builder::logGroup);
    Json.text(node, "Code")
        .ifPresent(sha -> builder.code(Archive.ofBytes("ZipFile", readCode(sha))));
    List<Archive> layerArchives = new ArrayList<>();
    for (JsonNode layer : node.get("Layers")) {
      layerArchives.add(
          Archive.ofBytes(layer.get("Arn").asText(), readCode(layer.get("Code").asText())));
    }
    builder.layers(layerArchives);
    return new StoredFunction(
        builder.build(), node.get("Description").asText(),
        Instant.ofEpochMilli(node.get("LastModified").asLong()), node.get("RevisionId").asText());
  }

  private LayerRegistry.Snapshot readLayer(Path file) {
    try {
      JsonNode node = Json.MAPPER.readTree(file.toFile());
      String name = file.getFileName().toString().replaceFirst("\\.json$", "");
      List<LayerVersion> versions = new ArrayList<>();
      for (JsonNode version : node.get("Versions")) {
        int number = version.get("Version").asInt();
        versions.add(
            new LayerVersion(
                name,
                number,
                version.get("Description").asText(),
                Archive.ofBytes(
                    LayerVersion.layerArn(name) + ":" + number,
                    readCode(version.get("Code").asText())),
                Json.strings(version, "CompatibleRuntimes").orElseThrow(),
                Json.strings(version, "CompatibleArchitectures").orElseThrow(),
                version.get("LicenseInfo").asText(),
                Instant.ofEpochMilli(version.get("CreatedDate").asLong())));
      }
      return new LayerRegistry.Snapshot(name, node.get("LastVersion").asInt(), versions);
    } catch (IOException | RuntimeException e) {
      throw unreadable(file, e);
    }
  }

  /** Stores a zip once under its SHA-256 and returns that. */
  private String saveCode(Archive archive) {
    Path file = codeDir.resolve(archive.sha256() + ".zip");
    if (!Files.exists(file)) {
      try (InputStream in = archive.open()) {
        write(file, in.readAllBytes());
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return archive.sha256();
  }

  private byte[] readCode(String sha256) {
    try {
      return Files.readAllBytes(codeDir.resolve(sha256 + ".zip"));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void write(Path file, byte[] bytes) {
    Path temporary = file.resolveSibling(TEMPORARY + UUID.randomUUID() + "-" + file.getFileName());
    try {
      try (FileChannel channel =
          FileChannel.open(temporary, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
        ByteBuffer buffer = ByteBuffer.wrap(bytes);
        while (buffer.hasRemaining()) {
          channel.write(buffer);
        }
        channel.force(true);
      }
      Files.move(
          temporary, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (IOException e) {
      try {
        Files.deleteIfExists(temporary);
      } catch (IOException ignored) {
        // the start-up clean-up removes it
      }
      throw new LambdaRunException(
          "cannot write '"
              + file
              + "' ("
              + e.getMessage()
              + "); check the data directory's disk"
              + " and permissions",
          e);
    }
  }

  private static void delete(Path file) {
    try {
      Files.deleteIfExists(file);
    } catch (IOException e) {
      throw new LambdaRunException(
          "cannot delete '"
              + file
              + "' ("
              + e.getMessage()
              + "); check the data directory's"
              + " permissions",
          e);
    }
  }

  private static List<Path> jsonFiles(Path dir) {
    List<Path> files = new ArrayList<>();
    try (DirectoryStream<Path> stream = Files.newDirectoryStream(dir, "[!.]*.json")) {
      stream.forEach(files::add);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    Collections.sort(files);
    return files;
  }

  private static void removeTemporaryFiles(Path dir) throws IOException {
    try (DirectoryStream<Path> stream = Files.newDirectoryStream(dir, TEMPORARY + "*")) {
      for (Path file : stream) {
        Files.deleteIfExists(file);
      }
    }
  }

  private static void strings(ArrayNode array, List<String> values) {
    values.forEach(array::add);
  }

  private static ConfigurationException unreadable(Path file, Exception cause) {
    return new ConfigurationException(
        "data-dir",
        "'"
            + file
            + "' in the data directory cannot be read ("
            + cause
            + "); restore it from a"
            + " backup or remove it to drop what it holds");
  }
}
