package io.lambdarun.k8s;

import io.fabric8.kubernetes.api.model.OwnerReference;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * What a pod needs besides the {@link io.lambdarun.api.LaunchSpec}: where it lives, its per-launch
 * name, where its init container fetches code and layers, and the cluster-wide extras.
 *
 * @param namespace the namespace
 * @param podName the per-launch pod name; the per-launch Secret has the same name
 * @param artifactUrl this launch's base URL on the artifact server, without a trailing slash
 * @param initImage the init container's image
 * @param pullSecret the image pull secret, if any
 * @param podConfig the global node selector, tolerations and annotations
 * @param ownerReferences owners of the pod (e.g. the pod this process runs in), so the cluster
 *     deletes the pod with them
 * @param user the user and group the pod's containers run as
 */
public record PodContext(
    String namespace,
    String podName,
    String artifactUrl,
    String initImage,
    Optional<String> pullSecret,
    PodConfig podConfig,
    List<OwnerReference> ownerReferences,
    PodUser user) {

  /** Checks that nothing is missing. */
  public PodContext {
    Objects.requireNonNull(namespace, "namespace");
    Objects.requireNonNull(podName, "podName");
    Objects.requireNonNull(artifactUrl, "artifactUrl");
    Objects.requireNonNull(initImage, "initImage");
    Objects.requireNonNull(pullSecret, "pullSecret");
    Objects.requireNonNull(podConfig, "podConfig");
    ownerReferences = List.copyOf(ownerReferences);
    Objects.requireNonNull(user, "user");
  }

  /**
   * Creates a context for a pod without owners, running as Lambda's user.
   *
   * @param namespace the namespace
   * @param podName the per-launch pod name
   * @param artifactUrl this launch's base URL on the artifact server
   * @param initImage the init container's image
   * @param pullSecret the image pull secret, if any
   * @param podConfig the global node selector, tolerations and annotations
   */
  public PodContext(
      String namespace,
      String podName,
      String artifactUrl,
      String initImage,
      Optional<String> pullSecret,
      PodConfig podConfig) {
    this(
        namespace,
        podName,
        artifactUrl,
        initImage,
        pullSecret,
        podConfig,
        List.of(),
        PodUser.LAMBDA);
  }
}
