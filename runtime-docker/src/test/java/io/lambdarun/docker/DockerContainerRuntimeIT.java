package io.lambdarun.docker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.dockerjava.api.command.BuildImageResultCallback;
import com.github.dockerjava.api.command.InspectContainerResponse;
import com.github.dockerjava.api.exception.NotFoundException;
import com.github.dockerjava.api.model.ExposedPort;
import com.github.dockerjava.api.model.Ports;
import io.lambdarun.api.Archive;
import io.lambdarun.api.Availability;
import io.lambdarun.api.ContainerRuntime;
import io.lambdarun.api.ImageConfig;
import io.lambdarun.api.Instance;
import io.lambdarun.api.InvalidArchiveException;
import io.lambdarun.api.Labels;
import io.lambdarun.api.LaunchFailedException;
import io.lambdarun.api.LaunchSpec;
import io.lambdarun.api.Owner;
import io.lambdarun.api.PackageType;
import io.lambdarun.api.RuntimeConfig;
import io.lambdarun.tck.ArchiveEscapes;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The Docker backend on a real engine, beyond the TCK: what fakecloud's backend lacks. */
class DockerContainerRuntimeIT {

  private static final long MIB = 1024L * 1024L;
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

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
    runtime = provider.create(RuntimeConfig.empty(), owner);
  }

  @AfterAll
  static void closeLeavesNoLabelledContainer() {
    runtime.close();
    assertThat(TestEngine.containersOf(owner)).isZero();
  }

  @Test
  void theFinalEnvironmentReachesTheWorkloadVerbatim() throws Exception {
    LaunchSpec spec =
        probeSpec()
            .putEnvironment("SERVICE_URL", "http://host.docker.internal:4566/queue?x=1")
            .putEnvironment("AWS_SESSION_TOKEN", "token-value-never-logged")
            .sensitiveKeys(Set.of("AWS_SESSION_TOKEN"))
            .build();
    Instance instance = runtime.launch(spec);

    JsonNode env =
        invoke(
            instance, Map.of("action", "env", "keys", List.of("SERVICE_URL", "AWS_SESSION_TOKEN")));

    assertThat(env.get("SERVICE_URL").asText())
        .isEqualTo("http://host.docker.internal:4566/queue?x=1");
    assertThat(env.get("AWS_SESSION_TOKEN").asText()).isEqualTo("token-value-never-logged");
  }

  @Test
  void aTimedOutEventIsAnsweredAsByTheRieAndTheNextEventRunsAfresh() throws Exception {
    LaunchSpec spec =
        probeSpec()
            .timeout(Duration.ofSeconds(1))
            .putEnvironment("AWS_LAMBDA_FUNCTION_TIMEOUT", "1")
            .build();
    Instance instance = runtime.launch(spec);

    HttpResponse<String> timedOut = post(instance, Map.of("action", "sleep", "seconds", 20));

    assertThat(timedOut.statusCode()).isEqualTo(200);
    assertThat(timedOut.body()).isEqualTo("Task timed out after 1.00 seconds");
    assertThat(timedOut.headers().firstValue("X-Amz-Function-Error")).isEmpty();
    assertThat(invoke(instance, Map.of("action", "echo", "value", "again")).asText())
        .isEqualTo("again");
  }

  @Test
  void tmpIsAnExecutableTmpfsOfTheEphemeralStorageSize() throws Exception {
    Instance instance = runtime.launch(probeSpec().ephemeralStorageMib(600).build());

    assertThat(invoke(instance, Map.of("action", "statvfs", "path", "/tmp")).asLong())
        .isEqualTo(600 * MIB);
    JsonNode mount = invoke(instance, Map.of("action", "mount", "path", "/tmp"));
    assertThat(mount.get("type").asText()).isEqualTo("tmpfs");
    assertThat(invoke(instance, Map.of("action", "exec_in_tmp")).asText())
        .isEqualTo("ran-from-tmp");
  }

  @Test
  void theMemorySizeIsEnforcedAsAContainerLimit() throws Exception {
    Instance instance = runtime.launch(probeSpec().memoryMib(200).build());

    InspectContainerResponse inspected =
        TestEngine.client().inspectContainerCmd(instance.id()).exec();
    assertThat(inspected.getHostConfig().getMemory()).isEqualTo(200 * MIB);
    assertThat(invoke(instance, Map.of("action", "memory_limit")).asText())
        .isEqualTo(Long.toString(200 * MIB));
  }

  @Test
  void codeKeepsItsModesAndSymbolicLinks() throws Exception {
    Path code = probeFolder();
    Files.writeString(code.resolve("tool.sh"), "#!/bin/sh\n");
    Files.setPosixFilePermissions(
        code.resolve("tool.sh"), PosixFilePermissions.fromString("rwxr-x---"));
    Files.createSymbolicLink(code.resolve("alias.py"), Path.of("probe.py"));
    Instance instance = runtime.launch(probeSpec().code(Archive.ofDirectory("code", code)).build());

    JsonNode tool = invoke(instance, Map.of("action", "stat", "path", "/var/task/tool.sh"));
    assertThat(tool.get("mode").asText()).isEqualTo("0o750");
    JsonNode alias = invoke(instance, Map.of("action", "stat", "path", "/var/task/alias.py"));
    assertThat(alias.get("link").asText()).isEqualTo("probe.py");
  }

  @Test
  void aCustomRuntimeRunsItsBootstrapFromVarRuntime() throws Exception {
    Path code = folder.resolve("custom");
    Files.createDirectories(code);
    Files.writeString(code.resolve("bootstrap"), resource("bootstrap.sh"));
    Files.setPosixFilePermissions(
        code.resolve("bootstrap"), PosixFilePermissions.fromString("rwxr-xr-x"));
    LaunchSpec spec =
        probeSpec()
            .runtime("provided.al2023")
            .handler("function.handler")
            .code(Archive.ofDirectory("custom", code))
            .build();
    Instance instance = runtime.launch(spec);

    JsonNode reply = invoke(instance, Map.of("n", 7));

    assertThat(reply.get("handler").asText()).isEqualTo("function.handler");
    assertThat(reply.get("runtime_dir").asText()).isEqualTo("/var/runtime");
    assertThat(reply.get("event").get("n").asInt()).isEqualTo(7);
    assertThat(invoke(instance, Map.of("n", 8)).get("event").get("n").asInt()).isEqualTo(8);
  }

  @Test
  void anImageFunctionRunsWithItsImageConfig() throws Exception {
    Path context = folder.resolve("image");
    Files.createDirectories(context);
    Files.writeString(context.resolve("probe.py"), resource("probe.py"));
    Files.writeString(
        context.resolve("Dockerfile"),
        "FROM "
            + TestEngine.PYTHON_IMAGE
            + "\n"
            + "COPY probe.py /var/task/probe.py\n"
            + "ENTRYPOINT [\"/bin/false\"]\n"
            + "CMD [\"not.a.handler\"]\n");
    String tag = "lambdarun-it/image-fn:" + UUID.randomUUID();
    TestEngine.client()
        .buildImageCmd(context.toFile())
        .withTags(Set.of(tag))
        .exec(new BuildImageResultCallback())
        .awaitImageId();
    try {
      LaunchSpec spec =
          probeSpec()
              .packageType(PackageType.IMAGE)
              .runtime("")
              .handler("")
              .code(null)
              .image(tag)
              .imageConfig(
                  new ImageConfig(
                      List.of("/lambda-entrypoint.sh"),
                      List.of("probe.handler"),
                      Optional.of("/tmp")))
              .build();
      Instance instance = runtime.launch(spec);

      assertThat(invoke(instance, Map.of("action", "cwd_of_pid1")).asText()).isEqualTo("/tmp");
      runtime.terminate(instance);
    } finally {
      TestEngine.client().removeImageCmd(tag).withForce(true).exec();
    }
  }

  @Test
  void theEndpointIsPublishedOnLoopbackOnly() {
    Instance instance = runtime.launch(probeSpec().build());

    InspectContainerResponse inspected =
        TestEngine.client().inspectContainerCmd(instance.id()).exec();
    Ports.Binding[] requested =
        inspected.getHostConfig().getPortBindings().getBindings().get(ExposedPort.tcp(8080));
    Ports.Binding[] actual =
        inspected.getNetworkSettings().getPorts().getBindings().get(ExposedPort.tcp(8080));
    assertThat(requested).extracting(Ports.Binding::getHostIp).containsExactly("127.0.0.1");
    assertThat(actual).extracting(Ports.Binding::getHostIp).containsOnly("127.0.0.1");
    assertThat(instance.endpoint().orElseThrow().getHost()).isEqualTo("127.0.0.1");
    assertThat(instance.endpoint().orElseThrow().getPort())
        .isEqualTo(Integer.parseInt(actual[0].getHostPortSpec()));
  }

  @Test
  void workloadsKnowTheHostAlias() throws Exception {
    Instance instance = runtime.launch(probeSpec().build());

    assertThat(runtime.hostAccess().hostAlias()).isEqualTo("host.docker.internal");
    assertThat(runtime.hostAccess().registryHost()).isEqualTo("127.0.0.1");
    assertThat(invoke(instance, Map.of("action", "read", "path", "/etc/hosts")).asText())
        .containsPattern("(?m)^\\S+\\s+host\\.docker\\.internal$");
  }

  @Test
  void aContainerThatExitsFailsTheLaunchWithItsLastLogLinesAndIsRemoved() {
    LaunchSpec spec =
        probeSpec()
            .packageType(PackageType.IMAGE)
            .runtime("")
            .handler("")
            .code(null)
            .imageConfig(
                new ImageConfig(
                    List.of("/bin/sh", "-c", "echo crash-marker-41 >&2; exit 3"),
                    List.of(),
                    Optional.empty()))
            .build();

    assertThatThrownBy(() -> runtime.launch(spec))
        .isInstanceOf(LaunchFailedException.class)
        .hasMessageContaining("function 'it-fn' did not start: container '")
        .hasMessageContaining("exited with code 3")
        .hasMessageEndingWith("Last log lines:\ncrash-marker-41");
    assertThat(containersOf(spec)).isZero();
  }

  @Test
  void archivesEscapingThroughLinksAreRefusedBeforeAnyContainerExists() {
    for (ArchiveEscapes.Escape escape : ArchiveEscapes.all()) {
      LaunchSpec spec =
          probeSpec().code(escape.code().orElse(probeCode())).layers(escape.layers()).build();
      assertThatThrownBy(() -> runtime.launch(spec))
          .as(escape.description())
          .isInstanceOf(InvalidArchiveException.class)
          .hasMessageContaining(escape.refusal());
      assertThat(containersOf(spec)).as(escape.description()).isZero();
    }
  }

  @Test
  void orphansOfDeadOwnersOnThisHostAreRemovedAndOthersKept() throws Exception {
    Process finished = new ProcessBuilder("true").start();
    finished.waitFor();
    String host = owner.host();
    String dead = createIdle(new Owner("lr-dead00000001", finished.pid(), host).labels());
    String live =
        createIdle(new Owner("lr-live00000001", ProcessHandle.current().pid(), host).labels());
    String elsewhere =
        createIdle(new Owner("lr-away00000001", finished.pid(), "other-host").labels());
    Map<String, String> garbled = new Owner("lr-bad000000001", 1, host).labels();
    garbled.put(Labels.OWNER_PID, "not-a-pid");
    String unparsable = createIdle(garbled);
    try {
      assertThat(runtime.sweepOrphans()).isGreaterThanOrEqualTo(1);

      assertThat(exists(dead)).isFalse();
      assertThat(exists(live)).isTrue();
      assertThat(exists(elsewhere)).isTrue();
      assertThat(exists(unparsable)).isTrue();
    } finally {
      for (String id : List.of(dead, live, elsewhere, unparsable)) {
        removeIfPresent(id);
      }
    }
  }

  @Test
  void concurrentLaunchesEachGetTheirOwnAnsweringInstance() throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(3);
    try {
      List<Future<Instance>> launches = new ArrayList<>();
      for (int i = 0; i < 3; i++) {
        launches.add(pool.submit(() -> runtime.launch(probeSpec().build())));
      }
      Set<URI> endpoints = new HashSet<>();
      for (int i = 0; i < launches.size(); i++) {
        Instance instance = launches.get(i).get();
        endpoints.add(instance.endpoint().orElseThrow());
        assertThat(invoke(instance, Map.of("action", "echo", "value", "n" + i)).asText())
            .isEqualTo("n" + i);
      }
      assertThat(endpoints).hasSize(3);
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void aRefusedCreateNamesTheProblemButNoSecret() {
    LaunchSpec spec =
        probeSpec()
            .memoryMib(1)
            .putEnvironment("AWS_SECRET_ACCESS_KEY", "secret-value-7f3d")
            .sensitiveKeys(Set.of("AWS_SECRET_ACCESS_KEY"))
            .build();

    assertThatThrownBy(() -> runtime.launch(spec))
        .isInstanceOf(LaunchFailedException.class)
        .hasMessageStartingWith(
            "the engine refused to create a container from image '"
                + TestEngine.PYTHON_IMAGE
                + "' for function 'it-fn' (")
        .hasMessageContaining("memory")
        .hasMessageNotContaining("secret-value-7f3d")
        .satisfies(
            e -> assertThat(String.valueOf(e.getCause())).doesNotContain("secret-value-7f3d"));
    assertThat(containersOf(spec)).isZero();
  }

  @Test
  void terminatingAnUnknownInstanceIsSilent() {
    Instance unknown = Instance.of("lambdarun-no-such-container", URI.create("http://127.0.0.1:9"));
    assertThatCode(() -> runtime.terminate(unknown)).doesNotThrowAnyException();
  }

  @Test
  void prepullKeepsALocalImageAndNamesAMissingOne() {
    assertThatCode(() -> runtime.prepull(TestEngine.PYTHON_IMAGE)).doesNotThrowAnyException();
    String missing = "lambdarun-it/missing:" + UUID.randomUUID();
    assertThatThrownBy(() -> runtime.prepull(missing))
        .isInstanceOf(LaunchFailedException.class)
        .hasMessageStartingWith(
            "image '"
                + missing
                + "' for a pre-pull is not on the engine and"
                + " could not be pulled (");
  }

  private static LaunchSpec.Builder probeSpec() {
    String deployId = UUID.randomUUID().toString().replace("-", "");
    Map<String, String> labels = owner.labels();
    labels.put(Labels.FUNCTION, "it-fn");
    labels.put(Labels.DEPLOY_ID, deployId);
    return LaunchSpec.builder()
        .functionName("it-fn")
        .functionArn("arn:aws:lambda:us-east-1:000000000000:function:it-fn")
        .deployId(deployId)
        .runtime("python3.12")
        .handler("probe.handler")
        .image(TestEngine.PYTHON_IMAGE)
        .code(probeCode())
        .timeout(Duration.ofSeconds(30))
        .putEnvironment("AWS_LAMBDA_FUNCTION_TIMEOUT", "30")
        .labels(labels);
  }

  private static Archive probeCode() {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ZipOutputStream zip = new ZipOutputStream(bytes)) {
      zip.putNextEntry(new ZipEntry("probe.py"));
      zip.write(resource("probe.py").getBytes(StandardCharsets.UTF_8));
      zip.closeEntry();
    } catch (IOException e) {
      throw new AssertionError(e);
    }
    return Archive.ofBytes("probe", bytes.toByteArray());
  }

  private Path probeFolder() throws IOException {
    Path code = Files.createDirectories(folder.resolve("code"));
    Files.writeString(code.resolve("probe.py"), resource("probe.py"));
    return code;
  }

  private static String resource(String name) throws IOException {
    try (InputStream in = DockerContainerRuntimeIT.class.getResourceAsStream(name)) {
      if (in == null) {
        throw new IOException("test resource '" + name + "' is missing");
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  private static HttpResponse<String> post(Instance instance, Map<String, ?> event)
      throws Exception {
    return HTTP.send(
        HttpRequest.newBuilder(instance.invocationUri())
            .timeout(Duration.ofSeconds(60))
            .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(event)))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private static JsonNode invoke(Instance instance, Map<String, ?> event) throws Exception {
    HttpResponse<String> response = post(instance, event);
    assertThat(response.statusCode()).as("status of %s", response.body()).isEqualTo(200);
    assertThat(response.headers().firstValue("X-Amz-Function-Error"))
        .as("function error in %s", response.body())
        .isEmpty();
    return JSON.readTree(response.body());
  }

  private static long containersOf(LaunchSpec spec) {
    return TestEngine.client()
        .listContainersCmd()
        .withShowAll(true)
        .withLabelFilter(Map.of(Labels.DEPLOY_ID, spec.deployId()))
        .exec()
        .size();
  }

  private static String createIdle(Map<String, String> labels) {
    return TestEngine.client()
        .createContainerCmd("busybox:1.36")
        .withCmd("sleep", "300")
        .withLabels(labels)
        .exec()
        .getId();
  }

  private static boolean exists(String id) {
    try {
      TestEngine.client().inspectContainerCmd(id).exec();
      return true;
    } catch (NotFoundException e) {
      return false;
    }
  }

  private static void removeIfPresent(String id) {
    try {
      TestEngine.client().removeContainerCmd(id).withForce(true).exec();
    } catch (NotFoundException e) {
      // already swept
    }
  }
}
