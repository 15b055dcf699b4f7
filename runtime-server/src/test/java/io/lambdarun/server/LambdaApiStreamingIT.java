package io.lambdarun.server;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.lambdarun.core.LambdaRuntime;
import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.http.nio.netty.NettyNioAsyncHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.lambda.LambdaAsyncClient;
import software.amazon.awssdk.services.lambda.model.InvalidRequestContentException;
import software.amazon.awssdk.services.lambda.model.InvokeWithResponseStreamCompleteEvent;
import software.amazon.awssdk.services.lambda.model.InvokeWithResponseStreamRequest;
import software.amazon.awssdk.services.lambda.model.InvokeWithResponseStreamResponse;
import software.amazon.awssdk.services.lambda.model.InvokeWithResponseStreamResponseHandler;
import software.amazon.awssdk.services.lambda.model.LogType;
import software.amazon.awssdk.services.lambda.model.ResourceNotFoundException;
import software.amazon.awssdk.services.lambda.model.ResponseStreamingInvocationType;
import software.amazon.awssdk.services.lambda.model.Runtime;
import software.amazon.awssdk.services.lambda.model.TooManyRequestsException;
import software.amazon.awssdk.services.lambda.model.UnsupportedMediaTypeException;

/**
 * InvokeWithResponseStream through the AWS SDK for Java v2's async client (the only one that has
 * it): the SDK decodes the event stream into {@code PayloadChunk}s and an {@code InvokeComplete}.
 */
class LambdaApiStreamingIT {

  private static LambdaRuntime runtime;
  private static LambdaServer server;
  private static LambdaAsyncClient lambda;

  /** What the SDK handed the response handler. */
  private record Streamed(
      InvokeWithResponseStreamResponse response,
      int chunks,
      byte[] payload,
      List<InvokeWithResponseStreamCompleteEvent> completions) {}

  @BeforeAll
  static void start() {
    runtime = LambdaRuntime.builder().backend("local").build();
    server = LambdaServer.start(runtime, ServerOptions.DEFAULT.withAddress("127.0.0.1", 0));
    lambda =
        LambdaAsyncClient.builder()
            .endpointOverride(server.endpoint())
            .region(Region.US_EAST_1)
            .credentialsProvider(
                StaticCredentialsProvider.create(
                    AwsBasicCredentials.create("AKIDEXAMPLE", "dummy")))
            .httpClientBuilder(NettyNioAsyncHttpClient.builder())
            .overrideConfiguration(o -> o.retryStrategy(AwsRetryStrategy.doNotRetry()))
            .build();
  }

  @AfterAll
  static void stop() {
    lambda.close();
    server.close();
    runtime.close();
  }

  private static void create(String name, String body) {
    lambda
        .createFunction(
            r ->
                r.functionName(name)
                    .runtime(Runtime.PYTHON3_12)
                    .handler("app.handler")
                    .role("arn:aws:iam::000000000000:role/r")
                    .code(c -> c.zipFile(SdkBytes.fromByteArray(Zips.python(body)))))
        .join();
  }

  private static Streamed stream(InvokeWithResponseStreamRequest request) {
    ByteArrayOutputStream payload = new ByteArrayOutputStream();
    List<InvokeWithResponseStreamCompleteEvent> completions = new ArrayList<>();
    int[] chunks = {0};
    InvokeWithResponseStreamResponse[] response = {null};
    lambda
        .invokeWithResponseStream(
            request,
            InvokeWithResponseStreamResponseHandler.builder()
                .onResponse(r -> response[0] = r)
                .subscriber(
                    InvokeWithResponseStreamResponseHandler.Visitor.builder()
                        .onPayloadChunk(
                            chunk -> {
                              chunks[0]++;
                              payload.writeBytes(chunk.payload().asByteArray());
                            })
                        .onInvokeComplete(completions::add)
                        .build())
                .build())
        .join();
    return new Streamed(response[0], chunks[0], payload.toByteArray(), completions);
  }

  @Test
  void theSdkReadsTheAnswerInChunksThenInvokeCompleteWithTheLogTail() {
    create(
        "stream-big",
        "    print('streaming 200000 bytes in ' + context.aws_request_id)\n"
            + "    return 'x' * 200000");

    Streamed streamed =
        stream(
            InvokeWithResponseStreamRequest.builder()
                .functionName("stream-big")
                .logType(LogType.TAIL)
                .payload(SdkBytes.fromUtf8String("{}"))
                .build());

    assertThat(streamed.response().statusCode()).isEqualTo(200);
    assertThat(streamed.response().executedVersion()).isEqualTo("$LATEST");
    assertThat(streamed.response().responseStreamContentType())
        .isEqualTo("application/vnd.amazon.eventstream");
    assertThat(new String(streamed.payload(), UTF_8)).isEqualTo("\"" + "x".repeat(200000) + "\"");
    assertThat(streamed.chunks()).isEqualTo(4);
    assertThat(streamed.completions()).hasSize(1);
    InvokeWithResponseStreamCompleteEvent complete = streamed.completions().get(0);
    assertThat(complete.errorCode()).isNull();
    assertThat(complete.errorDetails()).isNull();
    assertThat(new String(Base64.getDecoder().decode(complete.logResult()), UTF_8))
        .contains(
            "streaming 200000 bytes in " + streamed.response().responseMetadata().requestId());
  }

  @Test
  void aFunctionErrorEndsTheStreamWithItsTypeAndMessage() {
    create("stream-fails", "    raise KeyError('missing')");

    Streamed streamed =
        stream(InvokeWithResponseStreamRequest.builder().functionName("stream-fails").build());

    assertThat(streamed.response().statusCode()).isEqualTo(200);
    assertThat(new String(streamed.payload(), UTF_8)).contains("\"errorType\": \"KeyError\"");
    InvokeWithResponseStreamCompleteEvent complete = streamed.completions().get(0);
    assertThat(complete.errorCode()).isEqualTo("KeyError");
    assertThat(complete.errorDetails()).isEqualTo("'missing'");
    assertThat(complete.logResult()).isNull();
  }

  @Test
  void refusalsComeBeforeTheStreamAsTheSdksTypedExceptions() {
    create("stream-throttled", "    return 1");
    lambda
        .putFunctionConcurrency(
            r -> r.functionName("stream-throttled").reservedConcurrentExecutions(0))
        .join();

    CompletionException unknown =
        catchThrowableOfType(
            CompletionException.class,
            () ->
                stream(
                    InvokeWithResponseStreamRequest.builder().functionName("stream-nope").build()));
    CompletionException throttled =
        catchThrowableOfType(
            CompletionException.class,
            () ->
                stream(
                    InvokeWithResponseStreamRequest.builder()
                        .functionName("stream-throttled")
                        .build()));
    CompletionException notJson =
        catchThrowableOfType(
            CompletionException.class,
            () ->
                stream(
                    InvokeWithResponseStreamRequest.builder()
                        .functionName("stream-throttled")
                        .payload(SdkBytes.fromUtf8String("{not json"))
                        .build()));

    assertThat(unknown.getCause())
        .isInstanceOf(ResourceNotFoundException.class)
        .hasMessageContaining(
            "Function not found: arn:aws:lambda:us-east-1:000000000000:" + "function:stream-nope");
    assertThat(throttled.getCause()).isInstanceOf(TooManyRequestsException.class);
    assertThat(((TooManyRequestsException) throttled.getCause()).reason())
        .hasToString("ReservedFunctionConcurrentInvocationLimitExceeded");
    assertThat(notJson.getCause()).isInstanceOf(InvalidRequestContentException.class);
    CompletionException gzipped =
        catchThrowableOfType(
            CompletionException.class,
            () ->
                stream(
                    InvokeWithResponseStreamRequest.builder()
                        .functionName("stream-throttled")
                        .overrideConfiguration(o -> o.putHeader("Content-Encoding", "gzip"))
                        .build()));
    assertThat(gzipped.getCause()).isInstanceOf(UnsupportedMediaTypeException.class);
  }

  @Test
  void dryRunAnswers204WithoutRunningTheFunction() {
    create("stream-dry", "    raise KeyError('must not run')");

    Streamed streamed =
        stream(
            InvokeWithResponseStreamRequest.builder()
                .functionName("stream-dry")
                .invocationType(ResponseStreamingInvocationType.DRY_RUN)
                .build());

    assertThat(streamed.response().statusCode()).isEqualTo(204);
    assertThat(streamed.chunks()).isZero();
    assertThat(streamed.completions()).isEmpty();
  }

  /** Creates {@link Zips#streamingNode()} as a {@code nodejs20.x} function. */
  private static void createStreamingNode(String name) {
    lambda
        .createFunction(
            r ->
                r.functionName(name)
                    .runtime(Runtime.NODEJS20_X)
                    .handler("index.handler")
                    .role("arn:aws:iam::000000000000:role/r")
                    .code(c -> c.zipFile(SdkBytes.fromByteArray(Zips.streamingNode()))))
        .join();
  }

  /** Starts a streamed invocation whose chunks and completion land in the queues as they come. */
  private static CompletableFuture<Void> streamInto(
      String name,
      String event,
      BlockingQueue<String> chunks,
      List<InvokeWithResponseStreamCompleteEvent> completions) {
    return lambda.invokeWithResponseStream(
        InvokeWithResponseStreamRequest.builder()
            .functionName(name)
            .payload(SdkBytes.fromUtf8String(event))
            .build(),
        InvokeWithResponseStreamResponseHandler.builder()
            .subscriber(
                InvokeWithResponseStreamResponseHandler.Visitor.builder()
                    .onPayloadChunk(chunk -> chunks.add(chunk.payload().asUtf8String()))
                    .onInvokeComplete(completions::add)
                    .build())
            .build());
  }

  @Test
  void theFirstPayloadChunkArrivesWhileAStreamingFunctionStillRuns(@TempDir Path dir)
      throws Exception {
    createStreamingNode("stream-node");
    Path gate = dir.resolve("gate");
    BlockingQueue<String> chunks = new LinkedBlockingQueue<>();
    List<InvokeWithResponseStreamCompleteEvent> completions = new CopyOnWriteArrayList<>();

    CompletableFuture<Void> call =
        streamInto("stream-node", "{\"gate\":\"" + gate + "\"}", chunks, completions);

    assertThat(chunks.poll(30, TimeUnit.SECONDS)).isEqualTo("first;");
    assertThat(call).isNotDone();
    assertThat(completions).isEmpty();
    Files.writeString(gate, "open");
    call.get(30, TimeUnit.SECONDS);
    assertThat(List.copyOf(chunks)).containsExactly("second");
    assertThat(completions).hasSize(1);
    assertThat(completions.get(0).errorCode()).isNull();
  }

  @Test
  void anErrorAfterStreamedBytesEndsTheStreamWithItsTypeAndNoErrorDocument(@TempDir Path dir)
      throws Exception {
    createStreamingNode("stream-node-fails");
    Path gate = dir.resolve("gate");
    Files.writeString(gate, "open");
    BlockingQueue<String> chunks = new LinkedBlockingQueue<>();
    List<InvokeWithResponseStreamCompleteEvent> completions = new CopyOnWriteArrayList<>();

    streamInto(
            "stream-node-fails", "{\"gate\":\"" + gate + "\",\"fail\":true}", chunks, completions)
        .get(30, TimeUnit.SECONDS);

    assertThat(String.join("", chunks)).isEqualTo("first;second");
    assertThat(completions).hasSize(1);
    assertThat(completions.get(0).errorCode()).isEqualTo("RangeError");
    assertThat(completions.get(0).errorDetails()).isEqualTo("broke after two writes");
  }
}
