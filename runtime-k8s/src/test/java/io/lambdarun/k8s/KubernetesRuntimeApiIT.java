package io.lambdarun.k8s;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.core.DefaultDockerClientConfig;
import com.github.dockerjava.core.DockerClientImpl;
import com.github.dockerjava.zerodep.ZerodepDockerHttpClient;
import io.fabric8.kubernetes.api.model.Container;
import io.lambdarun.api.Archive;
import io.lambdarun.api.ContainerRuntime;
import io.lambdarun.api.Instance;
import io.lambdarun.api.LaunchSpec;
import io.lambdarun.api.Owner;
import io.lambdarun.api.PackageType;
import io.lambdarun.api.RuntimeApiAccess;
import io.lambdarun.k8s.kubelet.KubeletApiServer;
import io.lambdarun.tck.OneEventRuntimeApi;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runtime API mode through the mock API server and the test kubelet, which runs pods whose main
 * container has {@code AWS_LAMBDA_RUNTIME_API} in host network mode: each pod calls a {@link
 * OneEventRuntimeApi} on 127.0.0.1 (the Runtime API host the kubelet configuration gives, as for
 * the artifact server), so all traffic stays on loopback. The Python test image and the Java test
 * image (AWS's Java runtime interface client) take their event and post the answer, for a zip
 * function (code fetched by the init container) and for an image function.
 */
class KubernetesRuntimeApiIT {

  private static final String NAMESPACE = "lambdarun-rapi-it";
  private static final String PYTHON_IMAGE = KubernetesRuntimeContractIT.PYTHON_IMAGE;
  private static final String JAVA_IMAGE = "lambdarun/test-java:latest";
  private static final String PYTHON_APP =
      "def handler(event, context):\n"
          + "    return {'saw': event['name'], 'request': context.aws_request_id}\n";

  private static KubeletApiServer cluster;
  private static DockerClient docker;
  private Owner owner;
  private ContainerRuntime runtime;

  @TempDir Path folder;

  @BeforeAll
  static void startCluster() {
    cluster = new KubeletApiServer(NAMESPACE);
    DefaultDockerClientConfig config =
        DefaultDockerClientConfig.createDefaultConfigBuilder().build();
    docker =
        DockerClientImpl.getInstance(
            config,
            new ZerodepDockerHttpClient.Builder().dockerHost(config.getDockerHost())
                .responseTimeout(Duration.ofMinutes(2)).build());
  }

  @AfterAll
  static void stopCluster() throws IOException {
    if (cluster != null) {
      cluster.close();
    }
    if (docker != null) {
      docker.close();
    }
  }

  @BeforeEach
  void createRuntime() {
    owner = Owner.forCurrentProcess();
    runtime =
        new KubernetesRuntimeProvider()
            .create(io.lambdarun.api.RuntimeConfig.of(cluster.runtimeConfig(NAMESPACE)), owner);
  }

  @AfterEach
  void closeRuntimeLeavesNothing() throws InterruptedException {
    runtime.close();
    // the kubelet removes a deleted pod's containers in the background
    Instant deadline = Instant.now().plusSeconds(20);
    while (KubernetesRuntimeContractIT.liveResources(cluster, owner) > 0
        && Instant.now().isBefore(deadline)) {
      Thread.sleep(50);
    }
    assertThat(KubernetesRuntimeContractIT.liveResources(cluster, owner)).isZero();
  }

  @Test
  void theRuntimeApiIsReachedAsTheArtifactServerIs() {
    assertThat(runtime.runtimeApiAccess()).contains(RuntimeApiAccess.loopback());
  }

  @Test
  void aPythonZipPodTakesItsEventFromTheRuntimeApiWithoutAnyPort() throws Exception {
    try (OneEventRuntimeApi api = new OneEventRuntimeApi("python-zip-1", "{\"name\":\"zip\"}")) {
      Instance instance =
          runtime.launch(
              spec(api, PYTHON_IMAGE).runtime("python3.12").handler("app.handler")
                  .code(zip("code", Map.of("app.py", PYTHON_APP.getBytes(UTF_8)))).build());

      assertThat(instance.endpoint()).isEmpty();
      Container main =
          cluster.client().pods().inNamespace(NAMESPACE).withName(instance.id()).get()
              .getSpec().getContainers().get(0);
      assertThat(main.getPorts()).isEmpty();
      assertThat(main.getReadinessProbe()).isNull();
      OneEventRuntimeApi.Answer answer = answerOf(api, instance);
      assertThat(answer.path()).isEqualTo("invocation/python-zip-1/response");
      assertThat(answer.body()).isEqualTo("{\"saw\": \"zip\", \"request\": \"python-zip-1\"}");
      assertThat(runtime.exitCode(instance)).as("waiting for its next event").isEmpty();
    }
  }

  @Test
  void aPythonImagePodRunsTheImagesEntryPointAgainstTheRuntimeApi() throws Exception {
    Files.writeString(folder.resolve("app.py"), PYTHON_APP);
    String image = build(PYTHON_IMAGE, "COPY app.py /var/task/app.py\nCMD [\"app.handler\"]\n");
    try (OneEventRuntimeApi api =
        new OneEventRuntimeApi("python-image-1", "{\"name\":\"image\"}")) {
      Instance instance = runtime.launch(imageSpec(api, image));

      OneEventRuntimeApi.Answer answer = answerOf(api, instance);
      assertThat(answer.path()).isEqualTo("invocation/python-image-1/response");
      assertThat(answer.body()).isEqualTo("{\"saw\": \"image\", \"request\": \"python-image-1\"}");
      runtime.terminate(instance);
    } finally {
      docker.removeImageCmd(image).withForce(true).exec();
    }
  }

  @Test
  void aJavaZipPodRunsUnderAwssRuntimeInterfaceClient() throws Exception {
    try (OneEventRuntimeApi api = new OneEventRuntimeApi("java-zip-1", "{\"name\":\"zip\"}")) {
      Instance instance =
          runtime.launch(
              spec(api, JAVA_IMAGE).runtime("java17").handler(JavaGreeter.HANDLER)
                  .code(zip("greeter", Map.of(classEntry(), classBytes()))).build());

      OneEventRuntimeApi.Answer answer = answerOf(api, instance);
      assertThat(answer.path()).isEqualTo("invocation/java-zip-1/response");
      assertThat(answer.body()).isEqualTo("\"Hello from Java, zip!\"");
    }
  }

  @Test
  void aJavaImagePodRunsUnderAwssRuntimeInterfaceClient() throws Exception {
    Path classFile = folder.resolve(classEntry());
    Files.createDirectories(classFile.getParent());
    Files.write(classFile, classBytes());
    String image =
        build(JAVA_IMAGE, "COPY io /var/task/io\nCMD [\"" + JavaGreeter.HANDLER + "\"]\n");
    try (OneEventRuntimeApi api = new OneEventRuntimeApi("java-image-1", "{\"name\":\"image\"}")) {
      Instance instance = runtime.launch(imageSpec(api, image));

      OneEventRuntimeApi.Answer answer = answerOf(api, instance);
      assertThat(answer.path()).isEqualTo("invocation/java-image-1/response");
      assertThat(answer.body()).isEqualTo("\"Hello from Java, image!\"");
      runtime.terminate(instance);
    } finally {
      docker.removeImageCmd(image).withForce(true).exec();
    }
  }

  @Test
  void exitCodeReportsAPodWhoseRuntimeDied() throws Exception {
    String dying = "import os\ndef handler(event, context):\n    os._exit(7)\n";
    try (OneEventRuntimeApi api = new OneEventRuntimeApi("dying-1", "{\"name\":\"x\"}")) {
      Instance instance =
          runtime.launch(
              spec(api, PYTHON_IMAGE).runtime("python3.12").handler("app.handler")
                  .code(zip("code", Map.of("app.py", dying.getBytes(UTF_8)))).build());

      assertThat(exitCodeWithin(instance, 30)).hasValue(7);
      assertThat(api.nextCalls()).isEqualTo(1);
    }
  }

  @Test
  void exitCodeReportsAPodDeletedOutOfBandAsKilled() throws Exception {
    try (OneEventRuntimeApi api = new OneEventRuntimeApi("deleted-1", "{\"name\":\"x\"}")) {
      Instance instance =
          runtime.launch(
              spec(api, PYTHON_IMAGE).runtime("python3.12").handler("app.handler")
                  .code(zip("code", Map.of("app.py", PYTHON_APP.getBytes(UTF_8)))).build());
      answerOf(api, instance);
      assertThat(runtime.exitCode(instance)).isEmpty();

      cluster.client().pods().inNamespace(NAMESPACE).withName(instance.id()).delete();

      assertThat(exitCodeWithin(instance, 30)).hasValue(137);
    }
  }

  private LaunchSpec.Builder spec(OneEventRuntimeApi api, String image) {
    return LaunchSpec.builder()
        .functionName("rapi-fn")
        .functionArn("arn:aws:lambda:us-east-1:000000000000:function:rapi-fn")
        .deployId("rapi-" + UUID.randomUUID())
        .image(image)
        .layers(List.of())
        .memoryMib(512)
        .timeout(Duration.ofSeconds(30))
        .putEnvironment("AWS_LAMBDA_RUNTIME_API", api.address())
        .putEnvironment("AWS_LAMBDA_FUNCTION_NAME", "rapi-fn")
        .putEnvironment("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "512")
        .labels(owner.labels())
        .runtimeApi(api.address());
  }

  private LaunchSpec imageSpec(OneEventRuntimeApi api, String image) {
    return spec(api, image)
        .packageType(PackageType.IMAGE).runtime("").handler("").code(null).build();
  }

  /** Asks for the exit code until there is one, for at most the given seconds. */
  private OptionalInt exitCodeWithin(Instance instance, int seconds) throws InterruptedException {
    OptionalInt exit = runtime.exitCode(instance);
    Instant deadline = Instant.now().plusSeconds(seconds);
    while (exit.isEmpty() && Instant.now().isBefore(deadline)) {
      Thread.sleep(50);
      exit = runtime.exitCode(instance);
    }
    return exit;
  }

  /** Waits for the pod's answer, naming its log when none comes. */
  private OneEventRuntimeApi.Answer answerOf(OneEventRuntimeApi api, Instance instance)
      throws Exception {
    try {
      return api.answer().get(60, TimeUnit.SECONDS);
    } catch (TimeoutException e) {
      throw new AssertionError(
          "pod " + instance.id() + " posted no answer to " + api.address() + " within 60 s"
              + " (calls of /next: " + api.nextCalls() + "); its log:\n"
              + runtime.logs(instance, Instant.EPOCH),
          e);
    }
  }

  /** Builds an image from the test folder, tagged uniquely; the caller removes it. */
  private String build(String base, String steps) throws IOException {
    String tag = "lambdarun-test/k8s-rapi-" + UUID.randomUUID() + ":latest";
    Files.writeString(folder.resolve("Dockerfile"), "FROM " + base + "\n" + steps);
    docker.buildImageCmd(folder.toFile()).withTags(Set.of(tag)).withPull(false)
        .start().awaitImageId();
    return tag;
  }

  private static String classEntry() {
    return JavaGreeter.class.getName().replace('.', '/') + ".class";
  }

  private static byte[] classBytes() throws IOException {
    try (InputStream in = JavaGreeter.class.getResourceAsStream("/" + classEntry())) {
      if (in == null) {
        throw new IllegalStateException("'" + classEntry() + "' is not on the test class path");
      }
      return in.readAllBytes();
    }
  }

  private static Archive zip(String name, Map<String, byte[]> entries) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ZipOutputStream zip = new ZipOutputStream(bytes)) {
      for (Map.Entry<String, byte[]> entry : entries.entrySet()) {
        zip.putNextEntry(new ZipEntry(entry.getKey()));
        zip.write(entry.getValue());
        zip.closeEntry();
      }
    } catch (IOException e) {
      throw new AssertionError(e);
    }
    return Archive.ofBytes(name, bytes.toByteArray());
  }
}
