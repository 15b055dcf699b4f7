package io.lambdarun.docker;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;

import com.github.dockerjava.api.command.InspectContainerResponse;
import com.github.dockerjava.api.model.Network;
import com.github.dockerjava.api.model.Ports;
import io.lambdarun.api.Archive;
import io.lambdarun.api.Availability;
import io.lambdarun.api.ContainerRuntime;
import io.lambdarun.api.Instance;
import io.lambdarun.api.LaunchFailedException;
import io.lambdarun.api.LaunchSpec;
import io.lambdarun.api.Owner;
import io.lambdarun.api.PackageType;
import io.lambdarun.api.RuntimeApiAccess;
import io.lambdarun.api.RuntimeConfig;
import io.lambdarun.tck.OneEventRuntimeApi;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runtime API mode on a real engine. The runtime runs its containers in host network mode ({@code
 * lambdarun.docker.network=host}), so each instance calls a {@link OneEventRuntimeApi} on
 * 127.0.0.1 and all traffic stays on loopback: the Python test image (the project's runtime
 * client) and the Java test image (AWS's Java runtime interface client) take their event and post
 * the answer, for a zip function and for an image function, with nothing published.
 */
class DockerRuntimeApiIT {

  private static final String PYTHON_IMAGE = TestEngine.PYTHON_IMAGE;
  private static final String JAVA_IMAGE = "lambdarun/test-java:latest";
  private static final String PYTHON_APP =
      "def handler(event, context):\n"
          + "    return {'saw': event['name'], 'request': context.aws_request_id}\n";

  private static Owner owner;
  private static ContainerRuntime runtime;

  @TempDir Path folder;

  @BeforeAll
  static void createRuntime() {
    DockerRuntimeProvider provider = new DockerRuntimeProvider();
    Availability availability = provider.availability(RuntimeConfig.empty());
    if (!availability.available()) {
      fail("no Docker engine for the integration tests: " + availability.reason());
    }
    owner = Owner.forCurrentProcess();
    runtime = provider.create(RuntimeConfig.of(Map.of(DockerConfigKeys.NETWORK, "host")), owner);
  }

  @AfterAll
  static void closeLeavesNoLabelledContainer() {
    runtime.close();
    assertThat(TestEngine.containersOf(owner)).isZero();
  }

  @Test
  void inHostNetworkModeTheRuntimeApiIsOnLoopback() {
    assertThat(runtime.runtimeApiAccess()).contains(RuntimeApiAccess.loopback());
  }

  @Test
  void onTheDefaultBridgeTheRuntimeApiListensOnTheGatewayAndContainersCallTheAlias() {
    Network bridge = TestEngine.client().inspectNetworkCmd().withNetworkId("bridge").exec();
    String gateway = bridge.getIpam().getConfig().get(0).getGateway();
    try (ContainerRuntime onBridge =
            new DockerRuntimeProvider().create(RuntimeConfig.empty(), owner);
        ContainerRuntime rieOnly =
            new DockerRuntimeProvider()
                .create(
                    RuntimeConfig.of(Map.of(DockerConfigKeys.INSTANCE_PROTOCOL, "rie")), owner)) {
      assertThat(onBridge.runtimeApiAccess())
          .contains(new RuntimeApiAccess(gateway, "host.docker.internal"));
      assertThat(gateway).isNotEqualTo("0.0.0.0");
      assertThat(rieOnly.runtimeApiAccess()).isEmpty();
    }
  }

  @Test
  void aPythonZipFunctionTakesItsEventFromTheRuntimeApiWithNothingPublished() throws Exception {
    try (OneEventRuntimeApi api = new OneEventRuntimeApi("python-zip-1", "{\"name\":\"zip\"}")) {
      Instance instance =
          runtime.launch(
              spec(api, PYTHON_IMAGE).runtime("python3.12").handler("app.handler")
                  .code(zip("code", Map.of("app.py", PYTHON_APP.getBytes(UTF_8)))).build());

      assertThat(instance.endpoint()).isEmpty();
      InspectContainerResponse inspected =
          TestEngine.client().inspectContainerCmd(instance.id()).exec();
      assertThat(inspected.getHostConfig().getNetworkMode()).isEqualTo("host");
      assertThat(Optional.ofNullable(inspected.getHostConfig().getPortBindings())
              .map(Ports::getBindings).orElse(Map.of()))
          .isEmpty();
      OneEventRuntimeApi.Answer answer = answerOf(api, instance);
      assertThat(answer.path()).isEqualTo("invocation/python-zip-1/response");
      assertThat(answer.body()).isEqualTo("{\"saw\": \"zip\", \"request\": \"python-zip-1\"}");
      assertThat(runtime.exitCode(instance)).as("waiting for its next event").isEmpty();
      runtime.terminate(instance);
    }
  }

  @Test
  void aPythonImageFunctionRunsTheImagesEntryPointAgainstTheRuntimeApi() throws Exception {
    Files.writeString(folder.resolve("app.py"), PYTHON_APP);
    String image =
        build(PYTHON_IMAGE, "COPY app.py /var/task/app.py\nCMD [\"app.handler\"]\n");
    try (OneEventRuntimeApi api =
        new OneEventRuntimeApi("python-image-1", "{\"name\":\"image\"}")) {
      Instance instance = runtime.launch(imageSpec(api, image));

      OneEventRuntimeApi.Answer answer = answerOf(api, instance);
      assertThat(answer.path()).isEqualTo("invocation/python-image-1/response");
      assertThat(answer.body()).isEqualTo("{\"saw\": \"image\", \"request\": \"python-image-1\"}");
      runtime.terminate(instance);
    } finally {
      TestEngine.client().removeImageCmd(image).withForce(true).exec();
    }
  }

  @Test
  void aJavaZipFunctionRunsUnderAwssRuntimeInterfaceClient() throws Exception {
    try (OneEventRuntimeApi api = new OneEventRuntimeApi("java-zip-1", "{\"name\":\"zip\"}")) {
      Instance instance =
          runtime.launch(
              spec(api, JAVA_IMAGE).runtime("java17").handler(JavaGreeter.HANDLER)
                  .code(zip("greeter", Map.of(classEntry(), classBytes()))).build());

      OneEventRuntimeApi.Answer answer = answerOf(api, instance);
      assertThat(answer.path()).isEqualTo("invocation/java-zip-1/response");
      assertThat(answer.body()).isEqualTo("\"Hello from Java, zip!\"");
      runtime.terminate(instance);
    }
  }

  @Test
  void aJavaImageFunctionRunsUnderAwssRuntimeInterfaceClient() throws Exception {
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
      TestEngine.client().removeImageCmd(image).withForce(true).exec();
    }
  }

  @Test
  void exitCodeReportsAContainerWhoseRuntimeDiedAndOneThatIsGone() throws Exception {
    String dying = "import os\ndef handler(event, context):\n    os._exit(7)\n";
    try (OneEventRuntimeApi api = new OneEventRuntimeApi("dying-1", "{\"name\":\"x\"}")) {
      Instance instance =
          runtime.launch(
              spec(api, PYTHON_IMAGE).runtime("python3.12").handler("app.handler")
                  .code(zip("code", Map.of("app.py", dying.getBytes(UTF_8)))).build());

      OptionalInt exit = OptionalInt.empty();
      Instant deadline = Instant.now().plusSeconds(30);
      while (exit.isEmpty() && Instant.now().isBefore(deadline)) {
        Thread.sleep(50);
        exit = runtime.exitCode(instance);
      }
      assertThat(exit).as("exit code within 30 s").hasValue(7);
      assertThat(api.nextCalls()).isEqualTo(1);

      runtime.terminate(instance);
      assertThat(runtime.exitCode(instance)).hasValue(137);
    }
  }

  @Test
  void rieEndpointModeIsRefusedInHostNetworkModeAndLeavesNothing() {
    long before = TestEngine.containersOf(owner);
    LaunchSpec rie =
        LaunchSpec.builder()
            .functionName("rie-on-host")
            .functionArn("arn:aws:lambda:us-east-1:000000000000:function:rie-on-host")
            .deployId("rapi-" + UUID.randomUUID())
            .runtime("python3.12")
            .handler("app.handler")
            .image(PYTHON_IMAGE)
            .code(zip("code", Map.of("app.py", PYTHON_APP.getBytes(UTF_8))))
            .labels(owner.labels())
            .build();

    assertThatThrownBy(() -> runtime.launch(rie))
        .isInstanceOf(LaunchFailedException.class)
        .hasMessage(
            "function 'rie-on-host' asks for RIE-endpoint mode, whose port host network mode"
                + " cannot publish; set 'lambdarun.docker.network' to 'bridge' or launch it in"
                + " Runtime API mode");
    assertThat(TestEngine.containersOf(owner)).isEqualTo(before);
  }

  private static LaunchSpec.Builder spec(OneEventRuntimeApi api, String image) {
    return LaunchSpec.builder()
        .functionName("rapi-fn")
        .functionArn("arn:aws:lambda:us-east-1:000000000000:function:rapi-fn")
        .deployId("rapi-" + UUID.randomUUID())
        .image(image)
        .memoryMib(512)
        .timeout(Duration.ofSeconds(30))
        .putEnvironment("AWS_LAMBDA_RUNTIME_API", api.address())
        .putEnvironment("AWS_LAMBDA_FUNCTION_NAME", "rapi-fn")
        .putEnvironment("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "512")
        .labels(owner.labels())
        .runtimeApi(api.address());
  }

  private static LaunchSpec imageSpec(OneEventRuntimeApi api, String image) {
    return spec(api, image)
        .packageType(PackageType.IMAGE).runtime("").handler("").code(null).build();
  }

  /** Waits for the instance's answer, naming its logs when none comes. */
  private static OneEventRuntimeApi.Answer answerOf(OneEventRuntimeApi api, Instance instance)
      throws Exception {
    try {
      return api.answer().get(60, TimeUnit.SECONDS);
    } catch (TimeoutException e) {
      throw new AssertionError(
          "container " + instance.id() + " posted no answer to " + api.address() + " within 60 s"
              + " (calls of /next: " + api.nextCalls() + "); its log:\n"
              + runtime.logs(instance, Instant.EPOCH),
          e);
    }
  }

  /** Builds an image from the test folder, tagged uniquely; the caller removes it. */
  private String build(String base, String steps) throws IOException {
    String tag = "lambdarun-test/rapi-" + UUID.randomUUID() + ":latest";
    Files.writeString(folder.resolve("Dockerfile"), "FROM " + base + "\n" + steps);
    TestEngine.client().buildImageCmd(folder.toFile()).withTags(Set.of(tag)).withPull(false)
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
