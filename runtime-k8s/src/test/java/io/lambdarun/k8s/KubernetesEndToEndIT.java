package io.lambdarun.k8s;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.model.Bind;
import com.github.dockerjava.api.model.ExposedPort;
import com.github.dockerjava.api.model.HostConfig;
import com.github.dockerjava.api.model.PortBinding;
import com.github.dockerjava.api.model.Ports;
import com.github.dockerjava.core.DefaultDockerClientConfig;
import com.github.dockerjava.core.DockerClientImpl;
import com.github.dockerjava.zerodep.ZerodepDockerHttpClient;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.lambdarun.api.Archive;
import io.lambdarun.api.ArchiveLimits;
import io.lambdarun.api.ContainerRuntime;
import io.lambdarun.api.Instance;
import io.lambdarun.api.InvalidArchiveException;
import io.lambdarun.api.Labels;
import io.lambdarun.api.LaunchFailedException;
import io.lambdarun.api.LaunchSpec;
import io.lambdarun.api.Owner;
import io.lambdarun.api.PackageType;
import io.lambdarun.api.RuntimeConfig;
import io.lambdarun.k8s.kubelet.KubeletApiServer;
import io.lambdarun.tck.ArchiveEscapes;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * End to end through the mock API server and the test kubelet: a real Python handler with layers,
 * credentials kept in the Secret, fail-fast reasons, the orphan sweep and close.
 */
class KubernetesEndToEndIT {

  private static final String NAMESPACE = KubernetesRuntimeContractIT.NAMESPACE;
  private static final String IMAGE = KubernetesRuntimeContractIT.PYTHON_IMAGE;
  private static final String APP =
      "import json, os\n"
          + "import greeting, shared\n"
          + "def files(path):\n"
          + "    return sorted(n for n in os.listdir(path) if not n.startswith('__'))\n"
          + "def handler(event, context):\n"
          + "    if event.get('action') == 'env':\n"
          + "        return os.environ.get(event['key'], '<unset>')\n"
          + "    return {'greeting': greeting.hello(event['name']), 'shared': shared.VALUE,\n"
          + "            'layers': files('/opt/python'), 'task': files('/var/task')}\n";

  /** Reports the size of /tmp and what writing {@code mib} MiB there gives, then cleans up. */
  private static final String TMP_FILLER =
      "import os\n"
          + "def handler(event, context):\n"
          + "    st = os.statvfs('/tmp')\n"
          + "    try:\n"
          + "        with open('/tmp/fill', 'wb', buffering=0) as f:\n"
          + "            for _ in range(event['mib']):\n"
          + "                f.write(b'\\0' * 1048576)\n"
          + "        result = 'written'\n"
          + "    except OSError as e:\n"
          + "        result = os.strerror(e.errno)\n"
          + "    os.remove('/tmp/fill')\n"
          + "    return {'size': st.f_blocks * st.f_frsize, 'write': result}\n";

  private static KubeletApiServer cluster;
  private final HttpClient http = HttpClient.newHttpClient();
  private Owner owner;
  private ContainerRuntime runtime;

  @BeforeAll
  static void startCluster() {
    cluster = new KubeletApiServer(NAMESPACE);
  }

  @AfterAll
  static void stopCluster() {
    if (cluster != null) {
      cluster.close();
    }
  }

  @BeforeEach
  void createRuntime() {
    owner = Owner.forCurrentProcess();
    runtime =
        new KubernetesRuntimeProvider()
            .create(KubernetesRuntimeContractIT.configFor(cluster), owner);
  }

  @AfterEach
  void closeRuntime() {
    runtime.close();
  }

  private static Archive code() {
    return Fixtures.zip("code", Map.of("app.py", APP));
  }

  private static List<Archive> layers() {
    return List.of(
        Fixtures.zip(
            "layer-0",
            Map.of(
                "python/greeting.py", "def hello(name):\n    return 'hello ' + name\n",
                "python/shared.py", "VALUE = 'from layer 0'\n")),
        Fixtures.zip("layer-1", Map.of("python/shared.py", "VALUE = 'from layer 1'\n")));
  }

  private LaunchSpec.Builder spec() {
    Map<String, String> labels = owner.labels();
    labels.put(Labels.FUNCTION, "e2e-fn");
    return LaunchSpec.builder()
        .functionName("e2e-fn")
        .functionArn("arn:aws:lambda:us-east-1:000000000000:function:e2e-fn")
        .deployId("e2e-" + UUID.randomUUID())
        .packageType(PackageType.ZIP)
        .runtime("python3.12")
        .handler("app.handler")
        .image(IMAGE)
        .code(code())
        .layers(layers())
        .memoryMib(256)
        .timeout(Duration.ofSeconds(30))
        .putEnvironment("AWS_LAMBDA_FUNCTION_TIMEOUT", "30")
        .labels(labels);
  }

  private String invoke(URI endpoint, String event) throws IOException, InterruptedException {
    HttpResponse<String> response =
        http.send(
            HttpRequest.newBuilder(endpoint.resolve(Instance.INVOCATION_PATH))
                .timeout(Duration.ofSeconds(30))
                .POST(HttpRequest.BodyPublishers.ofString(event))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).isEqualTo(200);
    return response.body();
  }

  @Test
  void pythonHandlerWithLayersAnswersLikeTheSameImageOnPlainDocker() throws Exception {
    Instance instance = runtime.launch(spec().build());
    assertThat(instance.endpoint().orElseThrow().getHost()).startsWith("127.0.77.");
    String event = "{\"name\":\"k8s\"}";
    String viaKubernetes = invoke(instance.endpoint().orElseThrow(), event);

    assertThat(viaKubernetes)
        .isEqualTo(
            "{\"greeting\": \"hello k8s\", \"shared\": \"from layer 1\", \"layers\": "
                + "[\"greeting.py\", \"shared.py\"], \"task\": [\"app.py\"]}");
    assertThat(viaKubernetes).isEqualTo(invokeOnPlainDocker(event));
  }

  /**
   * /tmp is a size-limited volume (disk on a real cluster, where the kubelet evicts a pod past its
   * limit; a tmpfs of that size in the test kubelet): writing past it fails inside the pod with
   * ENOSPC, as on Docker's tmpfs /tmp, while the memory limit stays the function's.
   */
  @Test
  void writingPastTmpsSizeFailsInsideThePod() throws Exception {
    Instance instance =
        runtime.launch(
            spec()
                .code(Fixtures.zip("tmp-filler", Map.of("app.py", TMP_FILLER)))
                .layers(List.of())
                .ephemeralStorageMib(64)
                .build());

    assertThat(invoke(instance.endpoint().orElseThrow(), "{\"mib\":60}"))
        .isEqualTo("{\"size\": 67108864, \"write\": \"written\"}");
    assertThat(invoke(instance.endpoint().orElseThrow(), "{\"mib\":65}"))
        .isEqualTo("{\"size\": 67108864, \"write\": \"No space left on device\"}");
  }

  @Test
  void anImageFunctionRunsTheCodeBakedIntoItsImage() throws Exception {
    Path context = Files.createTempDirectory("lambdarun-k8s-image-fn");
    String tag = "lambdarun-test/k8s-image-fn:" + UUID.randomUUID();
    DefaultDockerClientConfig config =
        DefaultDockerClientConfig.createDefaultConfigBuilder().build();
    try (DockerClient docker =
        DockerClientImpl.getInstance(
            config,
            new ZerodepDockerHttpClient.Builder().dockerHost(config.getDockerHost()).build())) {
      Files.writeString(
          context.resolve("baked.py"),
          "def handler(event, context):\n    return 'baked ' + event['name']\n");
      Files.writeString(
          context.resolve("Dockerfile"),
          "FROM " + IMAGE + "\nCOPY baked.py /var/task/baked.py\nCMD [\"baked.handler\"]\n");
      docker
          .buildImageCmd(context.toFile())
          .withTags(Set.of(tag))
          .withPull(false)
          .start()
          .awaitImageId();
      try {
        Instance instance =
            runtime.launch(
                spec()
                    .packageType(PackageType.IMAGE)
                    .runtime("")
                    .handler("")
                    .code(null)
                    .layers(List.of())
                    .image(tag)
                    .build());
        assertThat(
                cluster
                    .client()
                    .pods()
                    .inNamespace(NAMESPACE)
                    .withName(instance.id())
                    .get()
                    .getSpec()
                    .getInitContainers())
            .isEmpty();
        assertThat(invoke(instance.endpoint().orElseThrow(), "{\"name\":\"image\"}"))
            .isEqualTo("\"baked image\"");
        runtime.terminate(instance);
      } finally {
        docker.removeImageCmd(tag).withForce(true).exec();
      }
    } finally {
      try (Stream<Path> files = Files.walk(context)) {
        files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }

  @Test
  void aCustomRuntimeBootstrapRunsFromVarRuntime() throws Exception {
    Path folder = Files.createTempDirectory("lambdarun-k8s-provided");
    try {
      Path bootstrap = folder.resolve("bootstrap");
      Files.writeString(
          bootstrap,
          "#!/bin/sh\n"
              + "set -eu\n"
              + "api=\"http://$AWS_LAMBDA_RUNTIME_API/2018-06-01/runtime/invocation\"\n"
              + "while true; do\n"
              + "  headers=$(mktemp)\n"
              + "  event=$(busybox wget -q -S -O - \"$api/next\" 2>\"$headers\")\n"
              + "  id=$(grep -i 'Lambda-Runtime-Aws-Request-Id' \"$headers\" | cut -d: -f2 | tr -d ' \\r')\n"
              + "  busybox wget -q -O /dev/null --post-data \"\\\"custom from $0: $event\\\"\" \"$api/$id/response\"\n"
              + "done\n");
      Files.setPosixFilePermissions(
          bootstrap, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
      Instance instance =
          runtime.launch(
              spec()
                  .runtime("provided.al2023")
                  .handler("unused.handler")
                  .code(Archive.ofDirectory("custom", folder))
                  .layers(List.of())
                  .build());
      assertThat(invoke(instance.endpoint().orElseThrow(), "42"))
          .isEqualTo("\"custom from /var/runtime/bootstrap: 42\"");
    } finally {
      try (Stream<Path> files = Files.walk(folder)) {
        files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }

  @Test
  void credentialsReachTheHandlerThroughTheSecretOnly() throws Exception {
    String secretValue = "e2e-secret-" + UUID.randomUUID();
    Instance instance =
        runtime.launch(
            spec()
                .putEnvironment("AWS_SECRET_ACCESS_KEY", secretValue)
                .sensitiveKeys(Set.of("AWS_SECRET_ACCESS_KEY"))
                .build());
    assertThat(
            invoke(
                instance.endpoint().orElseThrow(),
                "{\"action\":\"env\",\"key\":\"AWS_SECRET_ACCESS_KEY\"}"))
        .isEqualTo("\"" + secretValue + "\"");

    Pod pod = cluster.client().pods().inNamespace(NAMESPACE).withName(instance.id()).get();
    assertThat(new KubernetesSerialization().asYaml(pod)).doesNotContain(secretValue);
    Secret secret = cluster.client().secrets().inNamespace(NAMESPACE).withName(instance.id()).get();
    assertThat(secret.getMetadata().getLabels()).containsEntry(Labels.OWNER, owner.id());
    assertThat(secret.getMetadata().getOwnerReferences())
        .singleElement()
        .satisfies(ref -> assertThat(ref.getUid()).isEqualTo(pod.getMetadata().getUid()));

    runtime.terminate(instance);
    assertThat(cluster.client().secrets().inNamespace(NAMESPACE).withName(instance.id()).get())
        .isNull();
    assertThat(cluster.client().pods().inNamespace(NAMESPACE).withName(instance.id()).get())
        .isNull();
  }

  @Test
  void aMissingImageFailsFastWithErrImagePullAndLeavesNothing() {
    LaunchSpec spec = spec().image("lambdarun-test/no-such-image:" + UUID.randomUUID()).build();
    assertThatThrownBy(() -> runtime.launch(spec))
        .isInstanceOf(LaunchFailedException.class)
        .hasMessageContaining("container 'lambda' is waiting with reason 'ErrImagePull'")
        .hasMessageStartingWith("function 'e2e-fn' could not start: pod 'lambdarun-e2e-fn-");
    assertThat(podsOf(owner)).isEmpty();
    assertThat(secretsOf(owner)).isEmpty();
  }

  @Test
  void aFailedInitContainerIsReportedWithItsLogAndLeavesNothing() {
    Map<String, String> config = cluster.runtimeConfig(NAMESPACE);
    // nothing listens on port 1: the init container's download fails
    config.put(KubernetesConfigKeys.ARTIFACT_URL, "http://127.0.0.1:1");
    Owner other = Owner.forCurrentProcess();
    try (ContainerRuntime broken =
        new KubernetesRuntimeProvider().create(RuntimeConfig.of(config), other)) {
      LaunchSpec spec = spec().labels(other.labels()).build();
      assertThatThrownBy(() -> broken.launch(spec))
          .isInstanceOf(LaunchFailedException.class)
          .hasMessageContaining(
              "init container 'lambdarun-init' terminated with exit code 1 (Error)")
          .hasMessageContaining("last lines of container 'lambdarun-init':")
          .hasMessageContaining("wget: can't connect to remote host");
      assertThat(podsOf(other)).isEmpty();
      assertThat(secretsOf(other)).isEmpty();
    }
  }

  @Test
  void archivesEscapingThroughLinksAreRefusedBeforeTheInitContainerUnzipsThem() {
    for (ArchiveEscapes.Escape escape : ArchiveEscapes.all()) {
      LaunchSpec spec = spec().code(escape.code().orElse(code())).layers(escape.layers()).build();
      assertThatThrownBy(() -> runtime.launch(spec))
          .as(escape.description())
          .isInstanceOf(InvalidArchiveException.class)
          .hasMessageContaining(escape.refusal());
      assertThat(podsOf(owner)).as(escape.description()).isEmpty();
      assertThat(secretsOf(owner)).as(escape.description()).isEmpty();
    }
  }

  @Test
  void theSweepDeletesOnlyPodsOfDeadOwnersOnThisHost() throws Exception {
    Instance mine = runtime.launch(spec().build());
    Process finished = new ProcessBuilder("true").start();
    finished.waitFor();
    Owner dead = new Owner("lr-dead00000000", finished.pid(), owner.host());
    Owner elsewhere = new Owner("lr-elsewhere000", 1, "another-host");
    createForeignPod("orphan-of-dead-owner", dead);
    createForeignPod("pod-of-other-host", elsewhere);

    assertThat(runtime.sweepOrphans()).isEqualTo(1);

    assertThat(
            cluster.client().pods().inNamespace(NAMESPACE).withName("orphan-of-dead-owner").get())
        .isNull();
    assertThat(
            cluster
                .client()
                .secrets()
                .inNamespace(NAMESPACE)
                .withName("orphan-of-dead-owner")
                .get())
        .isNull();
    assertThat(cluster.client().pods().inNamespace(NAMESPACE).withName("pod-of-other-host").get())
        .isNotNull();
    assertThat(invoke(mine.endpoint().orElseThrow(), "{\"name\":\"still here\"}"))
        .contains("hello still here");
    cluster.client().pods().inNamespace(NAMESPACE).withName("pod-of-other-host").delete();
    cluster.client().secrets().inNamespace(NAMESPACE).withName("pod-of-other-host").delete();
  }

  @Test
  void closeDeletesEveryPodAndSecretItLaunched() {
    runtime.launch(spec().build());
    runtime.launch(spec().sensitiveKeys(Set.of()).build());
    assertThat(podsOf(owner)).hasSize(2);
    assertThat(secretsOf(owner)).hasSize(2);
    runtime.close();
    assertThat(podsOf(owner)).isEmpty();
    assertThat(secretsOf(owner)).isEmpty();
  }

  @Test
  void logsComeFromThePodLogApi() throws Exception {
    Instant start = Instant.now().minusSeconds(1);
    Instance instance = runtime.launch(spec().build());
    invoke(instance.endpoint().orElseThrow(), "{\"name\":\"log\"}");
    String logs = runtime.logs(instance, start);
    assertThat(logs).contains("START RequestId").contains("END RequestId");
    runtime.terminate(instance);
    assertThat(runtime.logs(instance, start)).isEmpty();
  }

  private void createForeignPod(String name, Owner foreign) {
    Map<String, String> labels = new LinkedHashMap<>(foreign.labels());
    cluster
        .client()
        .secrets()
        .inNamespace(NAMESPACE)
        .resource(
            new io.fabric8.kubernetes.api.model.SecretBuilder()
                .withNewMetadata()
                .withName(name)
                .withLabels(labels)
                .endMetadata()
                .build())
        .create();
    cluster
        .client()
        .pods()
        .inNamespace(NAMESPACE)
        .resource(
            new PodBuilder()
                .withNewMetadata()
                .withName(name)
                .withLabels(labels)
                .endMetadata()
                .withNewSpec()
                .withRestartPolicy("Never")
                .addNewContainer()
                .withName("lambda")
                .withImage("lambdarun-test/none:1")
                .endContainer()
                .endSpec()
                .build())
        .create();
  }

  private List<Pod> podsOf(Owner o) {
    return cluster
        .client()
        .pods()
        .inNamespace(NAMESPACE)
        .withLabel(Labels.OWNER, o.id())
        .list()
        .getItems();
  }

  private List<Secret> secretsOf(Owner o) {
    return cluster
        .client()
        .secrets()
        .inNamespace(NAMESPACE)
        .withLabel(Labels.OWNER, o.id())
        .list()
        .getItems();
  }

  /**
   * Runs the same image with the same code and layers as a plain container, as a Docker backend
   * does.
   */
  private String invokeOnPlainDocker(String event) throws Exception {
    Path root = Files.createTempDirectory("lambdarun-k8s-docker-ref");
    DefaultDockerClientConfig config =
        DefaultDockerClientConfig.createDefaultConfigBuilder().build();
    String containerId = null;
    try (DockerClient docker =
        DockerClientImpl.getInstance(
            config,
            new ZerodepDockerHttpClient.Builder().dockerHost(config.getDockerHost()).build())) {
      code().extractTo(root.resolve("task"), ArchiveLimits.AWS);
      for (Archive layer : layers()) {
        layer.extractTo(root.resolve("opt"), ArchiveLimits.AWS);
      }
      int port;
      try (ServerSocket free = new ServerSocket()) {
        free.bind(new InetSocketAddress("127.0.0.1", 0));
        port = free.getLocalPort();
      }
      containerId =
          docker
              .createContainerCmd(IMAGE)
              .withCmd("app.handler")
              .withEnv("AWS_LAMBDA_FUNCTION_TIMEOUT=30")
              .withExposedPorts(ExposedPort.tcp(8080))
              .withLabels(Map.of("io.lambdarun.test-kubelet", "docker-reference"))
              .withHostConfig(
                  HostConfig.newHostConfig()
                      .withBinds(
                          Bind.parse(root.resolve("task") + ":/var/task:ro"),
                          Bind.parse(root.resolve("opt") + ":/opt:ro"))
                      .withPortBindings(
                          new PortBinding(
                              Ports.Binding.bindIpAndPort("127.0.0.1", port),
                              ExposedPort.tcp(8080))))
              .exec()
              .getId();
      docker.startContainerCmd(containerId).exec();
      URI endpoint = URI.create("http://127.0.0.1:" + port);
      Instant deadline = Instant.now().plusSeconds(30);
      while (true) {
        try {
          return invoke(endpoint, event);
        } catch (IOException e) {
          if (Instant.now().isAfter(deadline)) {
            throw e;
          }
          Thread.sleep(100);
        }
      }
    } finally {
      if (containerId != null) {
        try (DockerClient docker =
            DockerClientImpl.getInstance(
                config,
                new ZerodepDockerHttpClient.Builder().dockerHost(config.getDockerHost()).build())) {
          docker.removeContainerCmd(containerId).withForce(true).exec();
        }
      }
      try (Stream<Path> files = Files.walk(root)) {
        files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }
}
