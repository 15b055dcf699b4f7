package io.lambdarun.it;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.async.ResultCallback;
import com.github.dockerjava.api.model.Bind;
import com.github.dockerjava.api.model.ExposedPort;
import com.github.dockerjava.api.model.Frame;
import com.github.dockerjava.api.model.HostConfig;
import com.github.dockerjava.api.model.PortBinding;
import com.github.dockerjava.api.model.Ports;
import com.github.dockerjava.core.DefaultDockerClientConfig;
import com.github.dockerjava.core.DockerClientConfig;
import com.github.dockerjava.core.DockerClientImpl;
import com.github.dockerjava.zerodep.ZerodepDockerHttpClient;
import io.lambdarun.it.javahandler.GreeterArchive;
import io.lambdarun.tck.OneEventRuntimeApi;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.HttpURLConnection;
import java.net.URI;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The test images follow AWS's entry point switch: with {@code AWS_LAMBDA_RUNTIME_API} set, {@code
 * /lambda-entrypoint.sh} runs the image's {@code /var/runtime/bootstrap} against that Runtime API
 * instead of the emulator. Each image runs in host network mode against a Runtime API this test
 * serves on 127.0.0.1, so all traffic stays on loopback. Without the variable, the emulator answers
 * a bootstrap it cannot start as AWS's RIE does.
 */
class TestImageBootstrapIT {

  private static DockerClient docker;

  @BeforeAll
  static void connect() {
    DockerClientConfig config = DefaultDockerClientConfig.createDefaultConfigBuilder().build();
    docker =
        DockerClientImpl.getInstance(
            config,
            new ZerodepDockerHttpClient.Builder()
                .dockerHost(config.getDockerHost())
                .sslConfig(config.getSSLConfig())
                .connectionTimeout(Duration.ofSeconds(5))
                .responseTimeout(Duration.ofSeconds(60))
                .build());
  }

  @AfterAll
  static void disconnect() throws IOException {
    docker.close();
  }

  @Test
  void thePythonImageRunsItsRuntimeClientAgainstTheGivenRuntimeApi(@TempDir Path code)
      throws Exception {
    Files.writeString(
        code.resolve("app.py"),
        "def handler(event, context):\n"
            + "    return {'saw': event['name'], 'request': context.aws_request_id}\n",
        UTF_8);

    OneEventRuntimeApi.Answer answer =
        runOneEvent(Examples.PYTHON_IMAGE, "app.handler", code, "python-request-1");

    assertThat(answer.path()).isEqualTo("invocation/python-request-1/response");
    assertThat(answer.body()).isEqualTo("{\"saw\": \"world\", \"request\": \"python-request-1\"}");
  }

  @Test
  void theJavaImageRunsAwssRuntimeInterfaceClientAgainstTheGivenRuntimeApi(@TempDir Path code)
      throws Exception {
    unzip(GreeterArchive.zip(), code);

    OneEventRuntimeApi.Answer answer =
        runOneEvent(Examples.JAVA_IMAGE, GreeterArchive.HANDLER, code, "java-request-1");

    assertThat(answer.path()).isEqualTo("invocation/java-request-1/response");
    assertThat(answer.body()).isEqualTo("\"Hello, world! (request java-request-1)\"");
  }

  /**
   * AWS's Java client writes a logger call with no line ending unless it has Lambda's telemetry log
   * descriptor, and Docker's log driver holds a line back until its newline: the image's bootstrap
   * gives the client that descriptor, so each call is a line in the log while the container runs.
   */
  @Test
  void theJavaImageWritesEachLoggerCallToTheContainerLogAsALine(@TempDir Path code)
      throws Exception {
    unzip(GreeterArchive.zip(), code);
    AtomicReference<String> log = new AtomicReference<>("");

    runOneEvent(
        Examples.JAVA_IMAGE,
        GreeterArchive.HANDLER,
        code,
        "java-request-2",
        "{\"name\":\"world\",\"log\":true}",
        container -> log.set(logOnceItHas(container, "second line of java-request-2")));

    assertThat(log.get()).contains("first line of java-request-2\nsecond line of java-request-2\n");
  }

  @Test
  void theEmulatorAnswersABootstrapItCannotStartWithRuntimeInvalidEntrypoint() throws Exception {
    String container =
        docker
            .createContainerCmd(Examples.PYTHON_IMAGE)
            .withName("lambdarun-bootstrap-it-" + UUID.randomUUID())
            .withEntrypoint("/usr/local/bin/aws-lambda-rie")
            .withCmd("/var/runtime/no-such-bootstrap")
            .withEnv("_HANDLER=app.handler")
            .withExposedPorts(ExposedPort.tcp(8080))
            .withHostConfig(
                HostConfig.newHostConfig()
                    .withPortBindings(
                        new PortBinding(Ports.Binding.bindIp("127.0.0.1"), ExposedPort.tcp(8080))))
            .exec()
            .getId();
    try {
      docker.startContainerCmd(container).exec();
      String port =
          docker
              .inspectContainerCmd(container)
              .exec()
              .getNetworkSettings()
              .getPorts()
              .getBindings()
              .get(ExposedPort.tcp(8080))[0]
              .getHostPortSpec();

      HttpURLConnection answer =
          invokeWhenListening(
              URI.create("http://127.0.0.1:" + port + "/2015-03-31/functions/function/invocations")
                  .toURL());

      assertThat(answer.getResponseCode()).isEqualTo(200);
      assertThat(answer.getHeaderField("X-Amz-Function-Error")).isEqualTo("Unhandled");
      String requestId = answer.getHeaderField("X-Amzn-RequestId");
      assertThat(new String(answer.getInputStream().readAllBytes(), UTF_8))
          .isEqualTo(
              "{\"errorMessage\": \"RequestId: "
                  + requestId
                  + " Error: fork/exec"
                  + " /var/runtime/no-such-bootstrap: no such file or directory\", "
                  + "\"errorType\": \"Runtime.InvalidEntrypoint\"}");
      answer.disconnect();
    } finally {
      docker.removeContainerCmd(container).withForce(true).exec();
    }
  }

  /** Posts an empty event, again while the emulator is not listening yet (up to 10 s). */
  private static HttpURLConnection invokeWhenListening(URL url) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (true) {
      HttpURLConnection connection = (HttpURLConnection) url.openConnection();
      connection.setRequestMethod("POST");
      connection.setDoOutput(true);
      connection.setRequestProperty("Connection", "close");
      try {
        connection.getOutputStream().write("{}".getBytes(UTF_8));
        connection.getResponseCode();
        return connection;
      } catch (IOException e) {
        connection.disconnect();
        if (System.nanoTime() > deadline) {
          throw new AssertionError("no answer from " + url + " within 10 s", e);
        }
        Thread.sleep(50);
      }
    }
  }

  /** Reads the container's log again until it has the text (up to 10 s), and returns it. */
  private static String logOnceItHas(String container, String text) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (true) {
      String log = containerLog(container);
      if (log.contains(text) || System.nanoTime() > deadline) {
        return log;
      }
      Thread.sleep(100);
    }
  }

  private static String containerLog(String container) throws InterruptedException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ResultCallback.Adapter<Frame> reading =
        docker
            .logContainerCmd(container)
            .withStdOut(true)
            .withStdErr(true)
            .exec(
                new ResultCallback.Adapter<>() {
                  @Override
                  public void onNext(Frame frame) {
                    synchronized (bytes) {
                      bytes.writeBytes(frame.getPayload());
                    }
                  }
                })) {
      reading.awaitCompletion(10, TimeUnit.SECONDS);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    synchronized (bytes) {
      return bytes.toString(UTF_8);
    }
  }

  /** What a test looks at in the running container once the runtime has answered. */
  @FunctionalInterface
  private interface ContainerCheck {
    void check(String container) throws Exception;
  }

  private static OneEventRuntimeApi.Answer runOneEvent(
      String image, String handler, Path code, String requestId) throws Exception {
    return runOneEvent(image, handler, code, requestId, "{\"name\":\"world\"}", container -> {});
  }

  /**
   * Runs the image with the code in {@code /var/task} and the handler as command against a Runtime
   * API holding one event, checks the container once the runtime has answered, and returns what the
   * runtime posted.
   */
  private static OneEventRuntimeApi.Answer runOneEvent(
      String image,
      String handler,
      Path code,
      String requestId,
      String event,
      ContainerCheck whileRunning)
      throws Exception {
    try (OneEventRuntimeApi api = new OneEventRuntimeApi(requestId, event)) {
      String container =
          docker
              .createContainerCmd(image)
              .withName("lambdarun-bootstrap-it-" + UUID.randomUUID())
              .withCmd(handler)
              .withEnv(
                  "AWS_LAMBDA_RUNTIME_API=" + api.address(),
                  "AWS_LAMBDA_FUNCTION_NAME=bootstrap-test",
                  "AWS_LAMBDA_FUNCTION_MEMORY_SIZE=256")
              .withHostConfig(
                  HostConfig.newHostConfig()
                      .withNetworkMode("host")
                      .withBinds(Bind.parse(code.toAbsolutePath() + ":/var/task:ro")))
              .exec()
              .getId();
      try {
        docker.startContainerCmd(container).exec();
        OneEventRuntimeApi.Answer answer;
        try {
          answer = api.answer().get(60, TimeUnit.SECONDS);
        } catch (TimeoutException e) {
          throw new AssertionError(
              "image '"
                  + image
                  + "' posted no answer to the Runtime API at "
                  + api.address()
                  + " within 60 s (calls of /next: "
                  + api.nextCalls()
                  + ")",
              e);
        }
        whileRunning.check(container);
        return answer;
      } finally {
        docker.removeContainerCmd(container).withForce(true).exec();
      }
    }
  }

  private static void unzip(byte[] zip, Path folder) throws IOException {
    try (ZipInputStream entries = new ZipInputStream(new ByteArrayInputStream(zip))) {
      for (ZipEntry entry; (entry = entries.getNextEntry()) != null; ) {
        Path target = folder.resolve(entry.getName());
        Files.createDirectories(target.getParent());
        Files.write(target, entries.readAllBytes());
      }
    }
  }
}
