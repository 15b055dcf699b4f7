package io.lambdarun.cli;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs the packaged {@code lambdarun.jar serve} as a user does and drives it with the AWS CLI v2
 * from Debian ({@code /usr/bin/aws}) over 127.0.0.1: every answer is what the CLI prints for AWS.
 */
class ServeCommandIT {

  private static final Path JAR = Path.of("target", "lambdarun.jar").toAbsolutePath();
  private static final Path AWS = Path.of("/usr/bin/aws");
  private static final Path EXAMPLE =
      Path.of("..", "examples", "hello-python", "app.py").toAbsolutePath();
  private static final Pattern READY =
      Pattern.compile(
          "lambdarun: serving the AWS Lambda API at (http://127\\.0\\.0\\.1:(\\d+)) on"
              + " backend 'local'; stop with Ctrl-C");
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path temp;

  private Process server;
  private final StringBuilder serverErr = new StringBuilder();

  private record Run(int exitCode, String out, String err) {}

  @AfterEach
  void killServer() {
    if (server != null && server.isAlive()) {
      server.destroyForcibly();
    }
  }

  /** Starts the server on a free port and returns its endpoint from the one line it prints. */
  private String startServer(String... extraArgs) throws IOException {
    assertThat(JAR).as("the shaded jar built by 'package'").exists();
    List<String> command =
        new ArrayList<>(
            List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-jar",
                JAR.toString(),
                "serve",
                "--port",
                "0",
                "--backend",
                "local"));
    command.addAll(List.of(extraArgs));
    server = new ProcessBuilder(command).start();
    InputStream errors = server.getErrorStream();
    CompletableFuture.runAsync(() -> drain(readAll(errors)));
    BufferedReader out = new BufferedReader(new InputStreamReader(server.getInputStream(), UTF_8));
    String line =
        CompletableFuture.supplyAsync(() -> readLine(out)).orTimeout(120, TimeUnit.SECONDS).join();
    Matcher ready = READY.matcher(String.valueOf(line));
    assertThat(ready.matches()).as("ready line '%s', stderr: %s", line, serverErr).isTrue();
    return ready.group(1);
  }

  private void drain(byte[] bytes) {
    synchronized (serverErr) {
      serverErr.append(new String(bytes, UTF_8));
    }
  }

  private static String readLine(BufferedReader reader) {
    try {
      return reader.readLine();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private Run aws(String endpoint, String... args) throws Exception {
    return signedAws("dummy-secret", endpoint, args);
  }

  private Run signedAws(String secret, String endpoint, String... args) throws Exception {
    assertThat(AWS).as("Debian's awscli (apt-get install awscli)").exists();
    List<String> command = new ArrayList<>(List.of(AWS.toString(), "lambda"));
    command.addAll(List.of(args));
    command.addAll(
        List.of("--endpoint-url", endpoint, "--region", "us-east-1", "--output", "json"));
    ProcessBuilder builder = new ProcessBuilder(command).directory(temp.toFile());
    Map<String, String> env = builder.environment();
    env.keySet().removeIf(key -> key.startsWith("AWS_"));
    env.put("AWS_ACCESS_KEY_ID", "AKIDEXAMPLE");
    env.put("AWS_SECRET_ACCESS_KEY", secret);
    env.put("AWS_EC2_METADATA_DISABLED", "true");
    env.put("AWS_CONFIG_FILE", temp.resolve("no-config").toString());
    env.put("AWS_SHARED_CREDENTIALS_FILE", temp.resolve("no-credentials").toString());
    env.put("AWS_PAGER", "");
    Process process = builder.start();
    InputStream errors = process.getErrorStream();
    CompletableFuture<byte[]> err = CompletableFuture.supplyAsync(() -> readAll(errors));
    String out = new String(process.getInputStream().readAllBytes(), UTF_8);
    assertThat(process.waitFor(60, TimeUnit.SECONDS)).as("aws %s finished", args[0]).isTrue();
    return new Run(process.exitValue(), out, new String(err.get(), UTF_8));
  }

  private static byte[] readAll(InputStream in) {
    try {
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private Path helloZip() throws IOException {
    Path zip = temp.resolve("hello.zip");
    try (ZipOutputStream out = new ZipOutputStream(Files.newOutputStream(zip))) {
      out.putNextEntry(new ZipEntry("app.py"));
      out.write(Files.readAllBytes(EXAMPLE));
      out.closeEntry();
    }
    return zip;
  }

  /** Processes of the local backend whose owner is the server's JVM, zombies excluded. */
  private static long processesOwnedBy(long pid) throws IOException {
    String marker = "LAMBDARUN_OWNER_PID=" + pid;
    long count = 0;
    try (DirectoryStream<Path> processes = Files.newDirectoryStream(Path.of("/proc"), "[0-9]*")) {
      for (Path process : processes) {
        try {
          String stat = Files.readString(process.resolve("stat"), UTF_8);
          List<String> environ =
              List.of(
                  new String(Files.readAllBytes(process.resolve("environ")), UTF_8).split("\0"));
          if (environ.contains(marker)
              && !stat.substring(stat.lastIndexOf(')') + 2).startsWith("Z")) {
            count++;
          }
        } catch (IOException e) {
          // ended meanwhile, or not ours to read
        }
      }
    }
    return count;
  }

  @Test
  void theAwsCliCreatesInvokesListsUpdatesAndDeletesAndSigtermLeavesNothing() throws Exception {
    String endpoint = startServer();
    Path zip = helloZip();

    Run created =
        aws(
            endpoint,
            "create-function",
            "--function-name",
            "hello-cli",
            "--runtime",
            "python3.12",
            "--handler",
            "app.handler",
            "--role",
            "arn:aws:iam::000000000000:role/lambda-role",
            "--zip-file",
            "fileb://" + zip);
    assertThat(created.exitCode()).as(created.err()).isZero();
    JsonNode configuration = JSON.readTree(created.out());
    assertThat(configuration.get("FunctionArn").asText())
        .isEqualTo("arn:aws:lambda:us-east-1:000000000000:function:hello-cli");
    assertThat(configuration.get("State").asText()).isEqualTo("Active");
    assertThat(configuration.get("CodeSize").asLong()).isEqualTo(Files.size(zip));

    Run waited = aws(endpoint, "wait", "function-active-v2", "--function-name", "hello-cli");
    assertThat(waited.exitCode()).as(waited.err()).isZero();

    Run invoked =
        aws(
            endpoint,
            "invoke",
            "--function-name",
            "hello-cli",
            "--cli-binary-format",
            "raw-in-base64-out",
            "--payload",
            "{\"name\":\"world\"}",
            "--log-type",
            "Tail",
            "answer.json");
    assertThat(invoked.exitCode()).as(invoked.err()).isZero();
    JsonNode invoke = JSON.readTree(invoked.out());
    assertThat(invoke.get("StatusCode").asInt()).isEqualTo(200);
    assertThat(invoke.get("ExecutedVersion").asText()).isEqualTo("$LATEST");
    assertThat(invoke.has("FunctionError")).isFalse();
    assertThat(new String(Base64.getDecoder().decode(invoke.get("LogResult").asText()), UTF_8))
        .contains("greeting world in request ");
    assertThat(Files.readString(temp.resolve("answer.json")))
        .isEqualTo("{\"message\": \"Hello, world!\"}");

    Run listed = aws(endpoint, "list-functions");
    assertThat(listed.exitCode()).as(listed.err()).isZero();
    assertThat(JSON.readTree(listed.out()).get("Functions")).hasSize(1);
    assertThat(JSON.readTree(listed.out()).get("Functions").get(0).get("FunctionName").asText())
        .isEqualTo("hello-cli");

    Run updated =
        aws(
            endpoint,
            "update-function-configuration",
            "--function-name",
            "hello-cli",
            "--timeout",
            "10",
            "--environment",
            "Variables={MODE=test}");
    assertThat(updated.exitCode()).as(updated.err()).isZero();
    assertThat(JSON.readTree(updated.out()).get("Timeout").asInt()).isEqualTo(10);
    assertThat(JSON.readTree(updated.out()).at("/Environment/Variables/MODE").asText())
        .isEqualTo("test");

    Run deleted = aws(endpoint, "delete-function", "--function-name", "hello-cli");
    assertThat(deleted.exitCode()).as(deleted.err()).isZero();
    assertThat(deleted.out()).isEmpty();

    Run gone = aws(endpoint, "invoke", "--function-name", "hello-cli", "answer.json");
    assertThat(gone.exitCode()).isEqualTo(254);
    assertThat(gone.err().strip())
        .isEqualTo(
            "An error occurred (ResourceNotFoundException) when calling the Invoke operation:"
                + " Function not found: arn:aws:lambda:us-east-1:000000000000:function:hello-cli");

    Path slip = temp.resolve("slip.zip");
    try (ZipOutputStream out = new ZipOutputStream(Files.newOutputStream(slip))) {
      out.putNextEntry(new ZipEntry("app.py"));
      out.putNextEntry(new ZipEntry("../escape.py"));
    }
    Run broken =
        aws(
            endpoint,
            "create-function",
            "--function-name",
            "slip-cli",
            "--runtime",
            "python3.12",
            "--handler",
            "app.handler",
            "--role",
            "arn:aws:iam::000000000000:role/lambda-role",
            "--zip-file",
            "fileb://" + slip);
    assertThat(broken.exitCode()).as(broken.err()).isEqualTo(254);
    assertThat(broken.err())
        .contains(
            "An error occurred (InvalidParameterValueException) when calling the CreateFunction"
                + " operation: ");
    assertThat(JSON.readTree(aws(endpoint, "list-functions").out()).get("Functions")).isEmpty();

    stopAndExpectNothingLeft(() -> server.destroy(), 143);
  }

  @Test
  void theAwsCliPublishesALayerAndAFunctionUsesIt() throws Exception {
    String endpoint = startServer();
    Path layer = temp.resolve("layer.zip");
    try (ZipOutputStream out = new ZipOutputStream(Files.newOutputStream(layer))) {
      out.putNextEntry(new ZipEntry("python/greeting.py"));
      out.write("WORD = 'from a layer'\n".getBytes(UTF_8));
    }
    Run published =
        aws(
            endpoint,
            "publish-layer-version",
            "--layer-name",
            "greeting",
            "--zip-file",
            "fileb://" + layer,
            "--compatible-runtimes",
            "python3.12");
    assertThat(published.exitCode()).as(published.err()).isZero();
    String versionArn = JSON.readTree(published.out()).get("LayerVersionArn").asText();
    assertThat(versionArn).isEqualTo("arn:aws:lambda:us-east-1:000000000000:layer:greeting:1");

    Path code = temp.resolve("code.zip");
    try (ZipOutputStream out = new ZipOutputStream(Files.newOutputStream(code))) {
      out.putNextEntry(new ZipEntry("app.py"));
      out.write(
          "import greeting\n\ndef handler(event, context):\n    return greeting.WORD\n"
              .getBytes(UTF_8));
    }
    Run created =
        aws(
            endpoint,
            "create-function",
            "--function-name",
            "layered-cli",
            "--runtime",
            "python3.12",
            "--handler",
            "app.handler",
            "--role",
            "arn:aws:iam::000000000000:role/lambda-role",
            "--layers",
            versionArn,
            "--zip-file",
            "fileb://" + code);
    assertThat(created.exitCode()).as(created.err()).isZero();
    assertThat(JSON.readTree(created.out()).at("/Layers/0/Arn").asText()).isEqualTo(versionArn);
    Run invoked = aws(endpoint, "invoke", "--function-name", "layered-cli", "answer.json");
    assertThat(invoked.exitCode()).as(invoked.err()).isZero();
    assertThat(Files.readString(temp.resolve("answer.json"))).isEqualTo("\"from a layer\"");

    Run listed = aws(endpoint, "list-layer-versions", "--layer-name", "greeting");
    assertThat(JSON.readTree(listed.out()).at("/LayerVersions/0/Version").asInt()).isEqualTo(1);
    Run deleted =
        aws(endpoint, "delete-layer-version", "--layer-name", "greeting", "--version-number", "1");
    assertThat(deleted.exitCode()).as(deleted.err()).isZero();
    Run gone =
        aws(endpoint, "get-layer-version", "--layer-name", "greeting", "--version-number", "1");
    assertThat(gone.err().strip())
        .isEqualTo(
            "An error occurred (ResourceNotFoundException) when calling the GetLayerVersion"
                + " operation: The resource you requested does not exist.");
    stopAndExpectNothingLeft(() -> server.destroy(), 143);
  }

  @Test
  void theAwsCliProvisionsConcurrencyForAVersionAndSigtermLeavesNothing() throws Exception {
    String endpoint = startServer();
    Run created =
        aws(
            endpoint,
            "create-function",
            "--function-name",
            "provisioned-cli",
            "--runtime",
            "python3.12",
            "--handler",
            "app.handler",
            "--role",
            "arn:aws:iam::000000000000:role/lambda-role",
            "--publish",
            "--zip-file",
            "fileb://" + helloZip());
    assertThat(created.exitCode()).as(created.err()).isZero();

    Run latest =
        aws(
            endpoint,
            "put-provisioned-concurrency-config",
            "--function-name",
            "provisioned-cli",
            "--qualifier",
            "$LATEST",
            "--provisioned-concurrent-executions",
            "1");
    assertThat(latest.err().strip())
        .isEqualTo(
            "An error occurred (InvalidParameterValueException) when calling the"
                + " PutProvisionedConcurrencyConfig operation: Provisioned Concurrency Configs cannot"
                + " be applied to unpublished function versions.");
    Run put =
        aws(
            endpoint,
            "put-provisioned-concurrency-config",
            "--function-name",
            "provisioned-cli",
            "--qualifier",
            "1",
            "--provisioned-concurrent-executions",
            "1");
    assertThat(put.exitCode()).as(put.err()).isZero();
    assertThat(JSON.readTree(put.out()).get("RequestedProvisionedConcurrentExecutions").asInt())
        .isEqualTo(1);
    String status = "";
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (!status.equals("READY") && System.nanoTime() < deadline) {
      Run got =
          aws(
              endpoint,
              "get-provisioned-concurrency-config",
              "--function-name",
              "provisioned-cli",
              "--qualifier",
              "1");
      assertThat(got.exitCode()).as(got.err()).isZero();
      status = JSON.readTree(got.out()).get("Status").asText();
    }
    assertThat(status).isEqualTo("READY");
    assertThat(processesOwnedBy(server.pid())).as("the instance launched ahead").isPositive();

    Run deleted =
        aws(
            endpoint,
            "delete-provisioned-concurrency-config",
            "--function-name",
            "provisioned-cli",
            "--qualifier",
            "1");
    assertThat(deleted.exitCode()).as(deleted.err()).isZero();
    Run gone =
        aws(
            endpoint,
            "get-provisioned-concurrency-config",
            "--function-name",
            "provisioned-cli",
            "--qualifier",
            "1");
    assertThat(gone.err().strip())
        .isEqualTo(
            "An error occurred (ProvisionedConcurrencyConfigNotFoundException) when calling"
                + " the GetProvisionedConcurrencyConfig operation: No Provisioned Concurrency Config"
                + " found for this function");
    stopAndExpectNothingLeft(() -> server.destroy(), 143);
  }

  @Test
  void withADataDirAFunctionSurvivesARestart() throws Exception {
    Path data = temp.resolve("data");
    String endpoint = startServer("--data-dir", data.toString());
    Run created =
        aws(
            endpoint,
            "create-function",
            "--function-name",
            "kept-cli",
            "--runtime",
            "python3.12",
            "--handler",
            "app.handler",
            "--role",
            "arn:aws:iam::000000000000:role/lambda-role",
            "--zip-file",
            "fileb://" + helloZip());
    assertThat(created.exitCode()).as(created.err()).isZero();
    stopAndExpectNothingLeft(() -> server.destroy(), 143);

    String restarted = startServer("--data-dir", data.toString());
    Run invoked =
        aws(
            restarted,
            "invoke",
            "--function-name",
            "kept-cli",
            "--cli-binary-format",
            "raw-in-base64-out",
            "--payload",
            "{\"name\":\"again\"}",
            "answer.json");
    assertThat(invoked.exitCode()).as(invoked.err()).isZero();
    assertThat(Files.readString(temp.resolve("answer.json")))
        .isEqualTo("{\"message\": \"Hello, again!\"}");
    List<Path> streams;
    try (Stream<Path> files = Files.walk(data.resolve("logs").resolve("kept-cli"))) {
      streams = files.filter(file -> file.toString().endsWith(".log")).toList();
    }
    assertThat(streams)
        .singleElement()
        .satisfies(
            file -> {
              assertThat(data.resolve("logs/kept-cli").relativize(file).toString())
                  .matches("\\d{4}/\\d{2}/\\d{2}/\\[\\$LATEST\\][0-9a-f]{32}\\.log");
              assertThat(Files.readString(file))
                  .containsPattern(
                      "(?s)^START RequestId: \\S+ Version: \\$LATEST\n.*END RequestId: ")
                  .contains("\nREPORT RequestId: ");
            });
    assertThat(
            JSON.readTree(
                    aws(restarted, "get-function-configuration", "--function-name", "kept-cli")
                        .out())
                .get("RevisionId")
                .asText())
        .isEqualTo(JSON.readTree(created.out()).get("RevisionId").asText());
    stopAndExpectNothingLeft(() -> server.destroy(), 143);
  }

  @Test
  void functionsDeclaredInAFileAreServedAtOnce() throws Exception {
    Path file =
        Files.writeString(
            temp.resolve("functions.json"),
            "{\"Functions\": [{\"FunctionName\": \"declared-cli\", \"Runtime\": \"python3.12\","
                + " \"Handler\": \"app.handler\", \"Code\": {\"Path\": \""
                + EXAMPLE.getParent()
                + "\"}}]}");
    String endpoint = startServer("--functions", file.toString());
    Run invoked =
        aws(
            endpoint,
            "invoke",
            "--function-name",
            "declared-cli",
            "--cli-binary-format",
            "raw-in-base64-out",
            "--payload",
            "{\"name\":\"file\"}",
            "answer.json");
    assertThat(invoked.exitCode()).as(invoked.err()).isZero();
    assertThat(Files.readString(temp.resolve("answer.json")))
        .isEqualTo("{\"message\": \"Hello, file!\"}");
    stopAndExpectNothingLeft(() -> server.destroy(), 143);
  }

  @Test
  void sigintStopsTheServerAndTerminatesAnInstanceBusyWithAnEvent() throws Exception {
    String endpoint = startServer();
    Path started = temp.resolve("started");
    Path zip = temp.resolve("sleepy.zip");
    try (ZipOutputStream out = new ZipOutputStream(Files.newOutputStream(zip))) {
      out.putNextEntry(new ZipEntry("app.py"));
      out.write(
          ("import time\n\ndef handler(event, context):\n"
                  + "    open(event['started'], 'w').close()\n    time.sleep(120)\n")
              .getBytes(UTF_8));
    }
    Run created =
        aws(
            endpoint,
            "create-function",
            "--function-name",
            "sleepy-cli",
            "--runtime",
            "python3.12",
            "--handler",
            "app.handler",
            "--timeout",
            "300",
            "--role",
            "arn:aws:iam::000000000000:role/lambda-role",
            "--zip-file",
            "fileb://" + zip);
    assertThat(created.exitCode()).as(created.err()).isZero();
    Run queued =
        aws(
            endpoint,
            "invoke",
            "--function-name",
            "sleepy-cli",
            "--invocation-type",
            "Event",
            "--cli-binary-format",
            "raw-in-base64-out",
            "--payload",
            "{\"started\":\"" + started + "\"}",
            "answer.json");
    assertThat(queued.exitCode()).as(queued.err()).isZero();
    assertThat(JSON.readTree(queued.out()).get("StatusCode").asInt()).isEqualTo(202);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (!Files.exists(started) && System.nanoTime() < deadline) {
      Thread.sleep(50);
    }
    assertThat(started).as("the handler started on the queued event").exists();
    assertThat(processesOwnedBy(server.pid())).as("the busy instance's processes").isPositive();

    stopAndExpectNothingLeft(
        () -> {
          try {
            new ProcessBuilder("kill", "-INT", Long.toString(server.pid())).start().waitFor();
          } catch (IOException | InterruptedException e) {
            throw new IllegalStateException(e);
          }
        },
        130);
  }

  @Test
  void withCredentialsOnlyTheCliSignedWithThatKeyIsServed() throws Exception {
    String endpoint = startServer("--credentials", "AKIDEXAMPLE:serve-secret");
    Path zip = helloZip();
    Run created =
        signedAws(
            "serve-secret",
            endpoint,
            "create-function",
            "--function-name",
            "signed-cli",
            "--runtime",
            "python3.12",
            "--handler",
            "app.handler",
            "--role",
            "arn:aws:iam::000000000000:role/lambda-role",
            "--zip-file",
            "fileb://" + zip);
    assertThat(created.exitCode()).as(created.err()).isZero();
    Run invoked =
        signedAws(
            "serve-secret",
            endpoint,
            "invoke",
            "--function-name",
            "arn:aws:lambda:us-east-1:000000000000:function:signed-cli",
            "--qualifier",
            "$LATEST",
            "--cli-binary-format",
            "raw-in-base64-out",
            "--payload",
            "{\"name\":\"signed\"}",
            "answer.json");
    assertThat(invoked.exitCode()).as(invoked.err()).isZero();
    assertThat(Files.readString(temp.resolve("answer.json")))
        .isEqualTo("{\"message\": \"Hello, signed!\"}");

    Run wrong = signedAws("another-secret", endpoint, "list-functions");
    assertThat(wrong.exitCode()).isEqualTo(254);
    assertThat(wrong.err().strip())
        .isEqualTo(
            "An error occurred (InvalidSignatureException) when calling the ListFunctions"
                + " operation: The request signature we calculated does not match the signature you"
                + " provided. Check your AWS Secret Access Key and signing method. Consult the service"
                + " documentation for details.");

    stopAndExpectNothingLeft(() -> server.destroy(), 143);
    assertThat(serverErr).as("the server's log").doesNotContain("serve-secret");
  }

  private void stopAndExpectNothingLeft(Runnable signal, int exitCode) throws Exception {
    long pid = server.pid();
    signal.run();
    assertThat(server.waitFor(30, TimeUnit.SECONDS))
        .as("server stopped, stderr: %s", serverErr)
        .isTrue();
    assertThat(server.exitValue()).isEqualTo(exitCode);
    assertThat(processesOwnedBy(pid)).as("processes of the stopped server").isZero();
  }
}
