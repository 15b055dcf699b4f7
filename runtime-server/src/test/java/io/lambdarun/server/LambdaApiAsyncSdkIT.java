package io.lambdarun.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.lambdarun.core.LambdaRuntime;
import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.http.nio.netty.NettyNioAsyncHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.lambda.LambdaAsyncClient;
import software.amazon.awssdk.services.lambda.model.InvokeResponse;
import software.amazon.awssdk.services.lambda.model.ResourceNotFoundException;
import software.amazon.awssdk.services.lambda.model.Runtime;

/** The AWS SDK for Java v2's async client (Netty) gets the same answers as the sync one. */
class LambdaApiAsyncSdkIT {

  @Test
  void theAsyncClientCreatesInvokesAndDeletesAndLeavesNoThread() throws Exception {
    try (LambdaRuntime runtime = LambdaRuntime.builder().backend("local").build();
        LambdaServer server =
            LambdaServer.start(runtime, ServerOptions.DEFAULT.withAddress("127.0.0.1", 0));
        LambdaAsyncClient lambda =
            LambdaAsyncClient.builder()
                .endpointOverride(server.endpoint())
                .region(Region.US_EAST_1)
                .credentialsProvider(
                    StaticCredentialsProvider.create(
                        AwsBasicCredentials.create("AKIDEXAMPLE", "dummy")))
                // a builder, not a client: the SDK closes only the HTTP clients it builds
                .httpClientBuilder(NettyNioAsyncHttpClient.builder())
                .overrideConfiguration(o -> o.retryStrategy(AwsRetryStrategy.doNotRetry()))
                .build()) {
      assertThat(
              lambda
                  .createFunction(
                      r ->
                          r.functionName("async-sdk")
                              .runtime(Runtime.PYTHON3_12)
                              .handler("app.handler")
                              .role("arn:aws:iam::000000000000:role/r")
                              .code(
                                  c ->
                                      c.zipFile(
                                          SdkBytes.fromByteArray(
                                              Zips.python("    return {'echo': event}")))))
                  .join()
                  .sdkHttpResponse()
                  .statusCode())
          .isEqualTo(201);
      InvokeResponse invoked =
          lambda
              .invoke(r -> r.functionName("async-sdk").payload(SdkBytes.fromUtf8String("[1, 2]")))
              .join();
      assertThat(invoked.statusCode()).isEqualTo(200);
      assertThat(invoked.payload().asUtf8String()).isEqualTo("{\"echo\": [1, 2]}");
      assertThat(
              lambda
                  .deleteFunction(r -> r.functionName("async-sdk"))
                  .join()
                  .sdkHttpResponse()
                  .statusCode())
          .isEqualTo(204);
      CompletionException gone =
          catchThrowableOfType(
              CompletionException.class,
              () -> lambda.invoke(r -> r.functionName("async-sdk")).join());
      assertThat(gone.getCause()).isInstanceOf(ResourceNotFoundException.class);
      assertThat(((ResourceNotFoundException) gone.getCause()).statusCode()).isEqualTo(404);
    }
    List<String> left = List.of();
    for (int i = 0; i < 100; i++) {
      left =
          Thread.getAllStackTraces().keySet().stream()
              .filter(Thread::isAlive)
              .map(Thread::getName)
              .filter(
                  name ->
                      name.startsWith("aws-java-sdk-NettyEventLoop")
                          || name.startsWith("sdk-async-response")
                          || name.startsWith("lambdarun-"))
              .collect(Collectors.toList());
      if (left.isEmpty()) {
        break;
      }
      Thread.sleep(100);
    }
    assertThat(left).as("threads left 10 s after closing the async client").isEmpty();
  }
}
