package io.lambdarun.k8s;

import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.lambdarun.api.ContainerRuntime;
import io.lambdarun.api.HostAccess;
import io.lambdarun.api.Instance;
import io.lambdarun.api.LaunchFailedException;
import io.lambdarun.api.LaunchSpec;
import io.lambdarun.api.LogLineListener;
import io.lambdarun.api.Owner;
import io.lambdarun.api.RuntimeApiAccess;
import java.net.URI;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs each instance as a pod: a per-launch Secret (bearer token, credential values), then the pod
 * from {@link PodSpecFactory}, then an event-driven wait. In Runtime API mode the wait ends when
 * the pod is Running with its container started, and the pod calls core's Runtime API at the
 * configured host; {@link #exitCode} reads the pod's container status from one informer ({@link
 * PodExits}). In RIE-endpoint mode it ends at Running + Ready + podIP and the endpoint is {@code
 * http://<podIP>:8080}, so this process must be able to route to pod IPs (in practice: it runs in
 * the cluster).
 *
 * <p>Orphans: {@link #sweepOrphans()} deletes pods and Secrets whose owner ran on this host and is
 * gone. Pods of owners on other hosts are never deleted, since their liveness cannot be checked
 * from here (their owner's own sweep, or an operator with the {@code lambdarun.io/owner-host} label
 * selector, removes them).
 */
public final class KubernetesContainerRuntime implements ContainerRuntime {

  /** The backend's name. */
  public static final String NAME = "kubernetes";

  /** {@link Instance#details()} key of the pod's namespace. */
  public static final String DETAIL_NAMESPACE = "namespace";

  /** {@link Instance#details()} key of the pod's name. */
  public static final String DETAIL_POD = "pod";

  /** {@link Instance#details()} key of the pod's IP. */
  public static final String DETAIL_POD_IP = "podIP";

  private static final Logger LOG = LoggerFactory.getLogger(KubernetesContainerRuntime.class);
  private static final SecureRandom RANDOM = new SecureRandom();

  private final KubernetesSettings settings;
  private final Owner owner;
  private final KubernetesClient client;
  private final boolean ownsClient;
  private final String token;
  private final ArtifactServer artifacts;
  private final String namespace;
  private final List<OwnerReference> ownerReferences;
  private final AtomicLong launches = new AtomicLong();
  private final Set<String> launched = ConcurrentHashMap.newKeySet();
  private final AtomicBoolean closed = new AtomicBoolean();
  private final PodExits exits;
  private final PodResources resources;
  private final PodLogs logs;
  private final FollowedLogs followed;
  private final PodStartWait startWait;
  private final OrphanSweeper sweeper;

  /**
   * Creates a runtime on a client the caller provides, e.g. one connected to a test API server. The
   * runtime does not close that client.
   *
   * @param settings the parsed configuration
   * @param owner the owner whose labels every pod carries
   * @param client the Kubernetes client
   */
  public KubernetesContainerRuntime(
      KubernetesSettings settings, Owner owner, KubernetesClient client) {
    this(settings, owner, client, false);
  }

  KubernetesContainerRuntime(
      KubernetesSettings settings, Owner owner, KubernetesClient client, boolean ownsClient) {
    this.settings = settings;
    this.owner = owner;
    this.client = client;
    this.ownsClient = ownsClient;
    this.namespace = settings.namespace();
    byte[] secret = new byte[32];
    RANDOM.nextBytes(secret);
    this.token = HexFormat.of().formatHex(secret);
    this.ownerReferences =
        settings
            .ownerPod()
            .map(name -> OwnerPod.reference(client, namespace, name))
            .map(List::of)
            .orElse(List.of());
    this.artifacts =
        new ArtifactServer(settings.artifactBindAddress(), settings.artifactPort(), token);
    this.exits = new PodExits(client, namespace, launched::contains);
    this.resources = new PodResources(client, namespace);
    this.logs = new PodLogs(client, namespace, token);
    this.followed = new FollowedLogs(client, namespace, launched::contains);
    this.startWait =
        new PodStartWait(
            client, namespace, settings.podReadyTimeout(), settings.endpointReadyTimeout(), logs);
    this.sweeper = new OrphanSweeper(client, namespace, owner, resources);
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public HostAccess hostAccess() {
    ensureOpen();
    return new HostAccess(settings.hostAlias(), settings.registryHostOrDefault());
  }

  @Override
  public Optional<RuntimeApiAccess> runtimeApiAccess() {
    return settings.runtimeApiAccess();
  }

  /**
   * Reads the pod's main container status from the informer the first Runtime API launch started:
   * its exit code once it terminated, 137 (killed) once the pod was deleted, empty otherwise.
   */
  @Override
  public OptionalInt exitCode(Instance instance) {
    return exits.exitCode(instance.id());
  }

  @Override
  public boolean launchUsesTags() {
    return true;
  }

  /**
   * Returns the artifact server's port, for diagnostics and tests.
   *
   * @return the bound port
   */
  public int artifactPort() {
    return artifacts.port();
  }

  @Override
  public Instance launch(LaunchSpec spec) {
    ensureOpen();
    String podName =
        PodNames.launchName(
            spec.functionName(), spec.deployId(), owner.id() + "-" + launches.incrementAndGet());
    if (spec.usesRuntimeApi()) {
      watchExits(spec);
    }
    PodContext context =
        new PodContext(
            namespace,
            podName,
            settings.artifactBaseUrl(artifacts.port()) + ArtifactServer.PREFIX + podName,
            settings.initImage(),
            settings.pullSecret(),
            settings.podConfig(),
            ownerReferences,
            settings.podUser());
    Pod pod = PodSpecFactory.pod(spec, context);
    launched.add(podName);
    if (closed.get()) {
      // close() ran between ensureOpen() and add(): it did not see this pod
      launched.remove(podName);
      ensureOpen();
    }
    artifacts.register(podName, spec.code(), spec.layers());
    try {
      return start(spec, context, pod);
    } catch (RuntimeException e) {
      remove(podName);
      throw e;
    }
  }

  private Instance start(LaunchSpec spec, PodContext context, Pod pod) {
    Instant started = Instant.now();
    String podName = context.podName();
    resources.create(
        spec,
        pod,
        PodSpecFactory.needsSecret(spec)
            ? Optional.of(PodSpecFactory.secret(spec, context, token))
            : Optional.empty());
    String podIp = startWait.awaitPod(spec, podName);
    // restartPolicy Never: the init container never runs again, so the archives are no longer
    // needed
    artifacts.forget(podName);
    Map<String, String> details = new LinkedHashMap<>();
    details.put(DETAIL_NAMESPACE, namespace);
    details.put(DETAIL_POD, podName);
    details.put(DETAIL_POD_IP, podIp);
    if (spec.usesRuntimeApi()) {
      LOG.info(
          "launched pod '{}' in namespace '{}' for function '{}' against the Runtime API at {} in"
              + " {} ms",
          podName,
          namespace,
          spec.functionName(),
          spec.runtimeApi().orElseThrow(),
          Long.toString(Duration.between(started, Instant.now()).toMillis()));
      return new Instance(podName, Optional.empty(), details);
    }
    startWait.awaitEndpoint(spec, podName, podIp);
    String host = podIp.contains(":") ? "[" + podIp + "]" : podIp;
    LOG.info(
        "launched pod '{}' in namespace '{}' for function '{}' at {}:{} in {} ms",
        podName,
        namespace,
        spec.functionName(),
        host,
        Integer.toString(PodSpecFactory.RIE_PORT),
        Long.toString(Duration.between(started, Instant.now()).toMillis()));
    return new Instance(
        podName,
        Optional.of(URI.create("http://" + host + ":" + PodSpecFactory.RIE_PORT)),
        details);
  }

  private void watchExits(LaunchSpec spec) {
    try {
      exits.start();
    } catch (KubernetesClientException e) {
      throw new LaunchFailedException(
          spec.functionName(),
          "function '"
              + spec.functionName()
              + "' could not start: watching the pods in namespace '"
              + namespace
              + "' failed ("
              + ApiFailures.describe(e)
              + "); check that the service account may list and watch pods there",
          e);
    }
  }

  @Override
  public void terminate(Instance instance) {
    ensureOpen();
    remove(instance.id());
  }

  private void remove(String podName) {
    // first: a followLogs racing this call either finds the pod no longer launched or has
    // registered its stream, which the next line stops
    launched.remove(podName);
    followed.stop(podName);
    artifacts.forget(podName);
    resources.deletePodAndSecret(podName);
    exits.forget(podName);
  }

  /** Answers from the followed lines when the pod is followed, else asks the API server. */
  @Override
  public String logs(Instance instance, Instant since) {
    ensureOpen();
    return followed.since(instance.id(), since).orElseGet(() -> logs.since(instance.id(), since));
  }

  /**
   * Opens one {@link PodLogStream} on the pod's main container, from its first line; terminating
   * the instance ends it.
   */
  @Override
  public boolean followLogs(Instance instance, LogLineListener listener) {
    ensureOpen();
    return followed.follow(instance.id(), listener);
  }

  @Override
  public int sweepOrphans() {
    ensureOpen();
    return sweeper.sweep();
  }

  /**
   * Does nothing: Kubernetes has no API to pull an image onto nodes ahead of a pod; the kubelet
   * pulls on first use.
   */
  @Override
  public void prepull(String image) {
    ensureOpen();
  }

  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    try {
      for (String podName : List.copyOf(launched)) {
        remove(podName);
      }
    } finally {
      exits.close();
      artifacts.close();
      if (ownsClient) {
        client.close();
      }
    }
  }

  private void ensureOpen() {
    if (closed.get()) {
      throw new IllegalStateException(
          "this Kubernetes runtime is closed; create a new one with the provider");
    }
  }
}
