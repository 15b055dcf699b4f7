package io.lambdarun.core.env;

import static io.lambdarun.core.TestFunctions.python;
import static org.assertj.core.api.Assertions.assertThat;

import io.lambdarun.api.HostAccess;
import io.lambdarun.core.model.LambdaFunction;
import io.lambdarun.core.model.LogFormat;
import io.lambdarun.core.model.LogLevel;
import io.lambdarun.core.model.LoggingConfig;
import io.lambdarun.core.model.SessionCredentials;
import java.net.URI;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import org.junit.jupiter.api.Test;

class FunctionEnvironmentTest {

  private static final Instant LAUNCH = Instant.parse("2026-03-04T05:06:07Z");
  private static final String STREAM = "0123456789abcdef0123456789abcdef";
  private static final HostAccess DOCKER = new HostAccess("host.docker.internal", "127.0.0.1");
  private static final URI EMULATOR = URI.create("http://localhost:4566");

  private static SortedMap<String, String> build(
      LambdaFunction fn, Optional<URI> endpoint, HostAccess access) {
    return new FunctionEnvironment(endpoint, access).build(fn, Optional.empty(), LAUNCH, STREAM);
  }

  @Test
  void carriesThePlatformEnvironment() {
    LambdaFunction fn =
        python("hello")
            .functionArn("arn:aws:lambda:eu-west-1:123456789012:function:hello")
            .memoryMib(256)
            .timeoutSeconds(30)
            .build();

    assertThat(build(fn, Optional.empty(), DOCKER))
        .containsExactlyEntriesOf(
            new java.util.TreeMap<>(
                Map.ofEntries(
                    Map.entry("AWS_REGION", "eu-west-1"),
                    Map.entry("AWS_DEFAULT_REGION", "eu-west-1"),
                    Map.entry("AWS_LAMBDA_FUNCTION_NAME", "hello"),
                    Map.entry("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST"),
                    Map.entry("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "256"),
                    Map.entry("AWS_LAMBDA_LOG_GROUP_NAME", "/aws/lambda/hello"),
                    Map.entry("AWS_LAMBDA_LOG_FORMAT", "Text"),
                    Map.entry("AWS_LAMBDA_LOG_STREAM_NAME", "2026/03/04/[$LATEST]" + STREAM),
                    Map.entry("AWS_LAMBDA_INITIALIZATION_TYPE", "on-demand"),
                    Map.entry("AWS_LAMBDA_FUNCTION_TIMEOUT", "30"),
                    Map.entry("AWS_EXECUTION_ENV", "AWS_Lambda_python3.12"))));
  }

  @Test
  void jsonLoggingPassesTheFormatAndTheApplicationLevelToTheRuntime() {
    LoggingConfig json =
        new LoggingConfig(
            LogFormat.JSON,
            Optional.of(LogLevel.WARN),
            Optional.of(LogLevel.DEBUG),
            Optional.of("/custom/group"));
    LambdaFunction fn = python("hello").loggingConfig(json).build();

    assertThat(build(fn, Optional.empty(), DOCKER))
        .containsEntry("AWS_LAMBDA_LOG_FORMAT", "JSON")
        .containsEntry("AWS_LAMBDA_LOG_LEVEL", "WARN")
        .containsEntry("AWS_LAMBDA_LOG_GROUP_NAME", "/custom/group");
    assertThat(build(python("hello").build(), Optional.empty(), DOCKER))
        .doesNotContainKey("AWS_LAMBDA_LOG_LEVEL");
  }

  @Test
  void endpointUrlIsLowestAndRewritten() {
    assertThat(build(python("hello").build(), Optional.of(EMULATOR), DOCKER))
        .containsEntry("AWS_ENDPOINT_URL", "http://host.docker.internal:4566");
  }

  @Test
  void noEndpointUrlWithoutAnEmulator() {
    assertThat(build(python("hello").build(), Optional.empty(), DOCKER))
        .doesNotContainKey("AWS_ENDPOINT_URL");
  }

  @Test
  void functionMayOverrideTheEndpointAndItIsRewrittenToo() {
    LambdaFunction fn =
        python("hello").putEnvironment("AWS_ENDPOINT_URL", "http://127.0.0.1:9").build();

    assertThat(build(fn, Optional.of(EMULATOR), DOCKER))
        .containsEntry("AWS_ENDPOINT_URL", "http://host.docker.internal:9");
  }

  @Test
  void platformVariablesWinOverTheFunctionTimeout() {
    LambdaFunction fn =
        python("hello")
            .timeoutSeconds(5)
            .putEnvironment("AWS_LAMBDA_FUNCTION_TIMEOUT", "99")
            .build();

    assertThat(build(fn, Optional.empty(), DOCKER))
        .containsEntry("AWS_LAMBDA_FUNCTION_TIMEOUT", "5");
  }

  @Test
  void reservedKeysOfAnUnvalidatedFunctionAreSkipped() {
    LambdaFunction valid = python("hello").build();
    LambdaFunction unchecked =
        new LambdaFunction(
            valid.functionName(),
            valid.functionArn(),
            valid.version(),
            valid.runtime(),
            valid.handler(),
            valid.role(),
            valid.timeout(),
            valid.memoryMib(),
            Map.of("AWS_REGION", "mars-1", "_HANDLER", "evil", "MINE", "ok"),
            valid.packageType(),
            valid.code(),
            valid.imageUri(),
            valid.imageConfig(),
            valid.ephemeralStorageMib(),
            valid.loggingConfig(),
            valid.architecture(),
            valid.tags(),
            valid.layers());

    SortedMap<String, String> env = build(unchecked, Optional.empty(), DOCKER);

    assertThat(env).containsEntry("AWS_REGION", "us-east-1").containsEntry("MINE", "ok");
    assertThat(env).doesNotContainKey("_HANDLER");
  }

  @Test
  void userValuesAreRewrittenForARemoteHostAlias() {
    LambdaFunction fn =
        python("hello").putEnvironment("QUEUE_URL", "http://localhost:4566/q").build();

    assertThat(build(fn, Optional.empty(), DOCKER))
        .containsEntry("QUEUE_URL", "http://host.docker.internal:4566/q");
  }

  @Test
  void nothingIsRewrittenOnLoopback() {
    LambdaFunction fn =
        python("hello").putEnvironment("QUEUE_URL", "http://localhost:4566/q").build();

    SortedMap<String, String> env = build(fn, Optional.of(EMULATOR), HostAccess.loopback());

    assertThat(env).containsEntry("QUEUE_URL", "http://localhost:4566/q");
    assertThat(env).containsEntry("AWS_ENDPOINT_URL", "http://localhost:4566");
  }

  @Test
  void noCredentialsUnlessIssued() {
    assertThat(build(python("hello").build(), Optional.empty(), DOCKER))
        .doesNotContainKeys(FunctionEnvironment.CREDENTIAL_KEYS.toArray(String[]::new));
  }

  @Test
  void issuedCredentialsAreSetAndMarkedSensitive() {
    SessionCredentials credentials =
        new SessionCredentials("AKIDEXAMPLE", "secret", "token", LAUNCH.plusSeconds(3600));

    SortedMap<String, String> env =
        new FunctionEnvironment(Optional.empty(), DOCKER)
            .build(python("hello").build(), Optional.of(credentials), LAUNCH, STREAM);

    assertThat(env)
        .containsEntry("AWS_ACCESS_KEY_ID", "AKIDEXAMPLE")
        .containsEntry("AWS_ACCESS_KEY", "AKIDEXAMPLE")
        .containsEntry("AWS_SECRET_ACCESS_KEY", "secret")
        .containsEntry("AWS_SESSION_TOKEN", "token");
    assertThat(FunctionEnvironment.sensitiveKeys(env))
        .containsExactly(
            "AWS_ACCESS_KEY", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN");
  }

  @Test
  void versionLogGroupAndExecutionEnvFollowTheConfiguration() {
    LambdaFunction fn =
        python("hello").version("7").runtime("provided.al2023").logGroup("/custom/group").build();

    SortedMap<String, String> env = build(fn, Optional.empty(), DOCKER);

    assertThat(env)
        .containsEntry("AWS_LAMBDA_LOG_GROUP_NAME", "/custom/group")
        .containsEntry("AWS_LAMBDA_LOG_STREAM_NAME", "2026/03/04/[7]" + STREAM)
        .containsEntry("AWS_LAMBDA_FUNCTION_VERSION", "7")
        .doesNotContainKey("AWS_EXECUTION_ENV");
  }

  @Test
  void imageFunctionsHaveNoExecutionEnv() {
    LambdaFunction fn = LambdaFunction.builder().functionName("img").imageUri("repo/app:1").build();

    assertThat(build(fn, Optional.empty(), DOCKER)).doesNotContainKey("AWS_EXECUTION_ENV");
  }

  @Test
  void streamIdsAreThirtyTwoLowerHexCharacters() {
    assertThat(FunctionEnvironment.newStreamId()).matches("[0-9a-f]{32}");
  }

  @Test
  void credentialsToStringMasksSecrets() {
    SessionCredentials credentials =
        new SessionCredentials("AKIDEXAMPLE", "s3cr3t", "t0k3n", LAUNCH);

    assertThat(credentials.toString())
        .doesNotContain("AKIDEXAMPLE")
        .doesNotContain("s3cr3t")
        .doesNotContain("t0k3n")
        .contains("***");
  }
}
