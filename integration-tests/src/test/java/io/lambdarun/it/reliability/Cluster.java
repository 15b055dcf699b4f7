package io.lambdarun.it.reliability;

import io.fabric8.kubernetes.api.model.Pod;
import io.lambdarun.api.Labels;
import io.lambdarun.api.RuntimeConfig;
import io.lambdarun.core.LambdaRuntime;
import io.lambdarun.k8s.kubelet.KubeletApiServer;
import java.util.List;
import java.util.Map;

/**
 * The Kubernetes the suite runs on: fabric8's CRUD mock API server on 127.0.0.1 with runtime-k8s's
 * test kubelet, which runs pods as containers in the local Docker engine on 127.0.77.x.
 */
final class Cluster implements AutoCloseable {

  /** The namespace the kubelet serves. */
  static final String NAMESPACE = "lambdarun-reliability";

  private final KubeletApiServer server = new KubeletApiServer(NAMESPACE);

  /** The configuration a runtime (or a child JVM, as system properties) needs for this cluster. */
  Map<String, String> config(String namespace) {
    return server.runtimeConfig(namespace);
  }

  /** A runtime on the kubernetes backend in the served namespace. */
  LambdaRuntime.Builder runtime() {
    return runtime(config(NAMESPACE));
  }

  /** A runtime on the kubernetes backend with the given configuration. */
  static LambdaRuntime.Builder runtime(Map<String, String> config) {
    return Fixtures.runtime("kubernetes").config(RuntimeConfig.of(config));
  }

  KubeletApiServer server() {
    return server;
  }

  /** The pods, in a namespace, whose owner-pid label is the given process. */
  List<Pod> podsOfPid(String namespace, long pid) {
    return server
        .client()
        .pods()
        .inNamespace(namespace)
        .withLabel(Labels.OWNER_PID, Long.toString(pid))
        .list()
        .getItems();
  }

  /** The pods of this JVM in the served namespace. */
  List<Pod> podsOfThisJvm() {
    return podsOfPid(NAMESPACE, Fixtures.PID);
  }

  /** The secrets of this JVM in a namespace. */
  int secretsOfPid(String namespace, long pid) {
    return server
        .client()
        .secrets()
        .inNamespace(namespace)
        .withLabel(Labels.OWNER_PID, Long.toString(pid))
        .list()
        .getItems()
        .size();
  }

  @Override
  public void close() {
    server.close();
  }
}
