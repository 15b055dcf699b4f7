package io.lambdarun.k8s;

import io.fabric8.kubernetes.api.model.ContainerStateTerminated;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.fabric8.kubernetes.client.informers.cache.Cache;
import io.lambdarun.api.Labels;
import java.util.OptionalInt;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;

/**
 * The exit status of a runtime's pods for {@link KubernetesContainerRuntime#exitCode}, answered
 * from the state of one informer on the namespace's lambdarun pods: one watch for every pod, no
 * thread and no API call per pod or per question. Started by the first Runtime API launch.
 */
final class PodExits implements AutoCloseable {

  /** The status reported for a pod that no longer exists: killed, as its deletion does. */
  static final int KILLED = 137;

  private final KubernetesClient client;
  private final String namespace;
  private final Predicate<String> tracked;
  private final Set<String> deleted = ConcurrentHashMap.newKeySet();
  private SharedIndexInformer<Pod> informer;
  private boolean closed;

  /**
   * Creates the watcher; watches nothing before {@link #start()}.
   *
   * @param client the client
   * @param namespace the namespace of the pods
   * @param tracked tells which pod names the runtime still holds (only their deletion is kept)
   */
  PodExits(KubernetesClient client, String namespace, Predicate<String> tracked) {
    this.client = client;
    this.namespace = namespace;
    this.tracked = tracked;
  }

  /**
   * Starts the informer unless it runs; returns once it has listed the pods.
   *
   * @throws io.fabric8.kubernetes.client.KubernetesClientException if pods cannot be listed or
   *     watched
   */
  synchronized void start() {
    if (informer != null || closed) {
      return;
    }
    informer =
        client
            .pods()
            .inNamespace(namespace)
            .withLabel(Labels.DEPLOY_ID)
            .inform(
                new ResourceEventHandler<Pod>() {
                  @Override
                  public void onAdd(Pod pod) {}

                  @Override
                  public void onUpdate(Pod oldPod, Pod newPod) {}

                  @Override
                  public void onDelete(Pod pod, boolean finalStateUnknown) {
                    String name = pod.getMetadata().getName();
                    if (tracked.test(name)) {
                      deleted.add(name);
                    }
                  }
                },
                0);
  }

  /**
   * Reads a pod's main container status.
   *
   * @param podName the pod
   * @return its exit code once the main container terminated, {@link #KILLED} once the pod was
   *     deleted, empty while it runs or before {@link #start()}
   */
  OptionalInt exitCode(String podName) {
    SharedIndexInformer<Pod> current;
    synchronized (this) {
      current = informer;
    }
    if (current == null) {
      return OptionalInt.empty();
    }
    Pod pod = current.getStore().getByKey(Cache.namespaceKeyFunc(namespace, podName));
    if (pod == null) {
      return deleted.contains(podName) ? OptionalInt.of(KILLED) : OptionalInt.empty();
    }
    if (pod.getStatus() == null || pod.getStatus().getContainerStatuses() == null) {
      return OptionalInt.empty();
    }
    for (ContainerStatus status : pod.getStatus().getContainerStatuses()) {
      if (PodSpecFactory.MAIN_CONTAINER.equals(status.getName()) && status.getState() != null) {
        ContainerStateTerminated terminated = status.getState().getTerminated();
        if (terminated != null && terminated.getExitCode() != null) {
          return OptionalInt.of(terminated.getExitCode());
        }
      }
    }
    return OptionalInt.empty();
  }

  /**
   * Forgets a pod the runtime removed.
   *
   * @param podName the pod
   */
  void forget(String podName) {
    deleted.remove(podName);
  }

  @Override
  public synchronized void close() {
    closed = true;
    if (informer != null) {
      informer.close();
    }
  }
}
