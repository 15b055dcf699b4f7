package io.lambdarun.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.lambdarun.api.ConfigurationException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.SdkBytes;
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
    try (TestServer server = TestServer.local(TestServer.options().withFunctionsFile(file))) {
      LambdaClient lambda = server.lambda();
      assertThat(lambda.listFunctions().functions())
          .extracting(FunctionConfiguration::functionName)
          .containsExactly("env-file", "hello-file");
      FunctionConfiguration env = lambda.listFunctions().functions().get(0);
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
                              .payload(SdkBytes.fromUtf8String("{\"name\":\"file\"}")))
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
    ConfigurationException e = refused(file);
    assertThat(e.getMessage())
        .startsWith(
            "functions file '"
                + file
                + "' has 2 bad entries, fix them: function 2 ('cobol'): runtime 'cobol85'")
        .contains(
            " | function 3 ('nowhere'): Code.Path 'missing' is neither a folder nor a zip file")
        .doesNotContain("'good'");

    Path notJson = Files.writeString(temp.resolve("broken.json"), "{\"Functions\": [");
    ConfigurationException broken = refused(notJson);
    assertThat(broken.getMessage())
        .startsWith("functions file '" + notJson + "' cannot be read as JSON (")
        .endsWith("); write a JSON object with a 'Functions' list");
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
    try (TestServer server = TestServer.local(TestServer.options().withFunctionsFile(file))) {
      LambdaClient lambda = server.lambda();
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
    ConfigurationException bad = refused(file);
    ConfigurationException broken = refused(notYaml);
    ConfigurationException empty = refused(noList);

    assertThat(bad.getMessage())
        .startsWith(
            "functions file '"
                + file
                + "' has 2 bad entries, fix them: function 2"
                + " ('port'): Could not parse request body into json: field 'Variables' is"
                + " '{\"PORT\":8080}', not an object of strings")
        .contains(
            " | function 3 ('slow'): Could not parse request body into json: field"
                + " 'Timeout' is '\"a while\"', not an integer")
        .doesNotContain("'good'");
    assertThat(broken.getMessage())
        .startsWith("functions file '" + notYaml + "' cannot be read as YAML (")
        .endsWith("); write a mapping with a 'Functions' list");
    assertThat(empty.getMessage())
        .isEqualTo(
            "functions file '"
                + noList
                + "' has no 'Functions' list; write"
                + " 'Functions:' with a '- FunctionName: ...' entry per function");
  }

  private static ConfigurationException refused(Path file) {
    return TestServer.refusedStart(TestServer.options().withFunctionsFile(file));
  }
}
