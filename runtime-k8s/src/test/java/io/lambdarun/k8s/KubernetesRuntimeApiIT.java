package io.lambdarun.k8s;

import static org.assertj.core.api.Assertions.assertThat;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.core.DefaultDockerClientConfig;
import com.github.dockerjava.core.DockerClientImpl;
import com.github.dockerjava.zerodep.ZerodepDockerHttpClient;
import io.fabric8.kubernetes.api.model.Container;
import io.lambdarun.api.ContainerRuntimeProvider;
import io.lambdarun.api.Instance;
import io.lambdarun.api.Owner;
import io.lambdarun.api.RuntimeConfig;
import io.lambdarun.k8s.kubelet.KubeletApiServer;
import io.lambdarun.tck.RuntimeApiImageContract;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * Runtime API mode through the mock API server and the test kubelet, the runtime-tck suite: the
 * kubelet runs pods whose main container has {@code AWS_LAMBDA_RUNTIME_API} in host network mode,
 * so each pod calls the suite's Runtime API on 127.0.0.1 (the Runtime API host the kubelet
 * configuration gives, as for the artifact server) and all traffic stays on loopback. Zip
 * functions' code is fetched by the init container; the main container declares no port and no
 * readiness probe.
 */
class KubernetesRuntimeApiIT extends RuntimeApiImageContract {

  private static final String NAMESPACE = "lambdarun-rapi-it";

  private static KubeletApiServer cluster;
  private static DockerClient docker;

  @BeforeAll
  static void startCluster() {
    cluster = new KubeletApiServer(NAMESPACE);
    DefaultDockerClientConfig config =
        DefaultDockerClientConfig.createDefaultConfigBuilder().build();
    docker =
        DockerClientImpl.getInstance(
            config,
            new ZerodepDockerHttpClient.Builder()
                .dockerHost(config.getDockerHost())
                .responseTimeout(Duration.ofMinutes(2))
                .build());
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

  @Override
  protected ContainerRuntimeProvider provider() {
    return new KubernetesRuntimeProvider();
  }

  @Override
  protected RuntimeConfig config() {
    return RuntimeConfig.of(cluster.runtimeConfig(NAMESPACE));
  }

  @Override
  protected String pythonImage() {
    return KubernetesRuntimeContractIT.PYTHON_IMAGE;
  }

  @Override
  protected String javaImage() {
    return "lambdarun/test-java:latest";
  }

  @Override
  protected long liveResources(Owner owner) {
    return KubernetesRuntimeContractIT.liveResources(cluster, owner);
  }

  @Override
  protected void buildImage(Path context, String tag) {
    docker
        .buildImageCmd(context.toFile())
        .withTags(Set.of(tag))
        .withPull(false)
        .start()
        .awaitImageId();
  }

  @Override
  protected void removeImage(String tag) {
    docker.removeImageCmd(tag).withForce(true).exec();
  }

  @Override
  protected void assertPublishesNothing(Instance instance) {
    Container main =
        cluster
            .client()
            .pods()
            .inNamespace(NAMESPACE)
            .withName(instance.id())
            .get()
            .getSpec()
            .getContainers()
            .get(0);
    assertThat(main.getPorts()).isEmpty();
    assertThat(main.getReadinessProbe()).isNull();
  }

  @Override
  protected void removeOutOfBand(Instance instance) {
    cluster.client().pods().inNamespace(NAMESPACE).withName(instance.id()).delete();
  }
}
