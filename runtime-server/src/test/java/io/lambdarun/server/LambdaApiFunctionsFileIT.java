package io.lambdarun.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.lambdarun.api.ConfigurationException;
import io.lambdarun.core.LambdaRuntime;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.lambda.LambdaClient;
import software.amazon.awssdk.services.lambda.model.FunctionConfiguration;
import software.amazon.awssdk.services.lambda.model.GetFunctionConfigurationResponse;

/**
 * Functions declared in a file at start are served as if created; a bad file names every bad entry.
 */
class LambdaApiFunctionsFileIT {

  @TempDir Path temp;

  @Test
  void declaredFunctionsAreServedFromTheStart() throws Exception {
    Path hello = Files.createDirectories(temp.resolve("hello"));
    Files.copy(Path.of("..", "examples", "hello-python", "app.py"), hello.resolve("app.py"));
    Files.write(temp.resolve("env.zip"), Zips.python("    return os.environ['GREETING']"));
    Path file =
        Files.writeString(
            temp.resolve("functions.json"),
            "{\"Functions\": [{\"FunctionName\": \"hello-file\", \"Runtime\": \"python3.12\","
                + " \"Handler\": \"app.handler\", \"Code\": {\"Path\":"
                + " \"hello\"}},{\"FunctionName\": \"env-file\", \"Runtime\": \"python3.12\","
                + " \"Handler\": \"app.handler\", \"Timeout\": 9, \"Code\": {\"Path\":"
                + " \"env.zip\"}, \"Environment\": {\"Variables\": {\"GREETING\":"
                + " \"declared\"}}}]}");
    try (LambdaRuntime runtime = LambdaRuntime.builder().backend("local").build();
        LambdaServer server =
            LambdaServer.start(
                runtime,
                ServerOptions.DEFAULT.withAddress("127.0.0.1", 0).withFunctionsFile(file));
        LambdaClient lambda =
            LambdaClient.builder()
                .endpointOverride(server.endpoint())
                .region(Region.US_EAST_1)
                .credentialsProvider(
                    StaticCredentialsProvider.create(
                        AwsBasicCredentials.create("AKIDEXAMPLE", "dummy")))
                .httpClient(UrlConnectionHttpClient.create())
                .overrideConfiguration(o -> o.retryStrategy(AwsRetryStrategy.doNotRetry()))
                .build()) {
      assertThat(lambda.listFunctions().functions())
          .extracting(FunctionConfiguration::functionName)
          .containsExactly("env-file", "hello-file");
      FunctionConfiguration env =
          lambda.listFunctions().functions().get(0);
      assertThat(env.timeout()).isEqualTo(9);
      assertThat(env.role()).isEqualTo("arn:aws:iam::000000000000:role/lambda-role");
      assertThat(env.environment().variables()).isEqualTo(Map.of("GREETING", "declared"));
      assertThat(lambda.invoke(r -> r.functionName("env-file")).payload().asUtf8String())
          .isEqualTo("\"declared\"");
      assertThat(
              lambda
                  .invoke(
                      r ->
                          r.functionName("hello-file")
                              .payload(
                                  SdkBytes.fromUtf8String(
                                      "{\"name\":\"file\"}")))
                  .payload()
                  .asUtf8String())
          .isEqualTo("{\"message\": \"Hello, file!\"}");
    }
  }

  @Test
  void aBadFileNamesEveryBadEntryAndStartsNothing() throws Exception {
    Files.createDirectories(temp.resolve("hello"));
    Files.writeString(
        temp.resolve("hello").resolve("app.py"), "def handler(e, c):\n    return 1\n");
    Path file =
        Files.writeString(
            temp.resolve("functions.json"),
            "{\"Functions\": [{\"FunctionName\": \"good\", \"Runtime\": \"python3.12\","
                + " \"Handler\": \"app.handler\", \"Code\": {\"Path\":"
                + " \"hello\"}},{\"FunctionName\": \"cobol\", \"Runtime\": \"cobol85\","
                + " \"Handler\": \"app.handler\", \"Code\": {\"Path\":"
                + " \"hello\"}},{\"FunctionName\": \"nowhere\", \"Runtime\": \"python3.12\","
                + " \"Handler\": \"app.handler\", \"Code\": {\"Path\": \"missing\"}}]}");
    try (LambdaRuntime runtime = LambdaRuntime.builder().backend("local").build()) {
      ConfigurationException e =
          catchThrowableOfType(
              ConfigurationException.class,
              () -> LambdaServer.start(
                  runtime,
                  ServerOptions.DEFAULT.withAddress("127.0.0.1", 0).withFunctionsFile(file)));
      assertThat(e.getMessage())
          .startsWith(
              "functions file '"
                  + file
                  + "' has 2 bad entries, fix them: function 2 ('cobol'): runtime 'cobol85'")
          .contains(
              " | function 3 ('nowhere'): Code.Path 'missing' is neither a folder nor a zip file")
          .doesNotContain("'good'");

      Path notJson = Files.writeString(temp.resolve("broken.json"), "{\"Functions\": [");
      ConfigurationException broken =
          catchThrowableOfType(
              ConfigurationException.class,
              () -> LambdaServer.start(
                  runtime,
                  ServerOptions.DEFAULT.withAddress("127.0.0.1", 0).withFunctionsFile(notJson)));
      assertThat(broken.getMessage())
          .startsWith("functions file '" + notJson + "' cannot be read as JSON (")
          .endsWith("); write a JSON object with a 'Functions' list");
    }
  }

  @Test
  void aYamlFileDeclaresFunctionsAsAJsonFileDoes() throws Exception {
    Files.write(temp.resolve("env.zip"), Zips.python("    return os.environ['GREETING']"));
    Path file =
        Files.writeString(
            temp.resolve("functions.yaml"),
            """
            # the same CreateFunction requests as in JSON
            Functions:
              - FunctionName: env-yaml
                Runtime: python3.12
                Handler: app.handler
                Timeout: 9
                Code:
                  Path: env.zip
                Environment:
                  Variables:
                    GREETING: from yaml
            """);
    try (LambdaRuntime runtime = LambdaRuntime.builder().backend("local").build();
        LambdaServer server =
            LambdaServer.start(
                runtime,
                ServerOptions.DEFAULT.withAddress("127.0.0.1", 0).withFunctionsFile(file));
        LambdaClient lambda =
            LambdaClient.builder()
                .endpointOverride(server.endpoint())
                .region(Region.US_EAST_1)
                .credentialsProvider(
                    StaticCredentialsProvider.create(
                        AwsBasicCredentials.create("AKIDEXAMPLE", "dummy")))
                .httpClient(UrlConnectionHttpClient.create())
                .overrideConfiguration(o -> o.retryStrategy(AwsRetryStrategy.doNotRetry()))
                .build()) {
      GetFunctionConfigurationResponse env =
          lambda.getFunctionConfiguration(r -> r.functionName("env-yaml"));
      assertThat(env.timeout()).isEqualTo(9);
      assertThat(env.environment().variables()).isEqualTo(Map.of("GREETING", "from yaml"));
      assertThat(lambda.invoke(r -> r.functionName("env-yaml")).payload().asUtf8String())
          .isEqualTo("\"from yaml\"");
    }
  }

  @Test
  void aBadYamlFileNamesEveryBadEntryAndStartsNothing() throws Exception {
    Files.write(temp.resolve("ok.zip"), Zips.python("    return 1"));
    Path file =
        Files.writeString(
            temp.resolve("functions.yml"),
            """
            Functions:
              - FunctionName: good
                Runtime: python3.12
                Handler: app.handler
                Code: {Path: ok.zip}
              - FunctionName: port
                Runtime: python3.12
                Handler: app.handler
                Code: {Path: ok.zip}
                Environment: {Variables: {PORT: 8080}}
              - FunctionName: slow
                Runtime: python3.12
                Handler: app.handler
                Timeout: a while
                Code: {Path: ok.zip}
            """);
    Path notYaml = Files.writeString(temp.resolve("broken.yaml"), "Functions: [\n  - {");
    Path noList = Files.writeString(temp.resolve("empty.yaml"), "Function:\n  - x\n");
    try (LambdaRuntime runtime = LambdaRuntime.builder().backend("local").build()) {
      ConfigurationException bad = refused(runtime, file);
      ConfigurationException broken = refused(runtime, notYaml);
      ConfigurationException empty = refused(runtime, noList);

      assertThat(bad.getMessage())
          .startsWith("functions file '" + file + "' has 2 bad entries, fix them: function 2"
              + " ('port'): Could not parse request body into json: field 'Variables' is"
              + " '{\"PORT\":8080}', not an object of strings")
          .contains(" | function 3 ('slow'): Could not parse request body into json: field"
              + " 'Timeout' is '\"a while\"', not an integer")
          .doesNotContain("'good'");
      assertThat(broken.getMessage())
          .startsWith("functions file '" + notYaml + "' cannot be read as YAML (")
          .endsWith("); write a mapping with a 'Functions' list");
      assertThat(empty.getMessage())
          .isEqualTo("functions file '" + noList + "' has no 'Functions' list; write"
              + " 'Functions:' with a '- FunctionName: ...' entry per function");
    }
  }

  private static ConfigurationException refused(LambdaRuntime runtime, Path file) {
    return catchThrowableOfType(
        ConfigurationException.class,
        () -> LambdaServer.start(
            runtime, ServerOptions.DEFAULT.withAddress("127.0.0.1", 0).withFunctionsFile(file)));
  }
}
