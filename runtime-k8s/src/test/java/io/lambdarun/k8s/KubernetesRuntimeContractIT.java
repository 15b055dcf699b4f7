package io.lambdarun.k8s;

import io.fabric8.kubernetes.api.model.Pod;
import io.lambdarun.api.ContainerRuntimeProvider;
import io.lambdarun.api.Labels;
import io.lambdarun.api.Owner;
import io.lambdarun.api.RuntimeConfig;
import io.lambdarun.k8s.kubelet.KubeletApiServer;
import io.lambdarun.tck.ContainerRuntimeContract;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * The TCK against fabric8's CRUD mock API server, whose pods a test kubelet runs as containers in
 * the local Docker engine (images from scripts/build-test-images.sh).
 */
class KubernetesRuntimeContractIT extends ContainerRuntimeContract {

  static final String NAMESPACE = "lambdarun-it";
  static final String PYTHON_IMAGE = "lambdarun/test-python:latest";

  private static KubeletApiServer cluster;

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

  /** The configuration pointing a runtime at the mock API server and a loopback artifact server. */
  static RuntimeConfig configFor(KubeletApiServer server) {
    return RuntimeConfig.of(server.runtimeConfig(NAMESPACE));
  }

  /** Pods labelled with the owner in the API server, plus those whose containers still exist. */
  static long liveResources(KubeletApiServer server, Owner owner) {
    Set<String> names = new HashSet<>(server.kubelet().podsHeldFor(owner.id()));
    for (Pod pod :
        server
            .client()
            .pods()
            .inNamespace(NAMESPACE)
            .withLabel(Labels.OWNER, owner.id())
            .list()
            .getItems()) {
      names.add(pod.getMetadata().getName());
    }
    return names.size();
  }

  @Override
  protected ContainerRuntimeProvider provider() {
    return new KubernetesRuntimeProvider();
  }

  @Override
  protected RuntimeConfig config() {
    return configFor(cluster);
  }

  @Override
  protected String pythonImage() {
    return PYTHON_IMAGE;
  }

  @Override
  protected long liveResources(Owner owner) {
    return liveResources(cluster, owner);
  }
}
