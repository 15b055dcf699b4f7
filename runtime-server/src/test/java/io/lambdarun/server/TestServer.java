package io.lambdarun.server;

import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.lambdarun.api.ConfigurationException;
import io.lambdarun.core.LambdaRuntime;
import java.net.URI;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.lambda.LambdaClient;

/**
 * A {@link LambdaServer} on an ephemeral port of 127.0.0.1 over its own {@link LambdaRuntime}, with
 * an AWS SDK client that never retries (every answer is the server's first); closing it closes all
 * three.
 */
final class TestServer implements AutoCloseable {

  /** The role the tests create functions with. */
  static final String ROLE = "arn:aws:iam::000000000000:role/lambda-role";

  private final LambdaRuntime runtime;
  private final LambdaServer server;
  private final LambdaClient lambda;

  private TestServer(LambdaRuntime runtime, LambdaServer server) {
    this.runtime = runtime;
    this.server = server;
    this.lambda = client(server.endpoint());
  }

  /** The server options of a test: the defaults on an ephemeral port of 127.0.0.1. */
  static ServerOptions options() {
    return ServerOptions.DEFAULT.withAddress("127.0.0.1", 0);
  }

  /** Starts a server with the options on a new runtime of the local backend. */
  static TestServer local(ServerOptions options) {
    return start(LambdaRuntime.builder().backend("local").build(), options);
  }

  /** Starts a server with the options over the runtime, which the server then closes. */
  static TestServer start(LambdaRuntime runtime, ServerOptions options) {
    try {
      return new TestServer(runtime, LambdaServer.start(runtime, options));
    } catch (RuntimeException e) {
      runtime.close();
      throw e;
    }
  }

  /** Returns what a start with the options on the local backend throws (null if it started). */
  static ConfigurationException refusedStart(ServerOptions options) {
    try (LambdaRuntime runtime = LambdaRuntime.builder().backend("local").build()) {
      return catchThrowableOfType(
          ConfigurationException.class, () -> LambdaServer.start(runtime, options).close());
    }
  }

  /** An SDK client of the endpoint with dummy credentials and no retries. */
  static LambdaClient client(URI endpoint) {
    return LambdaClient.builder()
        .endpointOverride(endpoint)
        .region(Region.US_EAST_1)
        .credentialsProvider(
            StaticCredentialsProvider.create(AwsBasicCredentials.create("AKIDEXAMPLE", "dummy")))
        .httpClient(UrlConnectionHttpClient.create())
        .overrideConfiguration(o -> o.retryStrategy(AwsRetryStrategy.doNotRetry()))
        .build();
  }

  LambdaRuntime runtime() {
    return runtime;
  }

  LambdaServer server() {
    return server;
  }

  LambdaClient lambda() {
    return lambda;
  }

  @Override
  public void close() {
    try {
      lambda.close();
    } finally {
      try {
        server.close();
      } finally {
        runtime.close();
      }
    }
  }
}
