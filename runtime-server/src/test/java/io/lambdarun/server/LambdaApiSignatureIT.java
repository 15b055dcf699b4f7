package io.lambdarun.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.lambdarun.core.LambdaRuntime;
import java.io.IOException;
import java.net.HttpURLConnection;
import java.net.URI;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.lambda.LambdaClient;
import software.amazon.awssdk.services.lambda.model.FunctionConfiguration;
import software.amazon.awssdk.services.lambda.model.LambdaException;
import software.amazon.awssdk.services.lambda.model.Runtime;

/**
 * With credentials set, the server accepts exactly the SigV4 signatures the AWS SDK makes with that
 * key (paths with encoded ARNs and {@code $LATEST}, signed queries, bodies) and answers 403 with
 * AWS's error types to any other.
 */
class LambdaApiSignatureIT {

  private static final String ARN = "arn:aws:lambda:us-east-1:000000000000:function:signed-sdk";

  private static LambdaRuntime runtime;
  private static LambdaServer server;

  @BeforeAll
  static void start() {
    runtime = LambdaRuntime.builder().backend("local").build();
    server =
        LambdaServer.start(
            runtime,
            ServerOptions.DEFAULT
                .withAddress("127.0.0.1", 0)
                .withCredentials(ServerCredentials.parse("AKIDSERVER:the-real-secret")));
  }

  @AfterAll
  static void stop() {
    server.close();
    runtime.close();
  }

  private static LambdaClient client(String accessKey, String secret) {
    return LambdaClient.builder()
        .endpointOverride(server.endpoint())
        .region(Region.US_EAST_1)
        .credentialsProvider(
            StaticCredentialsProvider.create(AwsBasicCredentials.create(accessKey, secret)))
        .httpClient(UrlConnectionHttpClient.create())
        .build();
  }

  @Test
  void requestsSignedWithTheKeyAreServed() {
    try (LambdaClient lambda = client("AKIDSERVER", "the-real-secret")) {
      lambda.createFunction(
          r ->
              r.functionName("signed-sdk")
                  .runtime(Runtime.PYTHON3_12)
                  .handler("app.handler")
                  .role("arn:aws:iam::000000000000:role/r")
                  .code(c -> c.zipFile(SdkBytes.fromByteArray(Zips.python("    return event")))));
      lambda.createFunction(
          r ->
              r.functionName("signed-sdk-2")
                  .runtime(Runtime.PYTHON3_12)
                  .handler("app.handler")
                  .role("arn:aws:iam::000000000000:role/r")
                  .code(c -> c.zipFile(SdkBytes.fromByteArray(Zips.python("    return 2")))));
      try {
        assertThat(
                lambda
                    .invoke(
                        r ->
                            r.functionName(ARN)
                                .qualifier("$LATEST")
                                .payload(SdkBytes.fromUtf8String("{\"signed\": true}")))
                    .payload()
                    .asUtf8String())
            .isEqualTo("{\"signed\": true}");
        List<String> names =
            lambda.listFunctionsPaginator(r -> r.maxItems(1)).functions().stream()
                .map(FunctionConfiguration::functionName)
                .toList();
        assertThat(names).containsExactly("signed-sdk", "signed-sdk-2");
      } finally {
        lambda.deleteFunction(r -> r.functionName(ARN));
        lambda.deleteFunction(r -> r.functionName("signed-sdk-2"));
      }
    }
  }

  @Test
  void aWrongSecretIsInvalidSignature() {
    try (LambdaClient lambda = client("AKIDSERVER", "a-wrong-secret")) {
      LambdaException e = catchThrowableOfType(LambdaException.class, lambda::listFunctions);
      assertThat(e.statusCode()).isEqualTo(403);
      assertThat(e.awsErrorDetails().errorCode()).isEqualTo("InvalidSignatureException");
      assertThat(e.awsErrorDetails().errorMessage())
          .startsWith(
              "The request signature we calculated does not match the signature you provided.")
          .doesNotContain("the-real-secret");
    }
  }

  @Test
  void anotherAccessKeyIsUnrecognized() {
    try (LambdaClient lambda = client("AKIDOTHER", "the-real-secret")) {
      LambdaException e =
          catchThrowableOfType(
              LambdaException.class, () -> lambda.invoke(r -> r.functionName("signed-sdk")));
      assertThat(e.statusCode()).isEqualTo(403);
      assertThat(e.awsErrorDetails().errorCode()).isEqualTo("UnrecognizedClientException");
      assertThat(e.awsErrorDetails().errorMessage())
          .isEqualTo("The security token included in the request is invalid.");
    }
  }

  @Test
  void anUnsignedRequestIsUnrecognized() throws IOException {
    HttpURLConnection connection =
        (HttpURLConnection)
            URI.create(server.endpoint() + "/2015-03-31/functions/").toURL().openConnection();
    try {
      assertThat(connection.getResponseCode()).isEqualTo(403);
      assertThat(connection.getHeaderField("x-amzn-ErrorType"))
          .isEqualTo("UnrecognizedClientException");
    } finally {
      connection.disconnect();
    }
  }
}
