package io.lambdarun.k8s;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import io.fabric8.kubernetes.api.model.ContainerState;
import io.fabric8.kubernetes.api.model.ContainerStateBuilder;
import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.DeleteOptions;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodConditionBuilder;
import io.fabric8.kubernetes.api.model.PodStatus;
import io.fabric8.kubernetes.api.model.PodStatusBuilder;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.fabric8.mockwebserver.http.RecordedRequest;
import io.lambdarun.api.ContainerRuntime;
import io.lambdarun.api.HostAccess;
import io.lambdarun.api.Instance;
import io.lambdarun.api.LaunchFailedException;
import io.lambdarun.api.LaunchSpec;
import io.lambdarun.api.Owner;
import io.lambdarun.api.RuntimeApiAccess;
import io.lambdarun.api.RuntimeConfig;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The runtime against the CRUD mock API server with a scripted status writer instead of a kubelet:
 * no Docker needed. The "pod IP" is a loopback address where the test listens on port 8080.
 */
class KubernetesContainerRuntimeTest {

  private static final String NAMESPACE = "unit";
  private static final String POD_IP = "127.0.78.1";

  private KubernetesMockServer server;
  private KubernetesClient client;
  private SharedIndexInformer<Pod> statusWriter;
  private volatile Function<Pod, PodStatus> kubelet = pod -> null;

  /** The pod's RIE endpoint: answers HTTP (404, as the RIE does for {@code GET /}). */
  private HttpServer endpoint;

  private KubernetesContainerRuntime runtime;

  @BeforeEach
  void start() throws Exception {
    server =
        new KubernetesMockServer(
            new Context(),
            new MockWebServer(),
            new HashMap<>(),
            new KubernetesCrudDispatcher(),
            false);
    server.init(InetAddress.getByName("127.0.0.1"), 0);
    client = server.createClient();
    statusWriter =
        client
            .pods()
            .inNamespace(NAMESPACE)
            .inform(
                new ResourceEventHandler<Pod>() {
                  @Override
                  public void onAdd(Pod pod) {
                    PodStatus status = kubelet.apply(pod);
                    if (status != null) {
                      client
                          .pods()
                          .inNamespace(NAMESPACE)
                          .withName(pod.getMetadata().getName())
                          .editStatus(p -> new PodBuilder(p).withStatus(status).build());
                    }
                  }

                  @Override
                  public void onUpdate(Pod oldPod, Pod newPod) {}

                  @Override
                  public void onDelete(Pod pod, boolean unknown) {}
                },
                0);
    endpoint = HttpServer.create(new InetSocketAddress(POD_IP, 8080), 0);
    endpoint.start();
    runtime = new KubernetesContainerRuntime(settings("30s"), Fixtures.OWNER, client);
  }

  @AfterEach
  void stop() throws Exception {
    runtime.close();
    endpoint.stop(0);
    statusWriter.close();
    client.close();
    server.destroy();
  }

  private KubernetesSettings settings(String podReadyTimeout) {
    return KubernetesSettings.from(
        RuntimeConfig.of(
            Map.of(
                KubernetesConfigKeys.NAMESPACE,
                NAMESPACE,
                KubernetesConfigKeys.ARTIFACT_URL,
                "http://127.0.0.1",
                KubernetesConfigKeys.ARTIFACT_BIND_ADDRESS,
                "127.0.0.1",
                KubernetesConfigKeys.POD_READY_TIMEOUT,
                podReadyTimeout)));
  }

  private static PodStatus ready() {
    return new PodStatusBuilder()
        .withPhase("Running")
        .withPodIP(POD_IP)
        .withConditions(new PodConditionBuilder().withType("Ready").withStatus("True").build())
        .build();
  }

  private static LaunchSpec spec() {
    return Fixtures.zipFunction("my-fn")
        .putEnvironment("AWS_SESSION_TOKEN", "unit-session-token")
        .sensitiveKeys(Set.of("AWS_SESSION_TOKEN"))
        .build();
  }

  @Test
  void aReadyPodGivesAnInstanceOnPodIpPort8080() {
    kubelet = pod -> ready();
    Instance instance = runtime.launch(spec());

    assertThat(instance.endpoint()).contains(URI.create("http://127.0.78.1:8080"));
    assertThat(instance.id()).startsWith("lambdarun-my-fn-");
    assertThat(instance.details())
        .containsEntry("namespace", NAMESPACE)
        .containsEntry("pod", instance.id())
        .containsEntry("podIP", POD_IP);
    Pod pod = client.pods().inNamespace(NAMESPACE).withName(instance.id()).get();
    Secret secret = client.secrets().inNamespace(NAMESPACE).withName(instance.id()).get();
    assertThat(secret.getData()).containsOnlyKeys("artifact-token", "env.AWS_SESSION_TOKEN");
    assertThat(secret.getMetadata().getOwnerReferences())
        .singleElement()
        .satisfies(
            ref -> {
              assertThat(ref.getKind()).isEqualTo("Pod");
              assertThat(ref.getUid()).isEqualTo(pod.getMetadata().getUid());
            });
    assertThat(pod.getSpec().getInitContainers().get(0).getEnv())
        .filteredOn(e -> e.getName().equals("LAMBDARUN_ARTIFACT_URL"))
        .singleElement()
        .satisfies(
            e ->
                assertThat(e.getValue())
                    .isEqualTo(
                        "http://127.0.0.1:"
                            + runtime.artifactPort()
                            + "/lambdarun/artifacts/"
                            + instance.id()));
  }

  @Test
  void aRuntimeApiLaunchReturnsOnceTheContainerStartedAndExitCodeFollowsThePodsStatus()
      throws Exception {
    kubelet =
        pod -> containerState(new ContainerStateBuilder().withNewRunning().endRunning().build());
    Instance instance = runtime.launch(spec().toBuilder().runtimeApi("127.0.0.1:40123").build());

    assertThat(runtime.runtimeApiAccess()).contains(RuntimeApiAccess.loopback());
    assertThat(instance.endpoint()).isEmpty();
    assertThat(instance.details()).containsEntry("pod", instance.id()).containsEntry("podIP", "");
    assertThat(runtime.exitCode(instance)).isEmpty();

    client
        .pods()
        .inNamespace(NAMESPACE)
        .withName(instance.id())
        .editStatus(
            p ->
                new PodBuilder(p)
                    .withStatus(
                        containerState(
                            new ContainerStateBuilder()
                                .withNewTerminated()
                                .withExitCode(3)
                                .endTerminated()
                                .build()))
                    .build());
    assertThat(exitCodeWithin(instance, 10)).hasValue(3);

    client.pods().inNamespace(NAMESPACE).withName(instance.id()).delete();
    assertThat(exitCodeWithin(instance, 10)).hasValue(137);
  }

  /** A status with the main container in the given state, phase Running, no condition, no IP. */
  private static PodStatus containerState(ContainerState state) {
    return new PodStatusBuilder()
        .withPhase("Running")
        .withContainerStatuses(
            new ContainerStatusBuilder().withName("lambda").withState(state).build())
        .build();
  }

  /** Asks for the exit code until it changes from what it was, for at most the given seconds. */
  private OptionalInt exitCodeWithin(Instance instance, int seconds) throws InterruptedException {
    OptionalInt before = runtime.exitCode(instance);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
    OptionalInt now = before;
    while (now.equals(before) && System.nanoTime() < deadline) {
      Thread.sleep(20);
      now = runtime.exitCode(instance);
    }
    return now;
  }

  @Test
  void eachLaunchGetsItsOwnPod() {
    kubelet = pod -> ready();
    assertThat(runtime.launch(spec()).id()).isNotEqualTo(runtime.launch(spec()).id());
    assertThat(client.pods().inNamespace(NAMESPACE).list().getItems()).hasSize(2);
  }

  @Test
  void anImagePullErrorFailsFastAndLeavesNothing() {
    AtomicReference<String> token = new AtomicReference<>();
    kubelet =
        pod -> {
          token.set(
              client
                  .secrets()
                  .inNamespace(NAMESPACE)
                  .withName(pod.getMetadata().getName())
                  .get()
                  .getData()
                  .get("artifact-token"));
          return new PodStatusBuilder()
              .withPhase("Pending")
              .withContainerStatuses(
                  new ContainerStatusBuilder()
                      .withName("lambda")
                      .withImage("public.ecr.aws/lambda/python:3.12")
                      .withNewState()
                      .withNewWaiting()
                      .withReason("ImagePullBackOff")
                      .endWaiting()
                      .endState()
                      .build())
              .build();
        };
    // the CRUD mock answers pods/log with its whole store, Secrets included: a good test that
    // whatever a container prints never carries the token or a credential into the message
    assertThatThrownBy(() -> runtime.launch(spec()))
        .isInstanceOf(LaunchFailedException.class)
        .hasMessageStartingWith("function 'my-fn' could not start: pod 'lambdarun-my-fn-")
        .hasMessageContaining(
            "' in namespace 'unit' failed: container 'lambda' is waiting with reason"
                + " 'ImagePullBackOff' (image 'public.ecr.aws/lambda/python:3.12'); check the image"
                + " and the pod's events")
        .satisfies(
            e -> {
              assertThat(((LaunchFailedException) e).functionName()).isEqualTo("my-fn");
              String plainToken =
                  new String(Base64.getDecoder().decode(token.get()), StandardCharsets.UTF_8);
              assertThat(e.getMessage())
                  .doesNotContain(token.get())
                  .doesNotContain(plainToken)
                  .doesNotContain("unit-session-token")
                  .doesNotContain("dW5pdC1zZXNzaW9uLXRva2Vu");
            });
    assertThat(client.pods().inNamespace(NAMESPACE).list().getItems()).isEmpty();
    assertThat(client.secrets().inNamespace(NAMESPACE).list().getItems()).isEmpty();
  }

  @Test
  void aPodThatNeverGetsReadyTimesOutNamingTheKey() {
    runtime.close();
    runtime = new KubernetesContainerRuntime(settings("300ms"), Fixtures.OWNER, client);
    kubelet = pod -> new PodStatusBuilder().withPhase("Pending").build();
    assertThatThrownBy(() -> runtime.launch(spec()))
        .isInstanceOf(LaunchFailedException.class)
        .hasMessageContaining(
            "was not Running and Ready with an IP within 300ms (last seen: phase 'Pending'")
        .hasMessageContaining("raise 'lambdarun.kubernetes.pod-ready-timeout'");
    assertThat(client.pods().inNamespace(NAMESPACE).list().getItems()).isEmpty();
  }

  @Test
  void aRuntimeApiPodWhoseContainerExitsBeforeItStartsFailsTheLaunchAndLeavesNothing() {
    kubelet =
        pod ->
            containerState(
                new ContainerStateBuilder()
                    .withNewTerminated()
                    .withExitCode(2)
                    .withReason("Error")
                    .endTerminated()
                    .build());
    LaunchSpec runtimeApi = spec().toBuilder().runtimeApi("127.0.0.1:40123").build();
    assertThatThrownBy(() -> runtime.launch(runtimeApi))
        .isInstanceOf(LaunchFailedException.class)
        .hasMessageContaining("failed: container 'lambda' terminated with exit code 2 (Error)");
    assertThat(client.pods().inNamespace(NAMESPACE).list().getItems()).isEmpty();
    assertThat(client.secrets().inNamespace(NAMESPACE).list().getItems()).isEmpty();
  }

  @Test
  void aRuntimeApiPodThatNeverStartsTimesOutSayingWhatItWaitedFor() {
    runtime.close();
    runtime = new KubernetesContainerRuntime(settings("300ms"), Fixtures.OWNER, client);
    kubelet = pod -> new PodStatusBuilder().withPhase("Pending").build();
    LaunchSpec runtimeApi = spec().toBuilder().runtimeApi("127.0.0.1:40123").build();
    assertThatThrownBy(() -> runtime.launch(runtimeApi))
        .isInstanceOf(LaunchFailedException.class)
        .hasMessageContaining(
            "was not Running with its container started within 300ms (last seen: phase 'Pending',"
                + " container 'lambda' not started)");
    assertThat(client.pods().inNamespace(NAMESPACE).list().getItems()).isEmpty();
  }

  @Test
  void anInvalidSpecFailsBeforeAnythingIsCreated() {
    LaunchSpec noImage = Fixtures.zipFunction("my-fn").runtime("cobol1.0").image("").build();
    assertThatThrownBy(() -> runtime.launch(noImage))
        .hasMessageContaining("uses runtime 'cobol1.0'");
    assertThat(client.pods().inNamespace(NAMESPACE).list().getItems()).isEmpty();
    assertThat(client.secrets().inNamespace(NAMESPACE).list().getItems()).isEmpty();
  }

  @Test
  void anUnsafeArchiveIsRefusedBeforeAnythingIsCreated() {
    LaunchSpec slip =
        Fixtures.zipFunction("my-fn")
            .layers(java.util.List.of(Fixtures.zip("evil-layer", Map.of("../../etc/passwd", "x"))))
            .build();
    assertThatThrownBy(() -> runtime.launch(slip))
        .isInstanceOf(io.lambdarun.api.InvalidArchiveException.class)
        .hasMessageContaining("archive 'evil-layer' has an entry '../../etc/passwd'");
    assertThat(client.pods().inNamespace(NAMESPACE).list().getItems()).isEmpty();
    assertThat(client.secrets().inNamespace(NAMESPACE).list().getItems()).isEmpty();
  }

  @Test
  void apiFailuresBecomeLaunchFailedExceptionsKeepingTheCause() {
    ContainerRuntime dead =
        new KubernetesRuntimeProvider()
            .create(
                RuntimeConfig.of(
                    Map.of(
                        KubernetesConfigKeys.MASTER_URL, "http://127.0.0.1:1",
                        KubernetesConfigKeys.ARTIFACT_URL, "http://127.0.0.1",
                        KubernetesConfigKeys.ARTIFACT_BIND_ADDRESS, "127.0.0.1")),
                Fixtures.OWNER);
    try (dead) {
      assertThatThrownBy(() -> dead.launch(spec()))
          .isInstanceOf(LaunchFailedException.class)
          .hasMessageStartingWith(
              "function 'my-fn' could not start: creating Secret 'lambdarun-my-fn-")
          .hasMessageContaining("in namespace 'default' failed")
          .hasCauseInstanceOf(KubernetesClientException.class);
    }
  }

  @Test
  void terminateIsIdempotentAndSilentForUnknownInstances() {
    kubelet = pod -> ready();
    Instance instance = runtime.launch(spec());
    runtime.terminate(instance);
    assertThat(client.pods().inNamespace(NAMESPACE).withName(instance.id()).get()).isNull();
    assertThat(client.secrets().inNamespace(NAMESPACE).withName(instance.id()).get()).isNull();
    assertThatCode(() -> runtime.terminate(instance)).doesNotThrowAnyException();
    assertThatCode(
            () ->
                runtime.terminate(
                    Instance.of("lambdarun-never-was", URI.create("http://127.0.0.1:1"))))
        .doesNotThrowAnyException();
  }

  /**
   * On a real cluster a pod deleted without options stays Terminating for 30 s; the recorded
   * requests show what reaches the API server for terminate, close and the orphan sweep alike.
   */
  @Test
  void podsAndSecretsAreDeletedWithAShortGracePeriodInTheBackground() throws Exception {
    kubelet = pod -> ready();
    Instance terminated = runtime.launch(spec());
    Instance closed = runtime.launch(spec());
    Process finished = new ProcessBuilder("true").start();
    finished.waitFor();
    Owner dead = new Owner("lr-dead00000000", finished.pid(), Owner.forCurrentProcess().host());
    client
        .pods()
        .inNamespace(NAMESPACE)
        .resource(
            new PodBuilder()
                .withNewMetadata()
                .withName("orphan")
                .withLabels(dead.labels())
                .endMetadata()
                .withNewSpec()
                .addNewContainer()
                .withName("lambda")
                .withImage("x:1")
                .endContainer()
                .endSpec()
                .build())
        .create();
    drainRecordedRequests();

    runtime.terminate(terminated);
    runtime.sweepOrphans();
    runtime.close();

    String options = " gracePeriodSeconds=2 propagationPolicy=Background";
    assertThat(recordedDeletions())
        .containsExactly(
            "/api/v1/namespaces/unit/pods/" + terminated.id() + options,
            "/api/v1/namespaces/unit/secrets/" + terminated.id() + options,
            "/api/v1/namespaces/unit/pods/orphan" + options,
            "/api/v1/namespaces/unit/secrets/orphan" + options,
            "/api/v1/namespaces/unit/pods/" + closed.id() + options,
            "/api/v1/namespaces/unit/secrets/" + closed.id() + options);
  }

  private List<RecordedRequest> drainRecordedRequests() throws InterruptedException {
    List<RecordedRequest> requests = new ArrayList<>();
    for (RecordedRequest r = server.takeRequest(200, TimeUnit.MILLISECONDS);
        r != null;
        r = server.takeRequest(200, TimeUnit.MILLISECONDS)) {
      requests.add(r);
    }
    return requests;
  }

  /** Each DELETE the API server received: its path and the delete options of its body. */
  private List<String> recordedDeletions() throws InterruptedException {
    KubernetesSerialization json = new KubernetesSerialization();
    return drainRecordedRequests().stream()
        .filter(r -> r.getMethod().equals("DELETE"))
        .map(
            r -> {
              DeleteOptions options = json.unmarshal(r.getUtf8Body(), DeleteOptions.class);
              return r.getPath()
                  + " gracePeriodSeconds="
                  + options.getGracePeriodSeconds()
                  + " propagationPolicy="
                  + options.getPropagationPolicy();
            })
        .toList();
  }

  @Test
  void closeIsIdempotentRefusesLaterUseAndLeavesAnInjectedClientOpen() {
    kubelet = pod -> ready();
    runtime.launch(spec());
    runtime.close();
    runtime.close();
    assertThat(client.pods().inNamespace(NAMESPACE).list().getItems()).isEmpty();
    assertThat(client.secrets().inNamespace(NAMESPACE).list().getItems()).isEmpty();
    assertThatThrownBy(() -> runtime.launch(spec()))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("this Kubernetes runtime is closed; create a new one with the provider");
    assertThatThrownBy(runtime::sweepOrphans).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void launchedPodsAreOwnedByThePodThisProcessRunsIn() {
    Pod self =
        client
            .pods()
            .inNamespace(NAMESPACE)
            .resource(
                new PodBuilder()
                    .withNewMetadata()
                    .withName("embedder-7f9c")
                    .endMetadata()
                    .withNewSpec()
                    .addNewContainer()
                    .withName("app")
                    .withImage("embedder:1")
                    .endContainer()
                    .endSpec()
                    .build())
            .create();
    Map<String, String> config =
        new HashMap<>(
            Map.of(
                KubernetesConfigKeys.NAMESPACE, NAMESPACE,
                KubernetesConfigKeys.ARTIFACT_URL, "http://127.0.0.1",
                KubernetesConfigKeys.ARTIFACT_BIND_ADDRESS, "127.0.0.1",
                KubernetesConfigKeys.OWNER_POD, "embedder-7f9c"));
    runtime.close();
    runtime =
        new KubernetesContainerRuntime(
            KubernetesSettings.from(RuntimeConfig.of(config)), Fixtures.OWNER, client);
    kubelet = pod -> pod.getMetadata().getName().equals("embedder-7f9c") ? null : ready();

    Instance instance = runtime.launch(spec());

    assertThat(
            client
                .pods()
                .inNamespace(NAMESPACE)
                .withName(instance.id())
                .get()
                .getMetadata()
                .getOwnerReferences())
        .singleElement()
        .satisfies(
            ref -> {
              assertThat(ref.getKind()).isEqualTo("Pod");
              assertThat(ref.getName()).isEqualTo("embedder-7f9c");
              assertThat(ref.getUid()).isEqualTo(self.getMetadata().getUid());
              assertThat(ref.getBlockOwnerDeletion()).isFalse();
            });
  }

  @Test
  void aMissingOwnerPodIsAConfigurationError() {
    KubernetesSettings settings =
        KubernetesSettings.from(
            RuntimeConfig.of(
                Map.of(
                    KubernetesConfigKeys.NAMESPACE, NAMESPACE,
                    KubernetesConfigKeys.ARTIFACT_URL, "http://127.0.0.1",
                    KubernetesConfigKeys.OWNER_POD, "gone-pod")));
    assertThatThrownBy(() -> new KubernetesContainerRuntime(settings, Fixtures.OWNER, client))
        .isInstanceOf(io.lambdarun.api.ConfigurationException.class)
        .hasMessage(
            "configuration key 'lambdarun.kubernetes.owner-pod' has value 'gone-pod', but no such"
                + " pod exists in namespace 'unit'; set it to this process's pod name (downward API"
                + " metadata.name) or leave it unset");
  }

  /** The artifact URL has no port here, so the server's bound port must not leak into it. */
  @Test
  void hostAccessAndTags() {
    assertThat(runtime.name()).isEqualTo("kubernetes");
    assertThat(runtime.hostAccess()).isEqualTo(new HostAccess("127.0.0.1", "127.0.0.1"));
    assertThat(runtime.launchUsesTags()).isTrue();
  }
}
