package io.lambdarun.k8s;

import io.fabric8.kubernetes.api.model.DeletionPropagation;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.Resource;
import io.lambdarun.api.ConfigurationException;
import io.lambdarun.api.ContainerRuntime;
import io.lambdarun.api.HostAccess;
import io.lambdarun.api.Instance;
import io.lambdarun.api.Labels;
import io.lambdarun.api.LaunchFailedException;
import io.lambdarun.api.LaunchSpec;
import io.lambdarun.api.LogLineListener;
import io.lambdarun.api.Owner;
import io.lambdarun.api.ReadinessProbe;
import io.lambdarun.api.RuntimeApiAccess;
import io.lambdarun.api.RuntimeUnavailableException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
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
  private static final int LOG_TAIL_LINES = 20;
  private static final int LOG_TAIL_CHARS = 2_000;

  /** How much of a followed pod's latest output {@link #logs} returns. */
  private static final int LOG_TAIL_BYTES = 64 * 1024;

  /**
   * Seconds a deleted pod gets between SIGTERM and SIGKILL: Lambda's longest shutdown phase (with
   * several external extensions) is 2 s; a function instance keeps no state worth more.
   */
  private static final long DELETE_GRACE_PERIOD_SECONDS = 2;

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
  private final Map<String, PodLogStream> logStreams = new ConcurrentHashMap<>();

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
    this.ownerReferences = settings.ownerPod().map(this::ownerPod).map(List::of).orElse(List.of());
    this.artifacts =
        new ArtifactServer(settings.artifactBindAddress(), settings.artifactPort(), token);
    this.exits = new PodExits(client, namespace, launched::contains);
  }

  /** Looks up the pod this process runs in, to make it the owner of every launched pod. */
  private OwnerReference ownerPod(String name) {
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
              + describe(e)
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
    boolean withSecret = PodSpecFactory.needsSecret(spec);
    if (withSecret) {
      create(spec, "Secret", PodSpecFactory.secret(spec, context, token));
    }
    Pod created = (Pod) create(spec, "pod", pod);
    if (withSecret) {
      adoptSecret(podName, created);
    }
    PodReadinessWatcher.Verdict verdict;
    try {
      verdict =
          PodReadinessWatcher.await(
              client, namespace, podName, settings.podReadyTimeout(), spec.usesRuntimeApi());
    } catch (KubernetesClientException e) {
      throw new LaunchFailedException(
          spec.functionName(),
          "function '"
              + spec.functionName()
              + "' could not start: watching pod '"
              + podName
              + "' in namespace '"
              + namespace
              + "' failed ("
              + describe(e)
              + "); check that the service account may list and watch pods there",
          e);
    }
    if (verdict instanceof PodReadinessWatcher.Verdict.Failed failed) {
      throw new LaunchFailedException(
          spec.functionName(),
          "function '"
              + spec.functionName()
              + "' could not start: pod '"
              + podName
              + "' in namespace '"
              + namespace
              + "' failed: "
              + failed.reason()
              + "; check the image and the pod's events"
              + logTail(podName, spec));
    }
    if (verdict instanceof PodReadinessWatcher.Verdict.Pending pending) {
      throw new LaunchFailedException(
          spec.functionName(),
          "function '"
              + spec.functionName()
              + "' could not start: pod '"
              + podName
              + "' in namespace '"
              + namespace
              + "' was not "
              + (spec.usesRuntimeApi()
                  ? "Running with its container started"
                  : "Running and Ready with an IP")
              + " within "
              + PodReadinessWatcher.seconds(settings.podReadyTimeout())
              + " (last seen: "
              + pending.state()
              + "); raise '"
              + KubernetesConfigKeys.POD_READY_TIMEOUT
              + "' or check the pod's events");
    }
    String podIp = ((PodReadinessWatcher.Verdict.Ready) verdict).podIp();
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
    awaitEndpoint(spec, podName, podIp);
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
              + describe(e)
              + "); check that the service account may list and watch pods there",
          e);
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
              + describe(e)
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
          describe(e));
    }
  }

  private void awaitEndpoint(LaunchSpec spec, String podName, String podIp) {
    Duration timeout = settings.endpointReadyTimeout();
    ReadinessProbe.Outcome outcome =
        ReadinessProbe.await(podIp, PodSpecFactory.RIE_PORT, timeout, Optional::empty);
    if (outcome == ReadinessProbe.Outcome.READY) {
      return;
    }
    throw new LaunchFailedException(
        spec.functionName(),
        "function '"
            + spec.functionName()
            + "' could not start: pod '"
            + podName
            + "' is Ready but '"
            + podIp
            + ":"
            + PodSpecFactory.RIE_PORT
            + "' "
            + (outcome == ReadinessProbe.Outcome.INTERRUPTED
                ? "was abandoned: the launching thread was interrupted"
                : "did not answer HTTP within "
                    + PodReadinessWatcher.seconds(timeout)
                    + "; make sure this process can route to pod IPs (run it inside the cluster)")
            + logTail(podName, spec));
  }

  /**
   * Returns the last lines of the pod's containers for an exception message, with the token and the
   * sensitive values (and their base64 forms) masked, since a container may print anything.
   */
  private String logTail(String podName, LaunchSpec spec) {
    StringBuilder out = new StringBuilder();
    for (String container : List.of(PodSpecFactory.INIT_CONTAINER, PodSpecFactory.MAIN_CONTAINER)) {
      try {
        String log =
            client
                .pods()
                .inNamespace(namespace)
                .withName(podName)
                .inContainer(container)
                .tailingLines(LOG_TAIL_LINES)
                .getLog();
        if (log != null && !log.isBlank()) {
          String text = mask(log.strip(), spec);
          if (text.length() > LOG_TAIL_CHARS) {
            text = "..." + text.substring(text.length() - LOG_TAIL_CHARS);
          }
          out.append("; last lines of container '").append(container).append("':\n").append(text);
        }
      } catch (KubernetesClientException e) {
        // no log for a container that never started
      }
    }
    return out.toString();
  }

  private String mask(String text, LaunchSpec spec) {
    List<String> secrets = new ArrayList<>();
    secrets.add(token);
    for (String key : spec.sensitiveKeys()) {
      String value = spec.environment().get(key);
      if (value != null) {
        secrets.add(value);
      }
    }
    return mask(text, secrets);
  }

  /**
   * Replaces each secret of at least 4 characters, and its base64 form, by {@code ***}.
   *
   * @param text any text
   * @param secrets the values to hide
   * @return the masked text
   */
  static String mask(String text, List<String> secrets) {
    String masked = text;
    for (String secret : secrets) {
      if (secret.length() < 4) {
        continue;
      }
      masked = masked.replace(secret, "***");
      masked =
          masked.replace(
              Base64.getEncoder().encodeToString(secret.getBytes(StandardCharsets.UTF_8)), "***");
    }
    return masked;
  }

  @Override
  public void terminate(Instance instance) {
    ensureOpen();
    remove(instance.id());
  }

  private void remove(String podName) {
    PodLogStream stream = logStreams.remove(podName);
    if (stream != null) {
      stream.close();
    }
    artifacts.forget(podName);
    deletePodAndSecret(podName);
    launched.remove(podName);
    exits.forget(podName);
  }

  /**
   * Deletes a pod and its Secret with a short grace period (a pod would otherwise stay Terminating
   * for its default 30 s) and background propagation (the call does not wait for dependents).
   */
  private void deletePodAndSecret(String name) {
    delete("pod", name, client.pods().inNamespace(namespace).withName(name));
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
            describe(e));
      }
    }
  }

  /** Answers from the followed lines when the pod is followed, else asks the API server. */
  @Override
  public String logs(Instance instance, Instant since) {
    ensureOpen();
    PodLogStream followed = logStreams.get(instance.id());
    if (followed != null) {
      return followed.since(since);
    }
    try {
      String log =
          client
              .pods()
              .inNamespace(namespace)
              .withName(instance.id())
              .inContainer(PodSpecFactory.MAIN_CONTAINER)
              .sinceTime(since.toString())
              .getLog();
      return log == null ? "" : log;
    } catch (KubernetesClientException e) {
      if (e.getCode() != 404) {
        LOG.warn("could not read the log of pod '{}' ({})", instance.id(), describe(e));
      }
      return "";
    }
  }

  /**
   * Opens one {@link PodLogStream} on the pod's main container, from its first line; terminating
   * the instance ends it.
   */
  @Override
  public boolean followLogs(Instance instance, LogLineListener listener) {
    ensureOpen();
    String podName = instance.id();
    if (!launched.contains(podName) || logStreams.containsKey(podName)) {
      return false;
    }
    PodLogStream stream;
    try {
      stream = PodLogStream.open(client, namespace, podName, listener, LOG_TAIL_BYTES);
    } catch (KubernetesClientException e) {
      LOG.warn(
          "cannot follow the log of pod '{}' ({}); its logs are read on demand",
          podName,
          describe(e));
      return false;
    }
    if (logStreams.putIfAbsent(podName, stream) != null || !launched.contains(podName)) {
      logStreams.remove(podName, stream);
      stream.close();
      return false;
    }
    return true;
  }

  @Override
  public int sweepOrphans() {
    ensureOpen();
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
        deletePodAndSecret(pod.getMetadata().getName());
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
        String name = secret.getMetadata().getName();
        delete("Secret", name, client.secrets().inNamespace(namespace).withName(name));
      }
    } catch (KubernetesClientException e) {
      LOG.warn(
          "could not list lambdarun pods in namespace '{}' ({}); orphans stay",
          namespace,
          describe(e));
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
                  .filter(o -> !o.id().equals(owner.id()))
                  .map(Owner::isDeadOnThisHost)
                  .orElse(false);
            })
        .toList();
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

  /** {@code HTTP <code>: <reason>} when the server answered, else just the reason. */
  static String describe(KubernetesClientException e) {
    return (e.getCode() > 0 ? "HTTP " + e.getCode() + ": " : "") + reason(e);
  }

  /** The API server's status message of a failure, else the exception's message. */
  static String reason(KubernetesClientException e) {
    if (e.getStatus() != null && e.getStatus().getMessage() != null) {
      return e.getStatus().getMessage();
    }
    return String.valueOf(e.getMessage());
  }
}
