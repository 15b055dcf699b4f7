package io.lambdarun.server;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.lambdarun.api.Archive;
import io.lambdarun.core.LambdaRuntime;
import io.lambdarun.core.WarmInstance;
import io.lambdarun.core.model.InvocationResult;
import io.lambdarun.core.telemetry.LambdaRuntimeListener;
import io.lambdarun.core.telemetry.Throttled;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.core.waiters.WaiterResponse;
import software.amazon.awssdk.services.lambda.LambdaClient;
import software.amazon.awssdk.services.lambda.model.ApplicationLogLevel;
import software.amazon.awssdk.services.lambda.model.Architecture;
import software.amazon.awssdk.services.lambda.model.CreateFunctionResponse;
import software.amazon.awssdk.services.lambda.model.FunctionConfiguration;
import software.amazon.awssdk.services.lambda.model.GetFunctionResponse;
import software.amazon.awssdk.services.lambda.model.InvalidParameterValueException;
import software.amazon.awssdk.services.lambda.model.InvalidRequestContentException;
import software.amazon.awssdk.services.lambda.model.InvocationType;
import software.amazon.awssdk.services.lambda.model.InvokeResponse;
import software.amazon.awssdk.services.lambda.model.LambdaException;
import software.amazon.awssdk.services.lambda.model.LastUpdateStatus;
import software.amazon.awssdk.services.lambda.model.LayerVersionsListItem;
import software.amazon.awssdk.services.lambda.model.ListFunctionsResponse;
import software.amazon.awssdk.services.lambda.model.ListLayerVersionsResponse;
import software.amazon.awssdk.services.lambda.model.LogFormat;
import software.amazon.awssdk.services.lambda.model.LogType;
import software.amazon.awssdk.services.lambda.model.LoggingConfig;
import software.amazon.awssdk.services.lambda.model.PackageType;
import software.amazon.awssdk.services.lambda.model.PreconditionFailedException;
import software.amazon.awssdk.services.lambda.model.PublishLayerVersionResponse;
import software.amazon.awssdk.services.lambda.model.PublishVersionResponse;
import software.amazon.awssdk.services.lambda.model.RequestTooLargeException;
import software.amazon.awssdk.services.lambda.model.ResourceConflictException;
import software.amazon.awssdk.services.lambda.model.ResourceNotFoundException;
import software.amazon.awssdk.services.lambda.model.Runtime;
import software.amazon.awssdk.services.lambda.model.State;
import software.amazon.awssdk.services.lambda.model.SystemLogLevel;
import software.amazon.awssdk.services.lambda.model.ThrottleReason;
import software.amazon.awssdk.services.lambda.model.TooManyRequestsException;
import software.amazon.awssdk.services.lambda.model.UnsupportedMediaTypeException;
import software.amazon.awssdk.services.lambda.model.UpdateFunctionConfigurationResponse;

/**
 * Drives {@link LambdaServer} with the AWS SDK for Java v2 on the local backend: every answer is
 * what AWS sends (status, fields, headers, error types), parsed by AWS's own client.
 */
class LambdaApiSdkIT {

  private static final Path HELLO = Path.of("..", "examples", "hello-python").toAbsolutePath();
  private static final String ROLE = "arn:aws:iam::000000000000:role/lambda-role";
  private static final String ARN_PREFIX = "arn:aws:lambda:us-east-1:000000000000:function:";

  private static LambdaRuntime runtime;
  private static LambdaServer server;
  private static LambdaClient lambda;
  private static final BlockingQueue<String> OUTCOMES = new LinkedBlockingQueue<>();
  private static final BlockingQueue<String> THROTTLES = new LinkedBlockingQueue<>();

  @TempDir Path temp;

  @BeforeAll
  static void start() {
    runtime =
        LambdaRuntime.builder()
            .backend("local")
            .addListener(
                new LambdaRuntimeListener() {
                  @Override
                  public void throttled(Throttled event) {
                    THROTTLES.add(event.functionName() + " " + event.version());
                  }
                })
            .build();
    server =
        LambdaServer.start(
            runtime,
            ServerOptions.DEFAULT
                .withAddress("127.0.0.1", 0)
                .withEventRetries(Duration.ofMillis(200), Duration.ofMinutes(1))
                .withAsyncInvocationListener(
                    new AsyncInvocationListener() {
                      @Override
                      public void onSuccess(AsyncInvocation invocation, InvocationResult result) {
                        OUTCOMES.add(
                            "success "
                                + invocation.requestId()
                                + " "
                                + invocation.functionArn()
                                + " "
                                + invocation.attempts()
                                + " "
                                + result.payloadUtf8());
                      }

                      @Override
                      public void onFailure(
                          AsyncInvocation invocation,
                          String condition,
                          Optional<InvocationResult> lastResult) {
                        OUTCOMES.add(
                            "failure "
                                + invocation.requestId()
                                + " "
                                + invocation.functionArn()
                                + " "
                                + invocation.attempts()
                                + " "
                                + condition
                                + " "
                                + lastResult.map(InvocationResult::payloadUtf8));
                      }
                    }));
    // every answer is the server's first: no retry hides a failure or a throttle
    lambda = TestServer.client(server.endpoint());
  }

  @AfterAll
  static void stop() throws InterruptedException {
    lambda.close();
    server.close();
    runtime.close();
    Set<String> left = Set.of();
    for (int i = 0; i < 50; i++) {
      left =
          Thread.getAllStackTraces().keySet().stream()
              .filter(Thread::isAlive)
              .map(Thread::getName)
              .filter(name -> name.startsWith("lambdarun-") || name.startsWith("sdk-"))
              .collect(Collectors.toSet());
      if (left.isEmpty()) {
        break;
      }
      Thread.sleep(100);
    }
    assertThat(left).as("threads left after closing the client, server and runtime").isEmpty();
  }

  private static SdkBytes helloZip() {
    return SdkBytes.fromByteArray(zipBytes(Archive.ofDirectory("hello", HELLO)));
  }

  private static byte[] zipBytes(Archive archive) {
    try (var in = archive.open()) {
      return in.readAllBytes();
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  private static CreateFunctionResponse create(String name, SdkBytes zip) {
    return lambda.createFunction(
        r ->
            r.functionName(name)
                .runtime(Runtime.PYTHON3_12)
                .handler("app.handler")
                .role(ROLE)
                .tags(Map.of("team", "lambdarun"))
                .code(c -> c.zipFile(zip)));
  }

  private static String sha256Base64(byte[] bytes) throws Exception {
    return Base64.getEncoder().encodeToString(MessageDigest.getInstance("SHA-256").digest(bytes));
  }

  private static List<String> warmIds(String function) {
    return runtime.warmInstances().stream()
        .filter(instance -> instance.functionName().equals(function))
        .map(WarmInstance::instanceId)
        .toList();
  }

  @Test
  void createWaitGetInvokeAndDeleteTheExampleAsAwsAnswers() throws Exception {
    SdkBytes zip = helloZip();
    CreateFunctionResponse created = create("hello-sdk", zip);
    assertThat(created.sdkHttpResponse().statusCode()).isEqualTo(201);
    assertThat(created.functionName()).isEqualTo("hello-sdk");
    assertThat(created.functionArn()).isEqualTo(ARN_PREFIX + "hello-sdk");
    assertThat(created.runtime()).isEqualTo(Runtime.PYTHON3_12);
    assertThat(created.handler()).isEqualTo("app.handler");
    assertThat(created.role()).isEqualTo(ROLE);
    assertThat(created.codeSize()).isEqualTo(zip.asByteArray().length);
    assertThat(created.codeSha256()).isEqualTo(sha256Base64(zip.asByteArray()));
    assertThat(created.timeout()).isEqualTo(3);
    assertThat(created.memorySize()).isEqualTo(128);
    assertThat(created.version()).isEqualTo("$LATEST");
    assertThat(created.state()).isEqualTo(State.ACTIVE);
    assertThat(created.lastUpdateStatus()).isEqualTo(LastUpdateStatus.SUCCESSFUL);
    assertThat(created.packageType()).isEqualTo(PackageType.ZIP);
    assertThat(created.architectures()).containsExactly(Architecture.X86_64);
    assertThat(created.ephemeralStorage().size()).isEqualTo(512);
    assertThat(created.loggingConfig().logGroup()).isEqualTo("/aws/lambda/hello-sdk");
    assertThat(created.lastModified())
        .matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}\\+0000");

    WaiterResponse<GetFunctionResponse> active =
        lambda.waiter().waitUntilFunctionActiveV2(r -> r.functionName("hello-sdk"));
    assertThat(active.attemptsExecuted()).isEqualTo(1);
    assertThat(active.matched().response().orElseThrow().configuration().state())
        .isEqualTo(State.ACTIVE);

    GetFunctionResponse got = lambda.getFunction(r -> r.functionName(ARN_PREFIX + "hello-sdk"));
    assertThat(got.configuration().revisionId()).isEqualTo(created.revisionId());
    assertThat(got.configuration().codeSha256()).isEqualTo(created.codeSha256());
    assertThat(got.code().repositoryType()).isEqualTo("S3");
    assertThat(got.tags()).containsExactly(Map.entry("team", "lambdarun"));

    InvokeResponse invoked =
        lambda.invoke(
            r ->
                r.functionName("hello-sdk")
                    .logType(LogType.TAIL)
                    .payload(SdkBytes.fromUtf8String("{\"name\":\"world\"}")));
    assertThat(invoked.statusCode()).isEqualTo(200);
    assertThat(invoked.payload().asUtf8String()).isEqualTo("{\"message\": \"Hello, world!\"}");
    assertThat(invoked.functionError()).isNull();
    assertThat(invoked.executedVersion()).isEqualTo("$LATEST");
    String requestId = invoked.responseMetadata().requestId();
    assertThat(new String(Base64.getDecoder().decode(invoked.logResult()), UTF_8))
        .contains("greeting world in request " + requestId);
    assertThat(warmIds("hello-sdk")).hasSize(1);

    int deleted =
        lambda.deleteFunction(r -> r.functionName("hello-sdk")).sdkHttpResponse().statusCode();
    assertThat(deleted).isEqualTo(204);
    assertThat(warmIds("hello-sdk")).as("instances of the deleted function").isEmpty();
    ResourceNotFoundException gone =
        catchThrowableOfType(
            ResourceNotFoundException.class,
            () -> lambda.getFunction(r -> r.functionName("hello-sdk")));
    assertThat(gone.statusCode()).isEqualTo(404);
    assertThat(gone.awsErrorDetails().errorMessage())
        .isEqualTo("Function not found: " + ARN_PREFIX + "hello-sdk");
  }

  @Test
  void everyConfigurationFieldIsStoredAndAnsweredForZipAndImageFunctions() {
    CreateFunctionResponse zip =
        lambda.createFunction(
            r ->
                r.functionName("settings-sdk")
                    .runtime(Runtime.PYTHON3_12)
                    .handler("app.handler")
                    .role(ROLE)
                    .description("all settings")
                    .timeout(42)
                    .memorySize(512)
                    .architectures(Architecture.ARM64)
                    .ephemeralStorage(e -> e.size(1024))
                    .code(c -> c.zipFile(SdkBytes.fromByteArray(Zips.python("    return 1")))));
    CreateFunctionResponse image =
        lambda.createFunction(
            r ->
                r.functionName("image-sdk")
                    .packageType(PackageType.IMAGE)
                    .role(ROLE)
                    .code(c -> c.imageUri("lambdarun/test-python:latest"))
                    .imageConfig(
                        i ->
                            i.entryPoint("/lambda-entrypoint.sh")
                                .command("app.handler")
                                .workingDirectory("/var/task")));
    try {
      assertThat(zip.description()).isEqualTo("all settings");
      assertThat(zip.timeout()).isEqualTo(42);
      assertThat(zip.memorySize()).isEqualTo(512);
      assertThat(zip.architectures()).containsExactly(Architecture.ARM64);
      assertThat(zip.ephemeralStorage().size()).isEqualTo(1024);
      assertThat(lambda.getFunctionConfiguration(r -> r.functionName("settings-sdk")))
          .usingRecursiveComparison()
          .ignoringFields("responseMetadata", "sdkHttpResponse")
          .isEqualTo(zip);

      assertThat(image.packageType()).isEqualTo(PackageType.IMAGE);
      assertThat(image.runtime()).isNull();
      assertThat(image.handler()).isNull();
      assertThat(image.imageConfigResponse().imageConfig().entryPoint())
          .containsExactly("/lambda-entrypoint.sh");
      assertThat(image.imageConfigResponse().imageConfig().command())
          .containsExactly("app.handler");
      assertThat(image.imageConfigResponse().imageConfig().workingDirectory())
          .isEqualTo("/var/task");
      GetFunctionResponse got = lambda.getFunction(r -> r.functionName("image-sdk"));
      assertThat(got.code().repositoryType()).isEqualTo("ECR");
      assertThat(got.code().imageUri()).isEqualTo("lambdarun/test-python:latest");
    } finally {
      lambda.deleteFunction(r -> r.functionName("settings-sdk"));
      lambda.deleteFunction(r -> r.functionName("image-sdk"));
    }
  }

  private static SdkBytes layerZip(String word) {
    return SdkBytes.fromByteArray(Zips.of(Map.of("python/greeting.py", "WORD = '" + word + "'\n")));
  }

  @Test
  void layersArePublishedListedAttachedAndDeletedAsAwsAnswers() throws Exception {
    SdkBytes first = layerZip("layered");
    PublishLayerVersionResponse v1 =
        lambda.publishLayerVersion(
            r ->
                r.layerName("greeting-sdk")
                    .description("a word")
                    .content(c -> c.zipFile(first))
                    .compatibleRuntimes(Runtime.PYTHON3_12)
                    .licenseInfo("MIT"));
    assertThat(v1.sdkHttpResponse().statusCode()).isEqualTo(201);
    assertThat(v1.layerArn()).isEqualTo("arn:aws:lambda:us-east-1:000000000000:layer:greeting-sdk");
    assertThat(v1.layerVersionArn()).isEqualTo(v1.layerArn() + ":1");
    assertThat(v1.version()).isEqualTo(1L);
    assertThat(v1.description()).isEqualTo("a word");
    assertThat(v1.licenseInfo()).isEqualTo("MIT");
    assertThat(v1.compatibleRuntimes()).containsExactly(Runtime.PYTHON3_12);
    assertThat(v1.content().codeSize()).isEqualTo(first.asByteArray().length);
    assertThat(v1.content().codeSha256()).isEqualTo(sha256Base64(first.asByteArray()));
    PublishLayerVersionResponse v2 =
        lambda.publishLayerVersion(
            r -> r.layerName("greeting-sdk").content(c -> c.zipFile(layerZip("second"))));
    assertThat(v2.version()).isEqualTo(2L);

    CreateFunctionResponse created =
        lambda.createFunction(
            r ->
                r.functionName("layered-sdk")
                    .runtime(Runtime.PYTHON3_12)
                    .handler("app.handler")
                    .role(ROLE)
                    .layers(v1.layerVersionArn())
                    .code(
                        c ->
                            c.zipFile(
                                SdkBytes.fromByteArray(
                                    Zips.python(
                                        "    import greeting\n    return greeting.WORD")))));
    try {
      assertThat(created.layers()).hasSize(1);
      assertThat(created.layers().get(0).arn()).isEqualTo(v1.layerVersionArn());
      assertThat(created.layers().get(0).codeSize()).isEqualTo(first.asByteArray().length);
      assertThat(lambda.invoke(r -> r.functionName("layered-sdk")).payload().asUtf8String())
          .isEqualTo("\"layered\"");

      ListLayerVersionsResponse page1 =
          lambda.listLayerVersions(r -> r.layerName("greeting-sdk").maxItems(1));
      assertThat(page1.layerVersions())
          .extracting(LayerVersionsListItem::version)
          .containsExactly(2L);
      ListLayerVersionsResponse page2 =
          lambda.listLayerVersions(
              r -> r.layerName("greeting-sdk").maxItems(1).marker(page1.nextMarker()));
      assertThat(page2.layerVersions())
          .extracting(LayerVersionsListItem::version)
          .containsExactly(1L);
      assertThat(page2.nextMarker()).isNull();
      assertThat(
              lambda
                  .getLayerVersion(r -> r.layerName("greeting-sdk").versionNumber(1L))
                  .description())
          .isEqualTo("a word");

      int deleted =
          lambda
              .deleteLayerVersion(r -> r.layerName("greeting-sdk").versionNumber(1L))
              .sdkHttpResponse()
              .statusCode();
      assertThat(deleted).isEqualTo(204);
      ResourceNotFoundException gone =
          catchThrowableOfType(
              ResourceNotFoundException.class,
              () -> lambda.getLayerVersion(r -> r.layerName("greeting-sdk").versionNumber(1L)));
      assertThat(gone.statusCode()).isEqualTo(404);
      assertThat(gone.awsErrorDetails().errorMessage())
          .isEqualTo("The resource you requested does not exist.");
      runtime.evict("layered-sdk");
      assertThat(lambda.invoke(r -> r.functionName("layered-sdk")).payload().asUtf8String())
          .as("a function keeps its copy of a deleted layer version")
          .isEqualTo("\"layered\"");

      lambda.updateFunctionConfiguration(
          r -> r.functionName("layered-sdk").layers(v2.layerVersionArn()));
      assertThat(lambda.invoke(r -> r.functionName("layered-sdk")).payload().asUtf8String())
          .isEqualTo("\"second\"");
      assertThat(
              lambda
                  .publishLayerVersion(
                      r -> r.layerName("greeting-sdk").content(c -> c.zipFile(layerZip("third"))))
                  .version())
          .as("version numbers are never reused")
          .isEqualTo(3L);
    } finally {
      lambda.deleteFunction(r -> r.functionName("layered-sdk"));
    }
  }

  @Test
  void unknownOrUnsafeLayersAreRefusedAndLeaveNothing() {
    String missing = "arn:aws:lambda:us-east-1:000000000000:layer:nope-sdk:1";
    InvalidParameterValueException unknown =
        catchThrowableOfType(
            InvalidParameterValueException.class,
            () ->
                lambda.createFunction(
                    r ->
                        r.functionName("nolayer-sdk")
                            .runtime(Runtime.PYTHON3_12)
                            .handler("app.handler")
                            .role(ROLE)
                            .layers(missing)
                            .code(
                                c ->
                                    c.zipFile(
                                        SdkBytes.fromByteArray(Zips.python("    return 1"))))));
    assertThat(unknown.statusCode()).isEqualTo(400);
    assertThat(unknown.awsErrorDetails().errorMessage())
        .isEqualTo("Layer version " + missing + " does not exist.");

    InvalidParameterValueException bomb =
        catchThrowableOfType(
            InvalidParameterValueException.class,
            () ->
                lambda.publishLayerVersion(
                    r ->
                        r.layerName("bomb-sdk")
                            .content(c -> c.zipFile(SdkBytes.fromByteArray(Zips.bomb())))));
    assertThat(bomb.statusCode()).isEqualTo(400);
    assertThat(lambda.listLayerVersions(r -> r.layerName("bomb-sdk")).layerVersions()).isEmpty();
    assertThat(lambda.listFunctions().functions())
        .extracting(FunctionConfiguration::functionName)
        .doesNotContain("nolayer-sdk");
  }

  @Test
  void publishedVersionsAreImmutableAndInvokedByQualifier() {
    CreateFunctionResponse created =
        lambda.createFunction(
            r ->
                r.functionName("versions-sdk")
                    .runtime(Runtime.PYTHON3_12)
                    .handler("app.handler")
                    .role(ROLE)
                    .publish(true)
                    .environment(e -> e.variables(Map.of("VARIANT", "one")))
                    .code(
                        c ->
                            c.zipFile(
                                SdkBytes.fromByteArray(
                                    Zips.python("    return os.environ['VARIANT']")))));
    try {
      assertThat(created.version()).isEqualTo("1");
      assertThat(created.functionArn()).isEqualTo(ARN_PREFIX + "versions-sdk:1");
      lambda.updateFunctionConfiguration(
          r ->
              r.functionName("versions-sdk")
                  .environment(e -> e.variables(Map.of("VARIANT", "two"))));
      PublishVersionResponse second =
          lambda.publishVersion(r -> r.functionName("versions-sdk").description("second"));
      assertThat(second.version()).isEqualTo("2");
      assertThat(second.description()).isEqualTo("second");
      assertThat(lambda.publishVersion(r -> r.functionName("versions-sdk")).version())
          .as("an unchanged $LATEST publishes no new version")
          .isEqualTo("2");
      PreconditionFailedException stale =
          catchThrowableOfType(
              PreconditionFailedException.class,
              () -> lambda.publishVersion(r -> r.functionName("versions-sdk").revisionId("stale")));
      assertThat(stale.statusCode()).isEqualTo(412);

      InvokeResponse one = lambda.invoke(r -> r.functionName("versions-sdk").qualifier("1"));
      assertThat(one.payload().asUtf8String()).isEqualTo("\"one\"");
      assertThat(one.executedVersion()).isEqualTo("1");
      assertThat(
              lambda
                  .invoke(r -> r.functionName(ARN_PREFIX + "versions-sdk:2"))
                  .payload()
                  .asUtf8String())
          .isEqualTo("\"two\"");
      InvokeResponse latest = lambda.invoke(r -> r.functionName("versions-sdk"));
      assertThat(latest.payload().asUtf8String()).isEqualTo("\"two\"");
      assertThat(latest.executedVersion()).isEqualTo("$LATEST");
      assertThat(
              lambda
                  .getFunctionConfiguration(r -> r.functionName("versions-sdk").qualifier("1"))
                  .environment()
                  .variables())
          .containsExactly(Map.entry("VARIANT", "one"));
      assertThat(
              lambda
                  .listVersionsByFunctionPaginator(r -> r.functionName("versions-sdk").maxItems(1))
                  .versions())
          .extracting(FunctionConfiguration::version)
          .containsExactly("$LATEST", "1", "2");

      ResourceNotFoundException alias =
          catchThrowableOfType(
              ResourceNotFoundException.class,
              () -> lambda.invoke(r -> r.functionName("versions-sdk").qualifier("prod")));
      assertThat(alias.awsErrorDetails().errorMessage())
          .isEqualTo("Function not found: " + ARN_PREFIX + "versions-sdk:prod");
      InvalidParameterValueException deleteLatest =
          catchThrowableOfType(
              InvalidParameterValueException.class,
              () ->
                  lambda.deleteFunction(r -> r.functionName("versions-sdk").qualifier("$LATEST")));
      assertThat(deleteLatest.awsErrorDetails().errorMessage())
          .isEqualTo("$LATEST version cannot be deleted without deleting the function.");
      assertThat(
              lambda
                  .deleteFunction(r -> r.functionName("versions-sdk").qualifier("1"))
                  .sdkHttpResponse()
                  .statusCode())
          .isEqualTo(204);
      ResourceNotFoundException deleted =
          catchThrowableOfType(
              ResourceNotFoundException.class,
              () -> lambda.invoke(r -> r.functionName("versions-sdk").qualifier("1")));
      assertThat(deleted.awsErrorDetails().errorMessage())
          .isEqualTo("Function not found: " + ARN_PREFIX + "versions-sdk:1");
      assertThat(
              lambda
                  .invoke(r -> r.functionName("versions-sdk").qualifier("2"))
                  .payload()
                  .asUtf8String())
          .isEqualTo("\"two\"");
    } finally {
      lambda.deleteFunction(r -> r.functionName("versions-sdk"));
    }
  }

  @Test
  void loggingConfigIsKeptAndItsJsonFormatShapesTheLogTail() throws Exception {
    lambda.createFunction(
        r ->
            r.functionName("json-logs-sdk")
                .runtime(Runtime.PYTHON3_12)
                .handler("app.handler")
                .role(ROLE)
                .loggingConfig(
                    l ->
                        l.logFormat(LogFormat.JSON)
                            .applicationLogLevel(ApplicationLogLevel.WARN)
                            .logGroup("/custom/json-logs"))
                .code(c -> c.zipFile(helloZip())));
    try {
      LoggingConfig created =
          lambda.getFunctionConfiguration(r -> r.functionName("json-logs-sdk")).loggingConfig();
      assertThat(created.logFormat()).isEqualTo(LogFormat.JSON);
      assertThat(created.applicationLogLevel()).isEqualTo(ApplicationLogLevel.WARN);
      assertThat(created.systemLogLevel()).isEqualTo(SystemLogLevel.INFO);
      assertThat(created.logGroup()).isEqualTo("/custom/json-logs");

      InvokeResponse invoked =
          lambda.invoke(
              r ->
                  r.functionName("json-logs-sdk")
                      .logType(LogType.TAIL)
                      .payload(SdkBytes.fromUtf8String("{\"name\":\"json\"}")));
      String requestId = invoked.responseMetadata().requestId();
      String[] lines =
          new String(Base64.getDecoder().decode(invoked.logResult()), UTF_8).split("\n");
      ObjectMapper json = new ObjectMapper();
      JsonNode start = json.readTree(lines[0]);
      assertThat(start.path("type").asText()).isEqualTo("platform.start");
      assertThat(start.path("record").path("requestId").asText()).isEqualTo(requestId);
      JsonNode report = json.readTree(lines[lines.length - 1]);
      assertThat(report.path("type").asText()).isEqualTo("platform.report");
      assertThat(report.path("record").path("metrics").path("memorySizeMB").asInt()).isEqualTo(128);
      assertThat(report.path("record").path("status").asText()).isEqualTo("success");

      InvalidParameterValueException levelsWithText =
          catchThrowableOfType(
              InvalidParameterValueException.class,
              () ->
                  lambda.updateFunctionConfiguration(
                      r ->
                          r.functionName("json-logs-sdk")
                              .loggingConfig(
                                  l ->
                                      l.logFormat(LogFormat.TEXT)
                                          .systemLogLevel(SystemLogLevel.DEBUG))));
      assertThat(levelsWithText.awsErrorDetails().errorMessage())
          .contains("'DEBUG'")
          .contains("need the 'JSON' log format");

      LoggingConfig text =
          lambda
              .updateFunctionConfiguration(
                  r ->
                      r.functionName("json-logs-sdk")
                          .loggingConfig(l -> l.logFormat(LogFormat.TEXT)))
              .loggingConfig();
      assertThat(text.logFormat()).isEqualTo(LogFormat.TEXT);
      assertThat(text.applicationLogLevel()).isNull();
      assertThat(text.logGroup()).isEqualTo("/custom/json-logs");
      InvokeResponse plain =
          lambda.invoke(r -> r.functionName("json-logs-sdk").logType(LogType.TAIL));
      assertThat(new String(Base64.getDecoder().decode(plain.logResult()), UTF_8))
          .startsWith("START RequestId: " + plain.responseMetadata().requestId() + " Version: ");
    } finally {
      lambda.deleteFunction(r -> r.functionName("json-logs-sdk"));
    }
  }

  @Test
  void reservedConcurrencyThrottlesWithTooManyRequests() throws Exception {
    Path started = temp.resolve("started");
    create(
        "throttled-sdk",
        SdkBytes.fromByteArray(
            Zips.python(
                "    import time\n    if event.get('started'):\n"
                    + "        open(event['started'], 'w').close()\n        time.sleep(1.5)\n"
                    + "    return 'done'")));
    try {
      assertThat(
              lambda
                  .getFunctionConcurrency(r -> r.functionName("throttled-sdk"))
                  .reservedConcurrentExecutions())
          .isNull();
      assertThat(
              lambda
                  .putFunctionConcurrency(
                      r -> r.functionName("throttled-sdk").reservedConcurrentExecutions(0))
                  .reservedConcurrentExecutions())
          .isZero();
      TooManyRequestsException zero =
          catchThrowableOfType(
              TooManyRequestsException.class,
              () -> lambda.invoke(r -> r.functionName("throttled-sdk")));
      assertThat(zero.statusCode()).isEqualTo(429);
      assertThat(zero.reason())
          .isEqualTo(ThrottleReason.RESERVED_FUNCTION_CONCURRENT_INVOCATION_LIMIT_EXCEEDED);
      assertThat(zero.awsErrorDetails().errorMessage()).isEqualTo("Rate Exceeded.");

      lambda.putFunctionConcurrency(
          r -> r.functionName("throttled-sdk").reservedConcurrentExecutions(1));
      assertThat(
              lambda
                  .getFunction(r -> r.functionName("throttled-sdk"))
                  .concurrency()
                  .reservedConcurrentExecutions())
          .isEqualTo(1);
      CompletableFuture<InvokeResponse> busy =
          CompletableFuture.supplyAsync(
              () ->
                  lambda.invoke(
                      r ->
                          r.functionName("throttled-sdk")
                              .payload(
                                  SdkBytes.fromUtf8String("{\"started\":\"" + started + "\"}"))));
      long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
      while (!Files.exists(started) && System.nanoTime() < deadline) {
        Thread.sleep(20);
      }
      assertThat(started).exists();
      TooManyRequestsException second =
          catchThrowableOfType(
              TooManyRequestsException.class,
              () -> lambda.invoke(r -> r.functionName("throttled-sdk")));
      assertThat(second.statusCode()).as("a second invocation while one runs").isEqualTo(429);
      assertThat(busy.get(20, TimeUnit.SECONDS).payload().asUtf8String()).isEqualTo("\"done\"");
      assertThat(lambda.invoke(r -> r.functionName("throttled-sdk")).payload().asUtf8String())
          .as("the reservation is free again")
          .isEqualTo("\"done\"");
      assertThat(THROTTLES)
          .as("each 429 reaches the runtime's listeners")
          .containsExactly("throttled-sdk $LATEST", "throttled-sdk $LATEST");

      InvalidParameterValueException tooMany =
          catchThrowableOfType(
              InvalidParameterValueException.class,
              () ->
                  lambda.putFunctionConcurrency(
                      r -> r.functionName("throttled-sdk").reservedConcurrentExecutions(901)));
      assertThat(tooMany.awsErrorDetails().errorMessage())
          .isEqualTo(
              "Specified ReservedConcurrentExecutions for function decreases account's"
                  + " UnreservedConcurrentExecution below its minimum value of [100].");
      assertThat(
              lambda
                  .deleteFunctionConcurrency(r -> r.functionName("throttled-sdk"))
                  .sdkHttpResponse()
                  .statusCode())
          .isEqualTo(204);
      assertThat(
              lambda
                  .getFunctionConcurrency(r -> r.functionName("throttled-sdk"))
                  .reservedConcurrentExecutions())
          .isNull();
    } finally {
      lambda.deleteFunction(r -> r.functionName("throttled-sdk"));
    }
  }

  @Test
  void aFunctionErrorIsAnUnhandledAnswerWithTheErrorDocument() {
    create("fails-sdk", SdkBytes.fromByteArray(Zips.python("    raise KeyError('missing')")));
    try {
      InvokeResponse invoked = lambda.invoke(r -> r.functionName("fails-sdk"));
      assertThat(invoked.statusCode()).isEqualTo(200);
      assertThat(invoked.functionError()).isEqualTo("Unhandled");
      assertThat(invoked.payload().asUtf8String())
          .contains("\"errorType\": \"KeyError\"")
          .contains("\"errorMessage\": \"'missing'\"");
    } finally {
      lambda.deleteFunction(r -> r.functionName("fails-sdk"));
    }
  }

  @Test
  void theClientContextReachesTheHandler() {
    create(
        "context-sdk",
        SdkBytes.fromByteArray(Zips.python("    return context.client_context.custom")));
    try {
      String clientContext =
          Base64.getEncoder().encodeToString("{\"custom\":{\"tenant\":\"t-1\"}}".getBytes(UTF_8));
      InvokeResponse invoked =
          lambda.invoke(r -> r.functionName("context-sdk").clientContext(clientContext));
      assertThat(invoked.functionError()).as(invoked.payload().asUtf8String()).isNull();
      assertThat(invoked.payload().asUtf8String()).isEqualTo("{\"tenant\": \"t-1\"}");
    } finally {
      lambda.deleteFunction(r -> r.functionName("context-sdk"));
    }
  }

  @Test
  void anUpdatedConfigurationReplacesTheWarmInstances() {
    lambda.createFunction(
        r ->
            r.functionName("env-sdk")
                .runtime(Runtime.PYTHON3_12)
                .handler("app.handler")
                .role(ROLE)
                .environment(e -> e.variables(Map.of("GREETING", "first")))
                .code(
                    c ->
                        c.zipFile(
                            SdkBytes.fromByteArray(
                                Zips.python("    return os.environ['GREETING']")))));
    try {
      assertThat(lambda.invoke(r -> r.functionName("env-sdk")).payload().asUtf8String())
          .isEqualTo("\"first\"");
      List<String> before = warmIds("env-sdk");
      assertThat(before).hasSize(1);

      UpdateFunctionConfigurationResponse updated =
          lambda.updateFunctionConfiguration(
              r ->
                  r.functionName("env-sdk")
                      .timeout(10)
                      .memorySize(256)
                      .environment(e -> e.variables(Map.of("GREETING", "second"))));
      assertThat(updated.environment().variables())
          .containsExactly(Map.entry("GREETING", "second"));
      assertThat(updated.timeout()).isEqualTo(10);
      assertThat(updated.memorySize()).isEqualTo(256);
      assertThat(updated.handler()).isEqualTo("app.handler");
      assertThat(warmIds("env-sdk")).as("warm instances of the old configuration").isEmpty();
      PreconditionFailedException stale =
          catchThrowableOfType(
              PreconditionFailedException.class,
              () ->
                  lambda.updateFunctionConfiguration(
                      r ->
                          r.functionName("env-sdk")
                              .revisionId(updated.revisionId() + "-stale")
                              .timeout(20)));
      assertThat(stale.statusCode()).isEqualTo(412);
      assertThat(lambda.getFunctionConfiguration(r -> r.functionName("env-sdk")).timeout())
          .as("the refused update changed nothing")
          .isEqualTo(10);

      InvokeResponse invoked = lambda.invoke(r -> r.functionName("env-sdk"));
      assertThat(invoked.payload().asUtf8String()).isEqualTo("\"second\"");
      assertThat(warmIds("env-sdk")).hasSize(1).doesNotContainAnyElementsOf(before);
    } finally {
      lambda.deleteFunction(r -> r.functionName("env-sdk"));
    }
  }

  @Test
  void updatedCodeRunsOnTheNextInvocation() throws Exception {
    create("code-sdk", SdkBytes.fromByteArray(Zips.python("    return 'old'")));
    try {
      assertThat(lambda.invoke(r -> r.functionName("code-sdk")).payload().asUtf8String())
          .isEqualTo("\"old\"");
      byte[] newZip = Zips.python("    return 'new'");
      var dryRun =
          lambda.updateFunctionCode(
              r -> r.functionName("code-sdk").dryRun(true).zipFile(SdkBytes.fromByteArray(newZip)));
      assertThat(dryRun.codeSha256()).isEqualTo(sha256Base64(newZip));
      assertThat(lambda.invoke(r -> r.functionName("code-sdk")).payload().asUtf8String())
          .as("a dry run changes nothing")
          .isEqualTo("\"old\"");
      var answer =
          lambda.updateFunctionCode(
              r -> r.functionName("code-sdk").zipFile(SdkBytes.fromByteArray(newZip)));
      assertThat(answer.codeSha256()).isEqualTo(sha256Base64(newZip));
      assertThat(answer.codeSize()).isEqualTo(newZip.length);
      assertThat(lambda.invoke(r -> r.functionName("code-sdk")).payload().asUtf8String())
          .isEqualTo("\"new\"");
    } finally {
      lambda.deleteFunction(r -> r.functionName("code-sdk"));
    }
  }

  @Test
  void listFunctionsPagesWithMarkerAndMaxItems() {
    byte[] zip = Zips.python("    return 1");
    for (String name : List.of("page-a", "page-b", "page-c")) {
      create(name, SdkBytes.fromByteArray(zip));
    }
    try {
      ListFunctionsResponse first = lambda.listFunctions(r -> r.maxItems(2));
      assertThat(first.functions())
          .extracting(FunctionConfiguration::functionName)
          .containsExactly("page-a", "page-b");
      assertThat(first.nextMarker()).isNotNull();
      ListFunctionsResponse second =
          lambda.listFunctions(r -> r.maxItems(2).marker(first.nextMarker()));
      assertThat(second.functions())
          .extracting(FunctionConfiguration::functionName)
          .containsExactly("page-c");
      assertThat(second.nextMarker()).isNull();
      assertThat(lambda.listFunctionsPaginator(r -> r.maxItems(1)).functions())
          .extracting(FunctionConfiguration::functionName)
          .containsExactly("page-a", "page-b", "page-c");
    } finally {
      for (String name : List.of("page-a", "page-b", "page-c")) {
        lambda.deleteFunction(r -> r.functionName(name));
      }
    }
  }

  @Test
  void dryRunAnswers204AndEventAnswers202AndRunsWithRetries() throws Exception {
    Path attempts = temp.resolve("attempts.txt");
    create(
        "event-sdk",
        SdkBytes.fromByteArray(
            Zips.python(
                "    with open(event['file'], 'a') as f:\n"
                    + "        f.write(context.aws_request_id + '\\n')\n"
                    + "    raise RuntimeError('again')")));
    try {
      String payload = "{\"file\":\"" + attempts + "\"}";
      InvokeResponse dryRun =
          lambda.invoke(
              r ->
                  r.functionName("event-sdk")
                      .invocationType(InvocationType.DRY_RUN)
                      .payload(SdkBytes.fromUtf8String(payload)));
      assertThat(dryRun.statusCode()).isEqualTo(204);
      assertThat(attempts).doesNotExist();

      InvokeResponse event =
          lambda.invoke(
              r ->
                  r.functionName("event-sdk")
                      .invocationType(InvocationType.EVENT)
                      .payload(SdkBytes.fromUtf8String(payload)));
      assertThat(event.statusCode()).isEqualTo(202);
      assertThat(event.payload().asByteArray()).isEmpty();
      long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
      while (System.nanoTime() < deadline
          && (!Files.exists(attempts) || Files.readAllLines(attempts).size() < 3)) {
        Thread.sleep(50);
      }
      assertThat(attempts).as("one line per attempt").exists();
      assertThat(Files.readAllLines(attempts)).as("the first attempt and two retries").hasSize(3);
      Thread.sleep(1_000);
      assertThat(Files.readAllLines(attempts)).as("no fourth attempt").hasSize(3);
      String outcome = OUTCOMES.poll(10, TimeUnit.SECONDS);
      assertThat(outcome)
          .startsWith(
              "failure "
                  + event.responseMetadata().requestId()
                  + " "
                  + ARN_PREFIX
                  + "event-sdk 3 RetriesExhausted Optional[{")
          .contains("\"errorMessage\": \"again\"");

      lambda.updateFunctionCode(
          r ->
              r.functionName("event-sdk")
                  .zipFile(SdkBytes.fromByteArray(Zips.python("    return 'ok'"))));
      InvokeResponse succeeding =
          lambda.invoke(r -> r.functionName("event-sdk").invocationType(InvocationType.EVENT));
      assertThat(OUTCOMES.poll(20, TimeUnit.SECONDS))
          .isEqualTo(
              "success "
                  + succeeding.responseMetadata().requestId()
                  + " "
                  + ARN_PREFIX
                  + "event-sdk 1 \"ok\"");
    } finally {
      lambda.deleteFunction(r -> r.functionName("event-sdk"));
    }
  }

  @Test
  void unknownFunctionsAreResourceNotFound() {
    ResourceNotFoundException invoke =
        catchThrowableOfType(
            ResourceNotFoundException.class, () -> lambda.invoke(r -> r.functionName("nope")));
    assertThat(invoke.statusCode()).isEqualTo(404);
    assertThat(invoke.awsErrorDetails().errorCode()).isEqualTo("ResourceNotFoundException");
    assertThat(invoke.awsErrorDetails().errorMessage())
        .isEqualTo("Function not found: " + ARN_PREFIX + "nope");
    ResourceNotFoundException delete =
        catchThrowableOfType(
            ResourceNotFoundException.class,
            () -> lambda.deleteFunction(r -> r.functionName("nope")));
    assertThat(delete.statusCode()).isEqualTo(404);
    ResourceNotFoundException version =
        catchThrowableOfType(
            ResourceNotFoundException.class,
            () -> lambda.getFunctionConfiguration(r -> r.functionName("nope").qualifier("7")));
    assertThat(version.awsErrorDetails().errorMessage())
        .isEqualTo("Function not found: " + ARN_PREFIX + "nope:7");
  }

  @Test
  void aSecondCreateOfTheSameNameIsAConflict() {
    create("twice-sdk", SdkBytes.fromByteArray(Zips.python("    return 1")));
    try {
      ResourceConflictException conflict =
          catchThrowableOfType(
              ResourceConflictException.class,
              () -> create("twice-sdk", SdkBytes.fromByteArray(Zips.python("    return 2"))));
      assertThat(conflict.statusCode()).isEqualTo(409);
      assertThat(conflict.awsErrorDetails().errorMessage())
          .isEqualTo("Function already exist: twice-sdk");
      assertThat(lambda.invoke(r -> r.functionName("twice-sdk")).payload().asUtf8String())
          .as("the first function is kept")
          .isEqualTo("1");
    } finally {
      lambda.deleteFunction(r -> r.functionName("twice-sdk"));
    }
  }

  @Test
  void unsafeOrInvalidCodeIsRefusedAndLeavesNothing() {
    Map<String, byte[]> refused =
        Map.of(
            "bomb-sdk", Zips.bomb(),
            "slip-sdk", Zips.of(Map.of("app.py", "x = 1\n", "../escape.py", "x = 2\n")),
            "garbage-sdk", "not a zip at all".getBytes(UTF_8));
    refused.forEach(
        (name, zip) -> {
          InvalidParameterValueException e =
              catchThrowableOfType(
                  InvalidParameterValueException.class,
                  () -> create(name, SdkBytes.fromByteArray(zip)));
          assertThat(e).as(name).isNotNull();
          assertThat(e.statusCode()).as(name).isEqualTo(400);
          assertThat(e.awsErrorDetails().errorCode()).isEqualTo("InvalidParameterValueException");
        });
    InvalidParameterValueException runtimeError =
        catchThrowableOfType(
            InvalidParameterValueException.class,
            () ->
                lambda.createFunction(
                    r ->
                        r.functionName("cobol-sdk")
                            .runtime("cobol85")
                            .handler("app.handler")
                            .role(ROLE)
                            .code(
                                c ->
                                    c.zipFile(
                                        SdkBytes.fromByteArray(Zips.python("    return 1"))))));
    assertThat(runtimeError.awsErrorDetails().errorMessage()).contains("'cobol85'");
    assertThat(lambda.listFunctions().functions()).as("functions left").isEmpty();
    assertThat(runtime.warmInstances()).as("instances left").isEmpty();
  }

  @Test
  void badPayloadsGetAwsErrors() {
    create("payload-sdk", SdkBytes.fromByteArray(Zips.python("    return event")));
    try {
      assertThat(lambda.invoke(r -> r.functionName("payload-sdk")).payload().asUtf8String())
          .as("no payload is the event {}")
          .isEqualTo("{}");

      InvalidRequestContentException notJson =
          catchThrowableOfType(
              InvalidRequestContentException.class,
              () ->
                  lambda.invoke(
                      r ->
                          r.functionName("payload-sdk")
                              .payload(SdkBytes.fromUtf8String("{not json"))));
      assertThat(notJson.statusCode()).isEqualTo(400);
      assertThat(notJson.awsErrorDetails().errorMessage())
          .startsWith(
              "Could not parse request body into json: Could not parse payload into json: ");

      byte[] large = new byte[InvokeOperation.MAX_SYNC_PAYLOAD + 1];
      Arrays.fill(large, (byte) ' ');
      RequestTooLargeException tooLarge =
          catchThrowableOfType(
              RequestTooLargeException.class,
              () ->
                  lambda.invoke(
                      r -> r.functionName("payload-sdk").payload(SdkBytes.fromByteArray(large))));
      assertThat(tooLarge.statusCode()).isEqualTo(413);
      assertThat(tooLarge.awsErrorDetails().errorMessage())
          .isEqualTo("Request must be smaller than 6291456 bytes for the InvokeFunction operation");

      byte[] largeEvent = new byte[InvokeOperation.MAX_ASYNC_PAYLOAD + 1];
      Arrays.fill(largeEvent, (byte) ' ');
      RequestTooLargeException eventTooLarge =
          catchThrowableOfType(
              RequestTooLargeException.class,
              () ->
                  lambda.invoke(
                      r ->
                          r.functionName("payload-sdk")
                              .invocationType(InvocationType.EVENT)
                              .payload(SdkBytes.fromByteArray(largeEvent))));
      assertThat(eventTooLarge.awsErrorDetails().errorMessage())
          .isEqualTo("Request must be smaller than 1048576 bytes for the InvokeFunction operation");

      UnsupportedMediaTypeException gzipped =
          catchThrowableOfType(
              UnsupportedMediaTypeException.class,
              () ->
                  lambda.invoke(
                      r ->
                          r.functionName("payload-sdk")
                              .payload(SdkBytes.fromUtf8String("{}"))
                              .overrideConfiguration(
                                  o -> o.putHeader("Content-Encoding", "gzip"))));
      assertThat(gzipped.statusCode()).isEqualTo(415);
      assertThat(gzipped.awsErrorDetails().errorMessage()).contains("Content-Encoding 'gzip'");

      LambdaException badType =
          catchThrowableOfType(
              LambdaException.class,
              () -> lambda.invoke(r -> r.functionName("payload-sdk").logType("Everything")));
      assertThat(badType.statusCode()).isEqualTo(400);
      assertThat(badType.awsErrorDetails().errorCode()).isEqualTo("ValidationException");
    } finally {
      lambda.deleteFunction(r -> r.functionName("payload-sdk"));
    }
  }

  @Test
  void codeBeyondTheRequestLimitIsRequestEntityTooLargeAndLeavesNothing() {
    byte[] zip = new byte[Route.MAX_CODE_REQUEST / 4 * 3 + 1];
    new Random(13).nextBytes(zip);

    LambdaException tooLarge =
        catchThrowableOfType(
            LambdaException.class, () -> create("huge-sdk", SdkBytes.fromByteArray(zip)));

    assertThat(tooLarge.statusCode()).isEqualTo(413);
    assertThat(tooLarge.awsErrorDetails().errorCode()).isEqualTo("RequestEntityTooLargeException");
    assertThat(tooLarge.awsErrorDetails().errorMessage())
        .isEqualTo("Request must be smaller than 69905067 bytes for the CreateFunction operation");
    assertThat(
            catchThrowableOfType(
                ResourceNotFoundException.class,
                () -> lambda.getFunction(r -> r.functionName("huge-sdk"))))
        .as("the refused function")
        .isNotNull();
  }
}
