package io.lambdarun.server;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.lambdarun.api.Archive;
import io.lambdarun.core.LambdaRuntime;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Drives the server with the AWS SDK for JavaScript v3 ({@code @aws-sdk/client-lambda}, pinned in
 * {@code src/test/js/package.json}): a node script runs the calls and prints what the SDK parsed.
 */
class LambdaApiJavaScriptIT {

  private static final Path SCRIPTS = Path.of("src", "test", "js").toAbsolutePath();
  private static final Path HELLO = Path.of("..", "examples", "hello-python").toAbsolutePath();
  private static final String ARN = "arn:aws:lambda:us-east-1:000000000000:function:";

  @TempDir Path temp;

  @Test
  void theJavaScriptSdkCreatesInvokesListsUpdatesAndDeletesWithAwsAnswers() throws Exception {
    assertThat(SCRIPTS.resolve("node_modules/@aws-sdk/client-lambda"))
        .as(
            "the JavaScript SDK; install it with 'npm ci --prefix runtime-server/src/test/js'"
                + " (scripts/test-all.sh does)")
        .isDirectory();
    Path zip = temp.resolve("hello.zip");
    try (InputStream in = Archive.ofDirectory("hello", HELLO).open()) {
      Files.write(zip, in.readAllBytes());
    }
    Path failingZip =
        Files.write(temp.resolve("fails.zip"), Zips.python("    raise KeyError('missing')"));
    Path streamingZip = Files.write(temp.resolve("streams.zip"), Zips.streamingNode());
    Path gate = temp.resolve("gate");
    JsonNode out;
    try (LambdaRuntime runtime = LambdaRuntime.builder().backend("local").build();
        LambdaServer server =
            LambdaServer.start(runtime, ServerOptions.DEFAULT.withAddress("127.0.0.1", 0))) {
      Process node =
          new ProcessBuilder(
                  "node",
                  "lambda-client.mjs",
                  server.endpoint().toString(),
                  zip.toString(),
                  failingZip.toString(),
                  streamingZip.toString(),
                  gate.toString())
              .directory(SCRIPTS.toFile())
              .start();
      InputStream errors = node.getErrorStream();
      CompletableFuture<String> err = CompletableFuture.supplyAsync(() -> readAll(errors));
      String stdout = readAll(node.getInputStream());
      assertThat(node.waitFor(120, TimeUnit.SECONDS)).as("node finished").isTrue();
      assertThat(node.exitValue()).as(err.get()).isZero();
      out = new ObjectMapper().readTree(stdout);
    }

    assertThat(out.at("/create/status").asInt()).isEqualTo(201);
    assertThat(out.at("/create/arn").asText()).isEqualTo(ARN + "hello-js");
    assertThat(out.at("/create/state").asText()).isEqualTo("Active");
    assertThat(out.at("/waiter").asText()).isEqualTo("SUCCESS");
    assertThat(out.at("/invoke/status").asInt()).isEqualTo(200);
    assertThat(out.at("/invoke/version").asText()).isEqualTo("$LATEST");
    assertThat(out.at("/invoke/error").isNull()).isTrue();
    assertThat(out.at("/invoke/payload").asText()).isEqualTo("{\"message\": \"Hello, js!\"}");
    assertThat(out.at("/invoke/log").asText()).contains("greeting js in request ");
    assertThat(out.at("/event").asInt()).isEqualTo(202);
    assertThat(out.at("/dryRun").asInt()).isEqualTo(204);
    assertThat(out.at("/badPayload/name").asText()).isEqualTo("InvalidRequestContentException");
    assertThat(out.at("/badPayload/status").asInt()).isEqualTo(400);
    assertThat(out.at("/live/gateBeforeFirstChunk").toString())
        .as("whether the gate existed when the first PayloadChunk arrived")
        .isEqualTo("false");
    assertThat(out.at("/live/chunks").toString()).isEqualTo("[\"first;\",\"second\"]");
    assertThat(out.at("/live/errorCode").isNull()).isTrue();
    assertThat(out.at("/stream/status").asInt()).isEqualTo(200);
    assertThat(out.at("/stream/version").asText()).isEqualTo("$LATEST");
    assertThat(out.at("/stream/contentType").asText())
        .isEqualTo("application/vnd.amazon.eventstream");
    assertThat(out.at("/stream/payload").asText()).isEqualTo("{\"message\": \"Hello, stream!\"}");
    assertThat(out.at("/stream/errorCode").isNull()).isTrue();
    assertThat(out.at("/stream/log").asText())
        .contains("greeting stream in request " + out.at("/stream/requestId").asText());
    assertThat(out.at("/streamFailure/payload").asText()).contains("\"errorType\": \"KeyError\"");
    assertThat(out.at("/streamFailure/errorCode").asText()).isEqualTo("KeyError");
    assertThat(out.at("/streamFailure/errorDetails").asText()).isEqualTo("'missing'");
    assertThat(out.at("/streamUnknown/name").asText()).isEqualTo("ResourceNotFoundException");
    assertThat(out.at("/streamUnknown/status").asInt()).isEqualTo(404);
    assertThat(out.at("/list").toString()).isEqualTo("[\"hello-js\"]");
    assertThat(out.at("/update/MODE").asText()).isEqualTo("js");
    assertThat(out.at("/layer").asText())
        .isEqualTo("arn:aws:lambda:us-east-1:000000000000:layer:js-layer:1");
    assertThat(out.at("/unknown/name").asText()).isEqualTo("ResourceNotFoundException");
    assertThat(out.at("/unknown/status").asInt()).isEqualTo(404);
    assertThat(out.at("/unknown/message").asText())
        .isEqualTo("Function not found: " + ARN + "nope-js");
    assertThat(out.at("/delete").asInt()).isEqualTo(204);
    assertThat(out.at("/deleted/name").asText()).isEqualTo("ResourceNotFoundException");
  }

  private static String readAll(InputStream in) {
    try {
      return new String(in.readAllBytes(), UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
