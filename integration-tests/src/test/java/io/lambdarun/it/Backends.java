package io.lambdarun.it;

import io.lambdarun.api.RuntimeConfig;
import io.lambdarun.core.LambdaRuntime;
import io.lambdarun.docker.DockerConfigKeys;
import io.lambdarun.k8s.kubelet.KubeletApiServer;
import java.util.Map;

/**
 * The backends as the cross-backend tests run them, with the examples' image mappings: local
 * processes, containers on the real Docker engine in host network mode, and pods behind the test
 * kubelet (which runs Runtime API pods in host network mode). Either way the workloads' calls to
 * core's Runtime API stay on 127.0.0.1; the Docker default, a bridge, would reach core at the
 * bridge's gateway.
 */
final class Backends {

  private Backends() {}

  static LambdaRuntime runtime(String backend, KubeletApiServer cluster, String namespace) {
    return builder(backend, cluster, namespace).build();
  }

  /** A builder set up as {@link #runtime} sets it up, for tests that add sinks or listeners. */
  static LambdaRuntime.Builder builder(String backend, KubeletApiServer cluster, String namespace) {
    return LambdaRuntime.builder()
        .backend(backend)
        .config(config(backend, cluster, namespace))
        .imageMappings(Examples.IMAGE_MAPPINGS);
  }

  private static RuntimeConfig config(String backend, KubeletApiServer cluster, String namespace) {
    return switch (backend) {
      case "kubernetes" -> RuntimeConfig.of(cluster.runtimeConfig(namespace));
      case "docker" -> RuntimeConfig.of(Map.of(DockerConfigKeys.NETWORK, "host"));
      default -> RuntimeConfig.empty();
    };
  }
}
