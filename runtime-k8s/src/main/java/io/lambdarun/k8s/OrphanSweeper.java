package io.lambdarun.k8s;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.lambdarun.api.Labels;
import io.lambdarun.api.Owner;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Deletes the pods and Secrets of a namespace whose owner ran on this host and is gone; those of
 * the current owner, of live owners and of owners on other hosts are kept.
 */
final class OrphanSweeper {

  private static final Logger LOG = LoggerFactory.getLogger(OrphanSweeper.class);

  private final KubernetesClient client;
  private final String namespace;
  private final Owner self;
  private final PodResources resources;

  /**
   * Creates a sweeper.
   *
   * @param client the client
   * @param namespace the namespace to sweep
   * @param self the current owner, never swept
   * @param resources deletes what is swept
   */
  OrphanSweeper(KubernetesClient client, String namespace, Owner self, PodResources resources) {
    this.client = client;
    this.namespace = namespace;
    this.self = self;
    this.resources = resources;
  }

  /**
   * Sweeps once; a failure to list is logged and ends the sweep.
   *
   * @return the number of pods deleted
   */
  int sweep() {
    int removed = 0;
    try {
      List<Pod> pods =
          client
              .pods()
              .inNamespace(namespace)
              .withLabel(Labels.MANAGED_BY, Labels.MANAGED_BY_VALUE)
              .list()
              .getItems();
      for (Pod pod : orphans(pods)) {
        resources.deletePodAndSecret(pod.getMetadata().getName());
        removed++;
      }
      List<Secret> secrets =
          client
              .secrets()
              .inNamespace(namespace)
              .withLabel(Labels.MANAGED_BY, Labels.MANAGED_BY_VALUE)
              .list()
              .getItems();
      for (Secret secret : orphans(secrets)) {
        resources.deleteSecret(secret.getMetadata().getName());
      }
    } catch (KubernetesClientException e) {
      LOG.warn(
          "could not list lambdarun pods in namespace '{}' ({}); orphans stay",
          namespace,
          ApiFailures.describe(e));
    }
    if (removed > 0) {
      LOG.info("removed {} orphaned pods in namespace '{}'", removed, namespace);
    }
    return removed;
  }

  /** Keeps the resources whose owner provably is gone; never this runtime's own. */
  private <T extends HasMetadata> List<T> orphans(List<T> items) {
    return items.stream()
        .filter(
            item -> {
              Map<String, String> labels =
                  Optional.ofNullable(item.getMetadata().getLabels()).orElse(Map.of());
              return Owner.fromLabels(labels)
                  .filter(o -> !o.id().equals(self.id()))
                  .map(Owner::isDeadOnThisHost)
                  .orElse(false);
            })
        .toList();
  }
}
