package io.lambdarun.k8s;

import io.fabric8.kubernetes.api.model.DeletionPropagation;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.Resource;
import io.lambdarun.api.LaunchFailedException;
import io.lambdarun.api.LaunchSpec;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Creates and deletes a launch's pod and its Secret (named after the pod) in one namespace. */
final class PodResources {

  private static final Logger LOG = LoggerFactory.getLogger(PodResources.class);

  /**
   * Seconds a deleted pod gets between SIGTERM and SIGKILL: Lambda's longest shutdown phase (with
   * several external extensions) is 2 s; a function instance keeps no state worth more.
   */
  private static final long DELETE_GRACE_PERIOD_SECONDS = 2;

  private final KubernetesClient client;
  private final String namespace;

  PodResources(KubernetesClient client, String namespace) {
    this.client = client;
    this.namespace = namespace;
  }

  /**
   * Creates the Secret if there is one, then the pod, then makes the pod own the Secret.
   *
   * @throws LaunchFailedException if the API server refuses either
   */
  void create(LaunchSpec spec, Pod pod, Optional<Secret> secret) {
    secret.ifPresent(s -> create(spec, "Secret", s));
    Pod created = (Pod) create(spec, "pod", pod);
    if (secret.isPresent()) {
      adoptSecret(pod.getMetadata().getName(), created);
    }
  }

  private HasMetadata create(LaunchSpec spec, String kind, HasMetadata resource) {
    try {
      return client.resource(resource).inNamespace(namespace).create();
    } catch (KubernetesClientException e) {
      throw new LaunchFailedException(
          spec.functionName(),
          "function '"
              + spec.functionName()
              + "' could not start: creating "
              + kind
              + " '"
              + resource.getMetadata().getName()
              + "' in namespace '"
              + namespace
              + "' failed ("
              + ApiFailures.describe(e)
              + "); check that the namespace exists and the service account may create pods and"
              + " secrets there",
          e);
    }
  }

  /** Makes the pod own its Secret, so the cluster deletes the Secret with the pod. */
  private void adoptSecret(String podName, Pod pod) {
    if (pod.getMetadata().getUid() == null) {
      return;
    }
    try {
      client
          .secrets()
          .inNamespace(namespace)
          .withName(podName)
          .edit(
              secret ->
                  new SecretBuilder(secret)
                      .editMetadata()
                      .withOwnerReferences(
                          new OwnerReferenceBuilder()
                              .withApiVersion("v1")
                              .withKind("Pod")
                              .withName(podName)
                              .withUid(pod.getMetadata().getUid())
                              .build())
                      .endMetadata()
                      .build());
    } catch (KubernetesClientException e) {
      LOG.debug(
          "could not make pod '{}' own its Secret ({}); it is deleted explicitly",
          podName,
          ApiFailures.describe(e));
    }
  }

  /**
   * Deletes a pod and its Secret with a short grace period (a pod would otherwise stay Terminating
   * for its default 30 s) and background propagation (the call does not wait for dependents).
   */
  void deletePodAndSecret(String name) {
    delete("pod", name, client.pods().inNamespace(namespace).withName(name));
    deleteSecret(name);
  }

  /** Deletes a Secret as {@link #deletePodAndSecret} does. */
  void deleteSecret(String name) {
    delete("Secret", name, client.secrets().inNamespace(namespace).withName(name));
  }

  private void delete(String kind, String name, Resource<?> resource) {
    try {
      resource
          .withGracePeriod(DELETE_GRACE_PERIOD_SECONDS)
          .withPropagationPolicy(DeletionPropagation.BACKGROUND)
          .delete();
    } catch (KubernetesClientException e) {
      if (e.getCode() != 404) {
        LOG.warn(
            "could not delete {} '{}' in namespace '{}' ({}); delete it by hand",
            kind,
            name,
            namespace,
            ApiFailures.describe(e));
      }
    }
  }
}
