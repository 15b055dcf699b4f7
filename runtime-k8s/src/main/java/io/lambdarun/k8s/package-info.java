/**
 * The {@code kubernetes} backend: each Lambda instance is a pod.
 *
 * <p><b>Selecting it.</b> {@link io.lambdarun.k8s.KubernetesRuntimeProvider} is explicit-only: name
 * {@code kubernetes}, never picked automatically. It needs {@code
 * lambdarun.kubernetes.artifact-url}; every key is listed in {@link
 * io.lambdarun.k8s.KubernetesConfigKeys}. The client comes from fabric8's ambient configuration
 * (in-cluster service account, then kubeconfig) unless {@code lambdarun.kubernetes.master-url} is
 * set. Embedders holding a client already use the public {@link
 * io.lambdarun.k8s.KubernetesContainerRuntime} constructor. RBAC: pods (create, get, list, watch,
 * delete, and get on {@code pods/log}) and secrets (create, get, list, patch, delete) in the
 * namespace.
 *
 * <p><b>What a launch does.</b> {@link io.lambdarun.k8s.PodSpecFactory} turns the resolved {@code
 * LaunchSpec} into a pod and a per-launch Secret (pure functions, golden-tested). The runtime
 * registers the code and layer zips with its {@link io.lambdarun.k8s.ArtifactServer}, creates the
 * Secret, then the pod (which then owns the Secret), and waits with an informer ({@link
 * io.lambdarun.k8s.PodReadinessWatcher}, failing fast on image pull errors, a failed init
 * container, a crashing container or a terminal phase). In Runtime API mode (the spec carries
 * core's Runtime API address) it returns once the pod is Running with its container started,
 * without endpoint, and {@link io.lambdarun.k8s.PodExits} answers {@code exitCode} from one
 * informer on the namespace's pods. In RIE-endpoint mode it waits for Running + Ready + podIP,
 * checks that {@code podIP:8080} accepts connections, and returns that endpoint. A failed launch
 * deletes the pod and the Secret. Pod names are unique per launch ({@code
 * lambdarun-<function>-<hash of deploy id, owner id and a counter>}), so unlike fakecloud there is
 * no delete-then-create or 409 retry loop.
 *
 * <p><b>Decisions.</b>
 *
 * <ul>
 *   <li>The artifact server's bearer token and the values of {@code sensitiveKeys} only live in the
 *       Secret; the pod refers to them with {@code secretKeyRef}.
 *   <li>A launch's archives are forgotten once its pod is Ready (with {@code restartPolicy: Never}
 *       the init container never runs again) and when its pod is deleted.
 *   <li>{@code sweepOrphans} deletes pods and Secrets whose owner ran on this host and is gone.
 *       Pods of owners on other hosts are left alone, since whether their owner lives cannot be
 *       checked from here; remove them with the {@code lambdarun.io/owner-host} label selector if
 *       that host is gone for good. In a cluster, set {@code lambdarun.kubernetes.owner-pod}: every
 *       pod then names the embedding pod as owner and the cluster's garbage collector removes it
 *       (and, via the pod, its Secret) when the embedder's pod is deleted, on whichever node it
 *       ran.
 *   <li>{@code prepull} does nothing: Kubernetes has no API to pull an image onto nodes.
 *   <li>The pod gets no service account token and no service links; the main container has memory
 *       requests equal to limits and, in RIE-endpoint mode only, a TCP readiness probe on port
 *       8080.
 * </ul>
 */
package io.lambdarun.k8s;
