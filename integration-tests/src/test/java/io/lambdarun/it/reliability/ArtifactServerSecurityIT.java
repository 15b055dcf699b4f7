package io.lambdarun.it.reliability;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.lambdarun.api.LaunchFailedException;
import io.lambdarun.core.LambdaRuntime;
import io.lambdarun.core.model.InvocationResult;
import io.lambdarun.core.model.InvokeOptions;
import io.lambdarun.core.model.LambdaFunction;
import io.lambdarun.k8s.KubernetesConfigKeys;
import io.lambdarun.k8s.PodSpecFactory;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.time.Duration;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The Kubernetes backend's artifact server, end to end on a live launch: it serves a launch's code
 * only with the launch's exact bearer token (401 for a missing, wrong or differently sized one),
 * 404 for unknown or finished launches, and refuses path traversal in any segment; the token
 * appears in the per-launch Secret only, never in the pod spec, the instance's log, listings or
 * exception texts.
 */
class ArtifactServerSecurityIT {

  private static Cluster cluster;

  @BeforeAll
  static void startCluster() {
    cluster = new Cluster();
  }

  @AfterAll
  static void stopCluster() {
    if (cluster != null) {
      cluster.close();
    }
  }

  /**
   * A launch held Pending (its namespace has no kubelet) keeps its artifacts published, so the
   * server can be probed while it would really serve them.
   */
  @Test
  void servesALaunchsCodeOnlyWithItsExactTokenAndRefusesTraversal() throws Exception {
    String namespace = "lambdarun-held-pending";
    Map<String, String> config = cluster.config(namespace);
    config.put(KubernetesConfigKeys.POD_READY_TIMEOUT, "10s");
    try (LambdaRuntime runtime = Cluster.runtime(config).build()) {
      LambdaFunction function = Fixtures.function("k8s-artifacts", 30);
      byte[] code = function.code().orElseThrow().open().readAllBytes();
      CompletableFuture<InvocationResult> launch =
          CompletableFuture.supplyAsync(() -> runtime.invoke(function, Fixtures.event("echo", 1)));
      Pod pod = awaitPod(namespace);
      String podName = pod.getMetadata().getName();
      String token = tokenOf(namespace, podName);
      URI base = URI.create(initEnv(pod, PodSpecFactory.ARTIFACT_URL_ENV).getValue());
      String codePath = base.getPath() + "/code.zip";
      String wrongSameSize = (token.charAt(0) == 'a' ? "b" : "a") + token.substring(1);

      Response ok = get(base, codePath, "Bearer " + token);
      int missing = get(base, codePath, null).status();
      int wrong = get(base, codePath, "Bearer " + wrongSameSize).status();
      int shorter = get(base, codePath, "Bearer " + token.substring(1)).status();
      int longer = get(base, codePath, "Bearer " + token + "0").status();
      int bare = get(base, codePath, token).status();
      int basic = get(base, codePath, "Basic " + token).status();
      int unknownLaunch =
          get(base, "/lambdarun/artifacts/lambdarun-no-such-launch/code.zip", "Bearer " + token)
              .status();
      int unknownFile = get(base, base.getPath() + "/secrets.txt", "Bearer " + token).status();
      List<String> traversals =
          List.of(
              "/lambdarun/artifacts/../artifacts/" + podName + "/code.zip",
              base.getPath() + "/../" + podName + "/code.zip",
              base.getPath() + "/%2e%2e/" + podName + "/code.zip",
              base.getPath() + "/%2E%2E/code.zip",
              "/lambdarun/artifacts/./" + podName + "/code.zip",
              base.getPath() + "//code.zip",
              base.getPath() + "/..%2fcode.zip");
      LaunchFailedException failed;
      try {
        Object result = launch.get(60, TimeUnit.SECONDS);
        throw new AssertionError("a launch in an unserved namespace answered " + result);
      } catch (ExecutionException e) {
        failed =
            catchThrowableOfType(
                LaunchFailedException.class,
                () -> {
                  throw e.getCause();
                });
      }
      int afterLaunch = get(base, codePath, "Bearer " + token).status();

      assertThat(base.getHost()).isEqualTo("127.0.0.1");
      assertThat(ok.status()).isEqualTo(200);
      assertThat(ok.body()).isEqualTo(code);
      assertThat(List.of(missing, wrong, shorter, longer, bare, basic)).containsOnly(401);
      assertThat(unknownLaunch).isEqualTo(404);
      assertThat(unknownFile).isEqualTo(404);
      for (String path : traversals) {
        assertThat(get(base, path, "Bearer " + token).status()).as(path).isIn(400, 404);
      }
      assertThat(afterLaunch).as("artifacts of a failed launch").isEqualTo(404);
      assertThat(failed).isNotNull();
      assertThat(failed.getMessage()).contains(podName).doesNotContain(token);
      assertThat(Serialization.asJson(pod)).doesNotContain(token);
      assertThat(initEnv(pod, PodSpecFactory.TOKEN_ENV).getValue()).isNull();
      assertThat(initEnv(pod, PodSpecFactory.TOKEN_ENV).getValueFrom().getSecretKeyRef().getName())
          .isEqualTo(podName);
      assertThat(cluster.podsOfPid(namespace, Fixtures.PID)).isEmpty();
      assertThat(cluster.secretsOfPid(namespace, Fixtures.PID)).isZero();
    }
  }

  @Test
  void theTokenIsNotInTheRunningPodItsLogOrTheListing() throws Exception {
    try (LambdaRuntime runtime = cluster.runtime().build()) {
      InvocationResult result =
          runtime.invoke(
              Fixtures.function("k8s-token-free", 30),
              Fixtures.event("echo", 1),
              InvokeOptions.builder().logTail(true).build());
      String podName = runtime.warmInstances().get(0).instanceId();
      Pod pod =
          cluster.server().client().pods().inNamespace(Cluster.NAMESPACE).withName(podName).get();
      String token = tokenOf(Cluster.NAMESPACE, podName);
      String log = new String(Base64.getDecoder().decode(result.logResult().orElseThrow()), UTF_8);
      String podLog =
          cluster
              .server()
              .client()
              .pods()
              .inNamespace(Cluster.NAMESPACE)
              .withName(podName)
              .getLog();

      assertThat(result.functionError()).isEmpty();
      assertThat(token).hasSizeGreaterThanOrEqualTo(32);
      assertThat(Serialization.asJson(pod)).doesNotContain(token);
      assertThat(log).contains("handling echo in " + result.requestId()).doesNotContain(token);
      assertThat(podLog).contains("handling echo in " + result.requestId()).doesNotContain(token);
      assertThat(runtime.warmInstances().toString()).doesNotContain(token);
    }
    assertThat(cluster.podsOfThisJvm()).isEmpty();
  }

  private static Pod awaitPod(String namespace) {
    Pod[] found = new Pod[1];
    boolean created =
        Fixtures.eventually(
            Duration.ofSeconds(15),
            () -> {
              List<Pod> pods = cluster.podsOfPid(namespace, Fixtures.PID);
              found[0] = pods.isEmpty() ? null : pods.get(0);
              return found[0] != null;
            });
    assertThat(created).as("a pod was created in %s", namespace).isTrue();
    return found[0];
  }

  private static String tokenOf(String namespace, String podName) {
    Secret secret =
        cluster.server().client().secrets().inNamespace(namespace).withName(podName).get();
    assertThat(secret).as("secret of %s", podName).isNotNull();
    return new String(
        Base64.getDecoder().decode(secret.getData().get(PodSpecFactory.TOKEN_KEY)), UTF_8);
  }

  private static EnvVar initEnv(Pod pod, String name) {
    Container init =
        pod.getSpec().getInitContainers().stream()
            .filter(c -> c.getName().equals(PodSpecFactory.INIT_CONTAINER))
            .findFirst()
            .orElseThrow();
    return init.getEnv().stream().filter(e -> e.getName().equals(name)).findFirst().orElseThrow();
  }

  record Response(int status, byte[] body) {}

  /** A raw HTTP/1.1 GET on the server's loopback address, sending the path exactly as given. */
  private static Response get(URI base, String path, String authorization) throws IOException {
    try (Socket socket = new Socket(base.getHost(), base.getPort())) {
      socket.setSoTimeout(10_000);
      OutputStream out = socket.getOutputStream();
      String request =
          "GET "
              + path
              + " HTTP/1.1\r\nHost: "
              + base.getHost()
              + "\r\nConnection: close\r\n"
              + (authorization == null ? "" : "Authorization: " + authorization + "\r\n")
              + "\r\n";
      out.write(request.getBytes(UTF_8));
      out.flush();
      InputStream in = socket.getInputStream();
      ByteArrayOutputStream all = new ByteArrayOutputStream();
      in.transferTo(all);
      byte[] bytes = all.toByteArray();
      String head = new String(bytes, 0, Math.min(bytes.length, 12), UTF_8);
      int status = Integer.parseInt(head.substring(9, 12));
      int bodyStart = indexOf(bytes, "\r\n\r\n".getBytes(UTF_8)) + 4;
      return new Response(status, Arrays.copyOfRange(bytes, bodyStart, bytes.length));
    }
  }

  private static int indexOf(byte[] data, byte[] pattern) {
    outer:
    for (int i = 0; i + pattern.length <= data.length; i++) {
      for (int j = 0; j < pattern.length; j++) {
        if (data[i + j] != pattern[j]) {
          continue outer;
        }
      }
      return i;
    }
    return -1;
  }
}
