package io.lambdarun.k8s;

import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.lambdarun.api.ConfigurationException;
import io.lambdarun.api.RuntimeUnavailableException;

/** The pod this process runs in, made the owner of every launched pod. */
final class OwnerPod {

  private OwnerPod() {}

  /**
   * Looks up the pod.
   *
   * @param client the client
   * @param namespace the pod's namespace
   * @param name the pod's name, from {@link KubernetesConfigKeys#OWNER_POD}
   * @return a reference that does not block the owner's deletion
   * @throws RuntimeUnavailableException if the pod cannot be read
   * @throws ConfigurationException if there is no such pod
   */
  static OwnerReference reference(KubernetesClient client, String namespace, String name) {
    Pod pod;
    try {
      pod = client.pods().inNamespace(namespace).withName(name).get();
    } catch (KubernetesClientException e) {
      throw new RuntimeUnavailableException(
          "the pod '"
              + name
              + "' named by '"
              + KubernetesConfigKeys.OWNER_POD
              + "' could not be read in namespace '"
              + namespace
              + "' ("
              + ApiFailures.describe(e)
              + "); check the API server and that the service account may get pods",
          e);
    }
    if (pod == null) {
      throw new ConfigurationException(
          KubernetesConfigKeys.OWNER_POD,
          "configuration key '"
              + KubernetesConfigKeys.OWNER_POD
              + "' has value '"
              + name
              + "', but no such pod exists in namespace '"
              + namespace
              + "'; set it to this"
              + " process's pod name (downward API metadata.name) or leave it unset");
    }
    return new OwnerReferenceBuilder()
        .withApiVersion("v1")
        .withKind("Pod")
        .withName(name)
        .withUid(pod.getMetadata().getUid())
        .withBlockOwnerDeletion(false)
        .withController(false)
        .build();
  }
}
