package io.lambdarun.it.reliability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.lambdarun.api.LaunchFailedException;
import io.lambdarun.api.PackageType;
import io.lambdarun.api.RuntimeConfig;
import io.lambdarun.core.CoreConfigKeys;
import io.lambdarun.core.LambdaRuntime;
import io.lambdarun.core.WarmInstance;
import io.lambdarun.core.model.InvocationResult;
import io.lambdarun.core.model.LambdaFunction;
import io.lambdarun.docker.DockerConfigKeys;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A function on a private ECR image URI, through core's translation and each backend, with {@code
 * lambdarun.ecr.registry-port} set and the backend's default registry host (127.0.0.1 on both
 * here): the container or pod gets {@code 127.0.0.1:<port>/<repository>:<tag>}, digests kept.
 *
 * <p>No registry runs: the tagged image is built into the engine under its translated name, so the
 * launch uses it as a pulled image; a digest cannot be built, so the digest cases assert the name
 * of the image the failed pull asked for (nothing listens on the port, on loopback).
 */
class EcrImageNamesIT {

  private static final String REPOSITORY = "lambdarun-it/ecr-echo";
  private static final String ECR = "123456789012.dkr.ecr.us-east-1.amazonaws.com/";
  private static final String DIGEST = "@sha256:" + "0123456789abcdef".repeat(4);

  private static int registryPort;
  private static String tag;
  private static Path buildContext;
  private static Cluster cluster;
  private LambdaRuntime runtime;

  @BeforeAll
  static void buildTheTranslatedImage() throws IOException {
    try (ServerSocket free = new ServerSocket()) {
      free.bind(new InetSocketAddress("127.0.0.1", 0));
      registryPort = free.getLocalPort();
    }
    tag = "it-" + UUID.randomUUID().toString().substring(0, 8);
    buildContext = Files.createTempDirectory("lambdarun-ecr-image");
    Files.writeString(
        buildContext.resolve("ecr_echo.py"),
        "def handler(event, context):\n    return 'from ecr ' + event['name']\n");
    Files.writeString(
        buildContext.resolve("Dockerfile"),
        "FROM "
            + Fixtures.PYTHON_IMAGE
            + "\nCOPY ecr_echo.py /var/task/ecr_echo.py\n"
            + "CMD [\"ecr_echo.handler\"]\n");
    Fixtures.docker()
        .buildImageCmd(buildContext.toFile())
        .withTags(Set.of(translated(":" + tag)))
        .withPull(false)
        .start()
        .awaitImageId();
    cluster = new Cluster();
  }

  @AfterAll
  static void removeTheImage() throws IOException {
    if (cluster != null) {
      cluster.close();
    }
    Fixtures.docker().removeImageCmd(translated(":" + tag)).withForce(true).exec();
    try (Stream<Path> files = Files.walk(buildContext)) {
      files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }
  }

  @AfterEach
  void closeAndCheckNothingLeft() {
    if (runtime != null) {
      runtime.close();
    }
    assertThat(Fixtures.containersOfThisJvm()).isEmpty();
    assertThat(cluster.podsOfThisJvm()).isEmpty();
    assertThat(
            Fixtures.eventually(
                Duration.ofSeconds(20), () -> cluster.server().kubelet().containersHeld() == 0))
        .as("kubelet containers after close")
        .isTrue();
  }

  @Test
  void dockerRunsATaggedEcrImageUnderTheRegistryHostAndPort() {
    runtime = docker();
    InvocationResult result =
        runtime.invoke(function("ecr-tag-docker", ":" + tag), event("docker"));

    assertThat(result.functionError()).as(result.payloadUtf8()).isEmpty();
    assertThat(result.payloadUtf8()).isEqualTo("\"from ecr docker\"");
    String containerId = only(runtime).details().get("containerId");
    assertThat(Fixtures.docker().inspectContainerCmd(containerId).exec().getConfig().getImage())
        .isEqualTo("127.0.0.1:" + registryPort + "/" + REPOSITORY + ":" + tag);
  }

  @Test
  void kubernetesRunsATaggedEcrImageUnderTheRegistryHostAndPort() {
    runtime = kubernetes();
    InvocationResult result = runtime.invoke(function("ecr-tag-k8s", ":" + tag), event("k8s"));

    assertThat(result.functionError()).as(result.payloadUtf8()).isEmpty();
    assertThat(result.payloadUtf8()).isEqualTo("\"from ecr k8s\"");
    String pod = only(runtime).instanceId();
    assertThat(
            cluster
                .server()
                .client()
                .pods()
                .inNamespace(Cluster.NAMESPACE)
                .withName(pod)
                .get()
                .getSpec()
                .getContainers()
                .get(0)
                .getImage())
        .isEqualTo("127.0.0.1:" + registryPort + "/" + REPOSITORY + ":" + tag);
  }

  @Test
  void dockerKeepsTheDigestOfAnEcrImage() {
    runtime = docker();
    LaunchFailedException e =
        catchThrowableOfType(
            LaunchFailedException.class,
            () -> runtime.invoke(function("ecr-digest-docker", DIGEST), event("docker")));

    assertThat(e).isNotNull();
    assertThat(e.getMessage())
        .startsWith(
            "image '127.0.0.1:"
                + registryPort
                + "/"
                + REPOSITORY
                + DIGEST
                + "' for"
                + " function 'ecr-digest-docker'")
        .contains("is not on the engine and could not be pulled");
  }

  @Test
  void kubernetesKeepsTheDigestOfAnEcrImage() {
    runtime = kubernetes();
    LaunchFailedException e =
        catchThrowableOfType(
            LaunchFailedException.class,
            () -> runtime.invoke(function("ecr-digest-k8s", DIGEST), event("k8s")));

    assertThat(e).isNotNull();
    assertThat(e.getMessage())
        .contains("container 'lambda' is waiting with reason 'ErrImagePull'")
        .contains("(image '127.0.0.1:" + registryPort + "/" + REPOSITORY + DIGEST + "')");
  }

  private static String translated(String tagOrDigest) {
    return "127.0.0.1:" + registryPort + "/" + REPOSITORY + tagOrDigest;
  }

  private static LambdaFunction function(String name, String tagOrDigest) {
    return LambdaFunction.builder()
        .functionName(name)
        .packageType(PackageType.IMAGE)
        .imageUri(ECR + REPOSITORY + tagOrDigest)
        .build();
  }

  private static byte[] event(String name) {
    return ("{\"name\":\"" + name + "\"}").getBytes(StandardCharsets.UTF_8);
  }

  private static LambdaRuntime docker() {
    return Fixtures.runtime("docker")
        .config(
            RuntimeConfig.of(
                Map.of(
                    CoreConfigKeys.ECR_REGISTRY_PORT,
                    Integer.toString(registryPort),
                    DockerConfigKeys.NETWORK,
                    "host")))
        .build();
  }

  private static LambdaRuntime kubernetes() {
    Map<String, String> config = cluster.config(Cluster.NAMESPACE);
    config.put(CoreConfigKeys.ECR_REGISTRY_PORT, Integer.toString(registryPort));
    return Cluster.runtime(config).build();
  }

  private static WarmInstance only(LambdaRuntime runtime) {
    assertThat(runtime.warmInstances()).hasSize(1);
    return runtime.warmInstances().get(0);
  }
}
