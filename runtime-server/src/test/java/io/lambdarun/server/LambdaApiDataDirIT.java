package io.lambdarun.server;

import static io.lambdarun.server.TestServer.ROLE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.lambdarun.api.ConfigurationException;
import java.io.OutputStream;
import java.net.HttpURLConnection;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.lambda.LambdaClient;
import software.amazon.awssdk.services.lambda.model.FunctionConfiguration;
import software.amazon.awssdk.services.lambda.model.GetFunctionConfigurationResponse;
import software.amazon.awssdk.services.lambda.model.GetProvisionedConcurrencyConfigResponse;
import software.amazon.awssdk.services.lambda.model.LambdaException;
import software.amazon.awssdk.services.lambda.model.LayerVersionsListItem;
import software.amazon.awssdk.services.lambda.model.PackageType;
import software.amazon.awssdk.services.lambda.model.ProvisionedConcurrencyStatusEnum;
import software.amazon.awssdk.services.lambda.model.PublishLayerVersionResponse;
import software.amazon.awssdk.services.lambda.model.ResourceNotFoundException;
import software.amazon.awssdk.services.lambda.model.Runtime;

/**
 * With a data directory, functions (every version, reserved and provisioned concurrency) and layers
 * survive a restart of the server and its runtime; a crash's temporary files are ignored and
 * removed.
 */
class LambdaApiDataDirIT {

  @TempDir Path dataDir;

  private void withServer(Consumer<LambdaClient> calls) {
    try (TestServer server = TestServer.local(TestServer.options().withDataDir(dataDir))) {
      calls.accept(server.lambda());
    }
  }

  @Test
  void functionsVersionsConcurrencyAndLayersSurviveARestart() throws Exception {
    GetFunctionConfigurationResponse[] before = new GetFunctionConfigurationResponse[1];
    withServer(
        lambda -> {
          String layer = publishGreetingLayer(lambda, "kept").layerVersionArn();
          lambda.createFunction(
              r ->
                  r.functionName("kept")
                      .runtime(Runtime.PYTHON3_12)
                      .handler("app.handler")
                      .role(ROLE)
                      .description("survives")
                      .timeout(7)
                      .layers(layer)
                      .environment(e -> e.variables(Map.of("VARIANT", "one")))
                      .tags(Map.of("team", "lambdarun"))
                      .code(
                          c ->
                              c.zipFile(
                                  SdkBytes.fromByteArray(
                                      Zips.python(
                                          "    import greeting\n"
                                              + "    return greeting.WORD + ' ' +"
                                              + " os.environ['VARIANT']")))));
          lambda.publishVersion(r -> r.functionName("kept"));
          lambda.updateFunctionConfiguration(
              r -> r.functionName("kept").environment(e -> e.variables(Map.of("VARIANT", "two"))));
          lambda.putFunctionConcurrency(
              r -> r.functionName("kept").reservedConcurrentExecutions(5));
          lambda.createFunction(
              r ->
                  r.functionName("kept-image")
                      .packageType(PackageType.IMAGE)
                      .role(ROLE)
                      .code(c -> c.imageUri("lambdarun/test-python:latest")));
          lambda.createFunction(
              r ->
                  r.functionName("dropped")
                      .runtime(Runtime.PYTHON3_12)
                      .handler("app.handler")
                      .role(ROLE)
                      .code(c -> c.zipFile(SdkBytes.fromByteArray(Zips.python("    return 1")))));
          lambda.deleteFunction(r -> r.functionName("dropped"));
          lambda.deleteLayerVersion(r -> r.layerName("kept-layer").versionNumber(1L));
          publishGreetingLayer(lambda, "second");
          before[0] = lambda.getFunctionConfiguration(r -> r.functionName("kept"));
        });
    // what a crash mid-write leaves: a temporary file, never a half-written function
    Files.writeString(dataDir.resolve("functions").resolve(".tmp-crash-half.json"), "{\"Versi");

    withServer(
        lambda -> {
          assertThat(lambda.listFunctions().functions())
              .extracting(FunctionConfiguration::functionName)
              .containsExactly("kept", "kept-image");
          GetFunctionConfigurationResponse after =
              lambda.getFunctionConfiguration(r -> r.functionName("kept"));
          assertThat(after)
              .usingRecursiveComparison()
              .ignoringFields("responseMetadata", "sdkHttpResponse")
              .isEqualTo(before[0]);
          assertThat(after.description()).isEqualTo("survives");
          assertThat(lambda.getFunction(r -> r.functionName("kept")).tags())
              .containsExactly(Map.entry("team", "lambdarun"));
          assertThat(
                  lambda
                      .getFunctionConcurrency(r -> r.functionName("kept"))
                      .reservedConcurrentExecutions())
              .isEqualTo(5);
          assertThat(lambda.listVersionsByFunction(r -> r.functionName("kept")).versions())
              .extracting(FunctionConfiguration::version)
              .containsExactly("$LATEST", "1");
          assertThat(
                  lambda
                      .invoke(r -> r.functionName("kept").qualifier("1"))
                      .payload()
                      .asUtf8String())
              .as("version 1, with the layer version deleted since")
              .isEqualTo("\"kept one\"");
          assertThat(lambda.invoke(r -> r.functionName("kept")).payload().asUtf8String())
              .isEqualTo("\"kept two\"");
          assertThat(
                  lambda.getFunctionConfiguration(r -> r.functionName("kept-image")).packageType())
              .isEqualTo(PackageType.IMAGE);
          assertThat(lambda.listLayerVersions(r -> r.layerName("kept-layer")).layerVersions())
              .extracting(LayerVersionsListItem::version)
              .containsExactly(2L);
          assertThat(publishGreetingLayer(lambda, "third").version())
              .as("version numbers are never reused, across restarts too")
              .isEqualTo(3L);
          assertThat(
                  catchThrowableOfType(
                      ResourceNotFoundException.class,
                      () -> lambda.getFunction(r -> r.functionName("dropped"))))
              .isNotNull();
        });
    try (Stream<Path> files = Files.list(dataDir.resolve("functions"))) {
      assertThat(files.map(file -> file.getFileName().toString()))
          .containsExactlyInAnyOrder("kept.json", "kept-image.json");
    }
  }

  @Test
  void aProvisionedVersionIsProvisionedAgainAfterARestart() throws Exception {
    String[] lastModified = new String[1];
    withServer(
        lambda -> {
          lambda.createFunction(
              r ->
                  r.functionName("kept-warm")
                      .runtime(Runtime.PYTHON3_12)
                      .handler("app.handler")
                      .role(ROLE)
                      .publish(true)
                      .code(
                          c ->
                              c.zipFile(SdkBytes.fromByteArray(Zips.python("    return 'kept'")))));
          lastModified[0] =
              lambda
                  .putProvisionedConcurrencyConfig(
                      r ->
                          r.functionName("kept-warm")
                              .qualifier("1")
                              .provisionedConcurrentExecutions(1))
                  .lastModified();
        });

    try (TestServer server = TestServer.local(TestServer.options().withDataDir(dataDir))) {
      GetProvisionedConcurrencyConfigResponse config =
          server
              .lambda()
              .getProvisionedConcurrencyConfig(r -> r.functionName("kept-warm").qualifier("1"));
      assertThat(config.requestedProvisionedConcurrentExecutions()).isEqualTo(1);
      assertThat(config.lastModified()).isEqualTo(lastModified[0]);
      long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
      while (config.status() != ProvisionedConcurrencyStatusEnum.READY
          && System.nanoTime() < deadline) {
        Thread.sleep(50);
        config =
            server
                .lambda()
                .getProvisionedConcurrencyConfig(r -> r.functionName("kept-warm").qualifier("1"));
      }
      assertThat(config.status())
          .as("launched again at start")
          .isEqualTo(ProvisionedConcurrencyStatusEnum.READY);
      assertThat(server.runtime().warmInstances())
          .singleElement()
          .satisfies(instance -> assertThat(instance.version()).isEqualTo("1"));
    }
  }

  @Test
  void aFileThatCannotBeReadFailsTheStartNamingIt() throws Exception {
    Files.createDirectories(dataDir.resolve("functions"));
    Path broken =
        Files.writeString(dataDir.resolve("functions").resolve("broken.json"), "{\"Versi");
    ConfigurationException e = TestServer.refusedStart(TestServer.options().withDataDir(dataDir));
    assertThat(e.getMessage())
        .startsWith("'" + broken + "' in the data directory cannot be read (")
        .endsWith("); restore it from a backup or remove it to drop what it holds");
  }

  @Test
  void badInputChangesNothingInTheDataDirectory() throws Exception {
    try (TestServer started = TestServer.local(TestServer.options().withDataDir(dataDir))) {
      LambdaServer server = started.server();
      LambdaClient lambda = started.lambda();
      lambda.createFunction(
          r ->
              r.functionName("kept")
                  .runtime(Runtime.PYTHON3_12)
                  .handler("app.handler")
                  .role(ROLE)
                  .code(c -> c.zipFile(SdkBytes.fromByteArray(Zips.python("    return 1")))));
      Map<String, Long> before = files();
      byte[] huge = new byte[Route.MAX_CODE_REQUEST / 4 * 3 + 1];
      new Random(13).nextBytes(huge);
      Map<String, Consumer<LambdaClient>> refused = new LinkedHashMap<>();
      refused.put(
          "bomb",
          l ->
              l.createFunction(
                  r ->
                      r.functionName("bomb")
                          .role(ROLE)
                          .runtime(Runtime.PYTHON3_12)
                          .handler("app.handler")
                          .code(c -> c.zipFile(SdkBytes.fromByteArray(Zips.bomb())))));
      refused.put(
          "too large",
          l ->
              l.createFunction(
                  r ->
                      r.functionName("huge")
                          .role(ROLE)
                          .runtime(Runtime.PYTHON3_12)
                          .handler("app.handler")
                          .code(c -> c.zipFile(SdkBytes.fromByteArray(huge)))));
      refused.put(
          "unknown runtime",
          l ->
              l.createFunction(
                  r ->
                      r.functionName("cobol")
                          .role(ROLE)
                          .runtime("cobol85")
                          .handler("app.handler")
                          .code(
                              c ->
                                  c.zipFile(SdkBytes.fromByteArray(Zips.python("    return 2"))))));
      refused.put(
          "unknown function's code",
          l ->
              l.updateFunctionCode(
                  r ->
                      r.functionName("nope")
                          .zipFile(SdkBytes.fromByteArray(Zips.python("    return 3")))));
      refused.put(
          "bomb as new code",
          l ->
              l.updateFunctionCode(
                  r -> r.functionName("kept").zipFile(SdkBytes.fromByteArray(Zips.bomb()))));
      refused.put(
          "bomb as a layer",
          l ->
              l.publishLayerVersion(
                  r ->
                      r.layerName("bomb-layer")
                          .content(c -> c.zipFile(SdkBytes.fromByteArray(Zips.bomb())))));
      refused.put("unknown function", l -> l.deleteFunction(r -> r.functionName("nope")));
      refused.forEach(
          (input, call) ->
              assertThat(catchThrowableOfType(LambdaException.class, () -> call.accept(lambda)))
                  .as(input)
                  .isNotNull());
      String createJson =
          "{\"FunctionName\":\"raw\",\"Runtime\":\"python3.12\","
              + "\"Handler\":\"app.handler\",\"Role\":\""
              + ROLE
              + "\",\"Code\":{\"ZipFile\":";
      assertThat(post(server, createJson + "\"%%% not base64\"}}")).isEqualTo(400);
      assertThat(post(server, createJson)).as("malformed JSON").isEqualTo(400);

      assertThat(files()).isEqualTo(before);
      assertThat(lambda.listFunctions().functions())
          .extracting(FunctionConfiguration::functionName)
          .containsExactly("kept");
      assertThat(lambda.invoke(r -> r.functionName("kept")).payload().asUtf8String())
          .isEqualTo("1");
    }
  }

  /** Publishes a version of layer 'kept-layer' whose module {@code greeting} has the word. */
  private static PublishLayerVersionResponse publishGreetingLayer(
      LambdaClient lambda, String word) {
    byte[] zip = Zips.of(Map.of("python/greeting.py", "WORD = '" + word + "'\n"));
    return lambda.publishLayerVersion(
        r ->
            r.layerName("kept-layer")
                .description("kept")
                .content(c -> c.zipFile(SdkBytes.fromByteArray(zip))));
  }

  private static int post(LambdaServer server, String body) throws Exception {
    HttpURLConnection connection =
        (HttpURLConnection)
            server.endpoint().resolve("/2015-03-31/functions").toURL().openConnection();
    try {
      connection.setRequestMethod("POST");
      connection.setDoOutput(true);
      try (OutputStream out = connection.getOutputStream()) {
        out.write(body.getBytes(StandardCharsets.UTF_8));
      }
      return connection.getResponseCode();
    } finally {
      connection.disconnect();
    }
  }

  /** Every file of the data directory, by relative path, with its size. */
  private Map<String, Long> files() throws Exception {
    try (Stream<Path> walk = Files.walk(dataDir)) {
      Map<String, Long> files = new TreeMap<>();
      for (Path file : walk.filter(Files::isRegularFile).toList()) {
        files.put(dataDir.relativize(file).toString(), Files.size(file));
      }
      return files;
    }
  }
}
