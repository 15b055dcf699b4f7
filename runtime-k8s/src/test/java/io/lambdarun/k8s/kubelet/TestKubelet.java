package io.lambdarun.k8s.kubelet;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.async.ResultCallback;
import com.github.dockerjava.api.command.CreateContainerCmd;
import com.github.dockerjava.api.exception.DockerException;
import com.github.dockerjava.api.exception.NotFoundException;
import com.github.dockerjava.api.model.Bind;
import com.github.dockerjava.api.model.Capability;
import com.github.dockerjava.api.model.ExposedPort;
import com.github.dockerjava.api.model.Frame;
import com.github.dockerjava.api.model.HostConfig;
import com.github.dockerjava.api.model.PortBinding;
import com.github.dockerjava.api.model.Ports;
import com.github.dockerjava.api.model.StreamType;
import com.github.dockerjava.api.model.Ulimit;
import com.github.dockerjava.core.DefaultDockerClientConfig;
import com.github.dockerjava.core.DockerClientImpl;
import com.github.dockerjava.zerodep.ZerodepDockerHttpClient;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.api.model.PodConditionBuilder;
import io.fabric8.kubernetes.api.model.PodSecurityContext;
import io.fabric8.kubernetes.api.model.PodStatus;
import io.fabric8.kubernetes.api.model.PodStatusBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.SeccompProfile;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretKeySelector;
import io.fabric8.kubernetes.api.model.SecurityContext;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.io.Closeable;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.stream.Collectors;

/**
 * A kubelet for tests: watches pods in one namespace of a (mock) API server and runs them as real
 * containers in the local Docker engine.
 *
 * <ul>
 *   <li>Each pod volume is a Docker volume made as a kubelet makes an {@code emptyDir} ({@code
 *       0777}; owned by the pod's {@code fsGroup} with the set-group-ID bit when it has one), one
 *       with a {@code sizeLimit} a tmpfs of that size (a real kubelet evicts the pod instead, after
 *       the fact), mounted read-only where the mount says so; init containers run one after the
 *       other, with host networking (so {@code 127.0.0.1} is this machine, where the artifact
 *       server listens), with the pod's environment, {@code secretKeyRef}s resolved from Secrets.
 *   <li>The main container runs with port 8080 published on a distinct loopback address
 *       (127.0.77.2, .3, ...), which is reported as the pod IP once port 8080 accepts connections
 *       (its tcpSocket readiness probe). A main container with {@code AWS_LAMBDA_RUNTIME_API} in
 *       its environment (Runtime API mode) runs in host network mode instead, so that it reaches
 *       core's Runtime API on 127.0.0.1 and all traffic stays on loopback, and is reported Running
 *       and Ready with pod IP 127.0.0.1 (the node's, as for host-network pods) once started.
 *   <li>Every container runs in the sandbox its security context describes, as far as Docker can
 *       apply it: user and group, {@code fsGroup}, read-only root file system, capabilities, {@code
 *       no-new-privileges}, the engine's default seccomp profile; and with Lambda's limits of 1,024
 *       open files and 1,024 processes as ulimits, which a pod spec cannot express.
 *   <li>Status goes through the {@code /status} subresource only: ErrImagePull (waiting reason) for
 *       a missing image, a failed init container as terminated with its exit code and phase Failed,
 *       a main container that exits as terminated.
 *   <li>Deleting the pod removes its containers and volumes; {@link #close()} removes everything
 *       the kubelet created.
 * </ul>
 */
public final class TestKubelet implements AutoCloseable {

  /** Docker label marking what a kubelet created; its value is the kubelet's id. */
  public static final String KUBELET_LABEL = "io.lambdarun.test-kubelet";

  private static final String POD_LABEL = "io.lambdarun.test-kubelet.pod";
  private static final int RIE_PORT = 8080;

  /** The pod IP reported for a pod in host network mode: the node's, as a kubelet reports it. */
  private static final String HOST_IP = "127.0.0.1";

  private static final Duration READINESS_DEADLINE = Duration.ofSeconds(30);

  /** Lambda's file-descriptor and process limits, applied to every container as ulimits. */
  private static final long SANDBOX_LIMIT = 1024;

  private static final java.util.Random RANDOM = new java.util.Random();

  private final KubernetesClient client;
  private final String namespace;
  private final DockerClient docker;
  private final String id = "kubelet-" + UUID.randomUUID().toString().substring(0, 8);
  private final Map<String, RunningPod> pods = new ConcurrentHashMap<>();

  /** Every pod ever admitted, deleted ones included, so close() can tear down what is left. */
  private final Set<RunningPod> admitted = ConcurrentHashMap.newKeySet();

  private final Set<String> addressesInUse = ConcurrentHashMap.newKeySet();
  private final AtomicInteger followed = new AtomicInteger();
  private final ExecutorService executor =
      Executors.newCachedThreadPool(
          runnable -> {
            Thread thread = new Thread(runnable, "test-kubelet");
            thread.setDaemon(true);
            // a start interrupted by close() is expected; anything else is worth seeing
            thread.setUncaughtExceptionHandler(
                (t, e) -> {
                  if (!isClosed()) {
                    e.printStackTrace();
                  }
                });
            return thread;
          });
  private SharedIndexInformer<Pod> informer;
  private volatile boolean closed;

  /** One pod this kubelet runs: its containers, volumes and address. */
  private final class RunningPod {
    final String name;
    final String uid;
    final String owner;
    final Map<String, String> containerIds = new ConcurrentHashMap<>();
    final List<String> volumes = new ArrayList<>();
    volatile String address;
    volatile boolean deleted;
    volatile boolean removed;

    RunningPod(Pod pod) {
      this.name = pod.getMetadata().getName();
      this.uid = pod.getMetadata().getUid();
      Map<String, String> labels = pod.getMetadata().getLabels();
      this.owner = labels == null ? "" : labels.getOrDefault("lambdarun.io/owner", "");
    }

    synchronized void remove() {
      if (removed) {
        return;
      }
      for (String container : containerIds.values()) {
        try {
          docker.removeContainerCmd(container).withForce(true).withRemoveVolumes(true).exec();
        } catch (RuntimeException e) {
          // already gone or going (or the engine connection is closing)
        }
      }
      volumes.forEach(TestKubelet.this::removeVolume);
      if (address != null && !address.equals(HOST_IP)) {
        addressesInUse.remove(address);
      }
      removed = true;
    }
  }

  /**
   * Creates a kubelet on the local Docker engine ({@code DOCKER_HOST} or the default socket).
   *
   * @param client a client of the API server
   * @param namespace the namespace whose pods it runs
   */
  public TestKubelet(KubernetesClient client, String namespace) {
    this.client = client;
    this.namespace = namespace;
    DefaultDockerClientConfig config =
        DefaultDockerClientConfig.createDefaultConfigBuilder().build();
    this.docker =
        DockerClientImpl.getInstance(
            config,
            new ZerodepDockerHttpClient.Builder()
                .dockerHost(config.getDockerHost())
                .connectionTimeout(Duration.ofSeconds(5))
                .responseTimeout(Duration.ofMinutes(2))
                .build());
  }

  /**
   * Checks the Docker engine and starts watching pods.
   *
   * @return this kubelet
   */
  public TestKubelet start() {
    docker.pingCmd().exec();
    informer =
        client
            .pods()
            .inNamespace(namespace)
            .inform(
                new ResourceEventHandler<Pod>() {
                  @Override
                  public void onAdd(Pod pod) {
                    admit(pod);
                  }

                  @Override
                  public void onUpdate(Pod oldPod, Pod newPod) {
                    admit(newPod);
                  }

                  @Override
                  public void onDelete(Pod pod, boolean finalStateUnknown) {
                    RunningPod running = pods.remove(pod.getMetadata().getName());
                    if (running != null) {
                      running.deleted = true;
                      executor.execute(running::remove);
                    }
                  }
                },
                0);
    return this;
  }

  /**
   * Returns the names of the pods of an owner whose containers still exist.
   *
   * @param ownerId the value of the pods' {@code lambdarun.io/owner} label
   * @return pod names
   */
  public Set<String> podsHeldFor(String ownerId) {
    return pods.values().stream()
        .filter(p -> p.owner.equals(ownerId) && !p.removed)
        .map(p -> p.name)
        .collect(Collectors.toSet());
  }

  /**
   * Counts the Docker containers this kubelet created that still exist, running or not, including
   * those of deleted pods still being torn down.
   *
   * @return the number of containers
   */
  public long containersHeld() {
    return docker
        .listContainersCmd()
        .withShowAll(true)
        .withLabelFilter(Map.of(KUBELET_LABEL, id))
        .exec()
        .size();
  }

  /**
   * Reads a container's log, as the API server's {@code pods/log} subresource does.
   *
   * @param podNamespace the pod's namespace
   * @param pod the pod's name
   * @param container the container's name
   * @param since only lines after this time, if given
   * @param tailLines only the last lines, if given
   * @return the log, or empty when there is no such container
   */
  public Optional<String> logs(
      String podNamespace,
      String pod,
      String container,
      Optional<Instant> since,
      OptionalInt tailLines) {
    RunningPod running = pods.get(pod);
    if (!podNamespace.equals(namespace) || running == null) {
      return Optional.empty();
    }
    String containerId = running.containerIds.get(container);
    if (containerId == null) {
      return Optional.empty();
    }
    StringBuilder out = new StringBuilder();
    var command = docker.logContainerCmd(containerId).withStdOut(true).withStdErr(true);
    since.ifPresent(s -> command.withSince((int) s.getEpochSecond()));
    tailLines.ifPresent(command::withTail);
    try {
      command
          .exec(
              new ResultCallback.Adapter<Frame>() {
                @Override
                public void onNext(Frame frame) {
                  out.append(new String(frame.getPayload(), StandardCharsets.UTF_8));
                }
              })
          .awaitCompletion();
    } catch (NotFoundException e) {
      return Optional.empty();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return Optional.of(out.toString());
  }

  /**
   * Follows a container's log, as the API server's {@code pods/log?follow=true} does: {@code bytes}
   * gets what the container writes, from its first byte, as it writes it, and {@code end} runs once
   * the container stopped or the returned stream was closed.
   *
   * @param podNamespace the pod's namespace
   * @param pod the pod's name
   * @param container the container's name
   * @param bytes receives the log's bytes, stdout and stderr as the engine sends them
   * @param end runs when the log ends
   * @return the open stream, or empty when there is no such container
   */
  public Optional<Closeable> followLogs(
      String podNamespace, String pod, String container, Consumer<byte[]> bytes, Runnable end) {
    RunningPod running = pods.get(pod);
    String containerId =
        podNamespace.equals(namespace) && running != null
            ? running.containerIds.get(container)
            : null;
    if (containerId == null) {
      return Optional.empty();
    }
    Map<StreamType, Long> sent = new ConcurrentHashMap<>();
    AtomicBoolean ended = new AtomicBoolean();
    Runnable endOnce =
        () -> {
          if (ended.compareAndSet(false, true)) {
            followed.decrementAndGet();
            end.run();
          }
        };
    followed.incrementAndGet();
    try {
      Closeable stream =
          docker
              .logContainerCmd(containerId)
              .withStdOut(true)
              .withStdErr(true)
              .withFollowStream(true)
              .exec(
                  new ResultCallback.Adapter<Frame>() {
                    @Override
                    public void onNext(Frame frame) {
                      sent.merge(
                          frame.getStreamType(), (long) frame.getPayload().length, Long::sum);
                      bytes.accept(frame.getPayload());
                    }

                    @Override
                    public void onError(Throwable error) {
                      endOnce.run();
                      super.onComplete();
                    }

                    @Override
                    public void onComplete() {
                      sendRest(containerId, sent, bytes);
                      endOnce.run();
                      super.onComplete();
                    }
                  });
      return Optional.of(
          () -> {
            stream.close();
            endOnce.run();
          });
    } catch (NotFoundException e) {
      endOnce.run();
      return Optional.empty();
    }
  }

  /**
   * Counts the log follows open now ({@link #followLogs}), for leak checks.
   *
   * @return the number of follows not yet ended
   */
  public int followedLogs() {
    return followed.get();
  }

  /**
   * Sends what a stopped container's stored log holds after the bytes already sent per stream:
   * Docker 20.10 ends a follow without a last line that has no newline.
   */
  private void sendRest(String containerId, Map<StreamType, Long> sent, Consumer<byte[]> bytes) {
    try {
      docker
          .logContainerCmd(containerId)
          .withStdOut(true)
          .withStdErr(true)
          .exec(
              new ResultCallback.Adapter<Frame>() {
                @Override
                public void onNext(Frame frame) {
                  byte[] payload = frame.getPayload();
                  long skip = sent.getOrDefault(frame.getStreamType(), 0L);
                  int offset = (int) Math.min(skip, payload.length);
                  sent.put(frame.getStreamType(), skip - offset);
                  if (offset < payload.length) {
                    bytes.accept(Arrays.copyOfRange(payload, offset, payload.length));
                  }
                }
              })
          .awaitCompletion(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (DockerException e) {
      // removed meanwhile: nothing more to send
    }
  }

  private boolean isClosed() {
    return closed;
  }

  private void admit(Pod pod) {
    if (pod.getMetadata().getDeletionTimestamp() != null) {
      return;
    }
    RunningPod running = new RunningPod(pod);
    if (pods.putIfAbsent(running.name, running) == null) {
      admitted.add(running);
      executor.execute(() -> run(pod, running));
    }
  }

  private void run(Pod pod, RunningPod running) {
    try {
      runSteps(pod, running);
    } catch (RuntimeException e) {
      if (!running.deleted && !closed) {
        try {
          report(
              running, base("Failed").withReason("KubeletError").withMessage(e.toString()).build());
        } catch (RuntimeException ignored) {
          // the API server is gone; nothing to report to
        }
      }
    }
    if (running.deleted && !closed) {
      running.remove();
    }
  }

  private void runSteps(Pod pod, RunningPod running) {
    for (var volume : pod.getSpec().getVolumes()) {
      String name =
          "k8s-"
              + running.name
              + "-"
              + volume.getName()
              + "-"
              + running.uid.substring(running.uid.length() - 6);
      synchronized (running) {
        if (running.removed || running.deleted) {
          return;
        }
        createEmptyDir(pod, volume, name, running);
      }
    }
    List<ContainerStatus> initStatuses = new ArrayList<>();
    for (Container init : pod.getSpec().getInitContainers()) {
      if (running.deleted) {
        return;
      }
      if (!imagePresent(init.getImage())) {
        initStatuses.add(
            waiting(
                init,
                "ErrImagePull",
                "image '"
                    + init.getImage()
                    + "' not found in the local engine (no registry is reachable; build test images with scripts/build-test-images.sh)"));
        report(running, base("Pending").withInitContainerStatuses(initStatuses).build());
        return;
      }
      String containerId = create(pod, running, init, true);
      docker.startContainerCmd(containerId).exec();
      int exitCode = docker.waitContainerCmd(containerId).start().awaitStatusCode();
      ContainerStatus status =
          new ContainerStatusBuilder()
              .withName(init.getName())
              .withImage(init.getImage())
              .withReady(false)
              .withRestartCount(0)
              .withNewState()
              .withNewTerminated()
              .withExitCode(exitCode)
              .withReason(exitCode == 0 ? "Completed" : "Error")
              .endTerminated()
              .endState()
              .build();
      initStatuses.add(status);
      if (exitCode != 0) {
        report(running, base("Failed").withInitContainerStatuses(initStatuses).build());
        return;
      }
    }
    Container main = pod.getSpec().getContainers().get(0);
    if (!imagePresent(main.getImage())) {
      report(
          running,
          base("Pending")
              .withInitContainerStatuses(initStatuses)
              .withContainerStatuses(
                  waiting(
                      main,
                      "ErrImagePull",
                      "image '"
                          + main.getImage()
                          + "' not found in the local engine (no registry is reachable; build test images with scripts/build-test-images.sh)"))
              .build());
      return;
    }
    if (running.deleted) {
      return;
    }
    String containerId;
    if (callsTheRuntimeApi(main)) {
      containerId = create(pod, running, main, true);
      docker.startContainerCmd(containerId).exec();
      running.address = HOST_IP;
    } else {
      containerId = startOnFreeAddress(pod, running, main);
    }
    Instant deadline = Instant.now().plus(READINESS_DEADLINE);
    while (!running.address.equals(HOST_IP) && !accepts(running.address)) {
      if (running.deleted) {
        return;
      }
      Boolean alive = docker.inspectContainerCmd(containerId).exec().getState().getRunning();
      if (!Boolean.TRUE.equals(alive) || Instant.now().isAfter(deadline)) {
        Long code = docker.inspectContainerCmd(containerId).exec().getState().getExitCodeLong();
        report(
            running,
            base("Failed")
                .withInitContainerStatuses(initStatuses)
                .withContainerStatuses(terminated(main, code == null ? 137 : code.intValue()))
                .build());
        return;
      }
      sleep(100);
    }
    report(
        running,
        base("Running")
            .withPodIP(running.address)
            .withConditions(
                condition("Initialized"), condition("ContainersReady"), condition("Ready"))
            .withInitContainerStatuses(initStatuses)
            .withContainerStatuses(
                new ContainerStatusBuilder()
                    .withName(main.getName())
                    .withImage(main.getImage())
                    .withReady(true)
                    .withStarted(true)
                    .withRestartCount(0)
                    .withNewState()
                    .withNewRunning()
                    .withStartedAt(Instant.now().toString())
                    .endRunning()
                    .endState()
                    .build())
            .build());
    int exitCode = docker.waitContainerCmd(containerId).start().awaitStatusCode();
    if (!running.deleted) {
      report(
          running,
          base(exitCode == 0 ? "Succeeded" : "Failed")
              .withInitContainerStatuses(initStatuses)
              .withContainerStatuses(terminated(main, exitCode))
              .build());
    }
  }

  /**
   * A main container in Runtime API mode: core sets {@code AWS_LAMBDA_RUNTIME_API} to where its
   * Runtime API listens, which in tests is 127.0.0.1; only a container in host network mode reaches
   * that (on a cluster the configured host is one pods can reach, as the artifact server's is).
   */
  private static boolean callsTheRuntimeApi(Container container) {
    return container.getEnv().stream().anyMatch(v -> v.getName().equals("AWS_LAMBDA_RUNTIME_API"));
  }

  /**
   * Creates an {@code emptyDir} as a kubelet makes it: a directory every user may write to ({@code
   * 0777}); with the pod's {@code fsGroup}, owned by that group with the set-group-ID bit, so what
   * one container writes the others can read. With a {@code sizeLimit} it is a tmpfs of that size,
   * the engine applying mode and group: writing past it fails with ENOSPC, as on Docker's {@code
   * /tmp} (a real kubelet evicts the pod instead, after the fact). Without one it is a plain local
   * volume, since the engine mounts a tmpfs volume afresh for each container and the init
   * container's files must outlive it; its folder on this machine (the engine is local, as the
   * host-network containers already need) gets the mode and group directly.
   */
  private void createEmptyDir(
      Pod pod, io.fabric8.kubernetes.api.model.Volume volume, String name, RunningPod running) {
    if (volume.getEmptyDir() == null) {
      throw new IllegalStateException("the test kubelet only runs emptyDir volumes, not " + volume);
    }
    PodSecurityContext podContext = pod.getSpec().getSecurityContext();
    Long fsGroup = podContext == null ? null : podContext.getFsGroup();
    var create =
        docker
            .createVolumeCmd()
            .withName(name)
            .withLabels(Map.of(KUBELET_LABEL, id, POD_LABEL, running.name));
    Quantity sizeLimit = volume.getEmptyDir().getSizeLimit();
    if (sizeLimit != null) {
      String options =
          (fsGroup == null ? "mode=0777" : "mode=2777,gid=" + fsGroup)
              + ",size="
              + Quantity.getAmountInBytes(sizeLimit).toBigInteger();
      create
          .withDriver("local")
          .withDriverOpts(Map.of("type", "tmpfs", "device", "tmpfs", "o", options));
    }
    create.exec();
    running.volumes.add(name);
    if (sizeLimit == null) {
      Path folder = Path.of(docker.inspectVolumeCmd(name).exec().getMountpoint());
      try {
        if (fsGroup != null) {
          Files.setAttribute(folder, "unix:gid", fsGroup.intValue());
        }
        Files.setAttribute(folder, "unix:mode", fsGroup == null ? 0777 : 02777);
      } catch (IOException | UnsupportedOperationException e) {
        throw new IllegalStateException(
            "the test kubelet could not open volume folder "
                + folder
                + " to the pod's user; run the tests as root on the Docker engine's machine",
            e);
      }
    }
  }

  /**
   * Applies what Docker can of the pod's and the container's security contexts, as a kubelet asks
   * its runtime to: the user and group (the container's over the pod's), {@code fsGroup} and
   * supplemental groups as extra groups, a read-only root file system, dropped and added
   * capabilities, {@code no-new-privileges} when privilege escalation is off, and the runtime's
   * default seccomp profile (the engine's own; any other type is refused). Every container also
   * gets the file-descriptor and process limits of a Lambda sandbox, 1,024 each, which no pod spec
   * can express.
   */
  private static void applySecurity(
      Pod pod, Container container, CreateContainerCmd create, HostConfig host) {
    PodSecurityContext podContext =
        Optional.ofNullable(pod.getSpec().getSecurityContext()).orElseGet(PodSecurityContext::new);
    SecurityContext context =
        Optional.ofNullable(container.getSecurityContext()).orElseGet(SecurityContext::new);
    Long uid = context.getRunAsUser() != null ? context.getRunAsUser() : podContext.getRunAsUser();
    Long gid =
        context.getRunAsGroup() != null ? context.getRunAsGroup() : podContext.getRunAsGroup();
    if (uid != null) {
      create.withUser(uid + (gid == null ? "" : ":" + gid));
    }
    boolean nonRoot =
        Boolean.TRUE.equals(
            context.getRunAsNonRoot() != null
                ? context.getRunAsNonRoot()
                : podContext.getRunAsNonRoot());
    if (nonRoot && (uid == null || uid == 0)) {
      // a kubelet checks the image's user then; these tests' pods always name theirs
      throw new IllegalStateException(
          "container "
              + container.getName()
              + " must run as non-root but names no non-root runAsUser");
    }
    List<String> groups = new ArrayList<>();
    if (podContext.getFsGroup() != null) {
      groups.add(podContext.getFsGroup().toString());
    }
    if (podContext.getSupplementalGroups() != null) {
      podContext.getSupplementalGroups().forEach(g -> groups.add(g.toString()));
    }
    if (!groups.isEmpty()) {
      host.withGroupAdd(groups);
    }
    host.withReadonlyRootfs(Boolean.TRUE.equals(context.getReadOnlyRootFilesystem()));
    if (context.getCapabilities() != null) {
      if (context.getCapabilities().getDrop() != null
          && !context.getCapabilities().getDrop().isEmpty()) {
        host.withCapDrop(
            context.getCapabilities().getDrop().stream()
                .map(Capability::valueOf)
                .toArray(Capability[]::new));
      }
      if (context.getCapabilities().getAdd() != null
          && !context.getCapabilities().getAdd().isEmpty()) {
        host.withCapAdd(
            context.getCapabilities().getAdd().stream()
                .map(Capability::valueOf)
                .toArray(Capability[]::new));
      }
    }
    if (Boolean.FALSE.equals(context.getAllowPrivilegeEscalation())) {
      host.withSecurityOpts(List.of("no-new-privileges"));
    }
    SeccompProfile seccomp =
        context.getSeccompProfile() != null
            ? context.getSeccompProfile()
            : podContext.getSeccompProfile();
    if (seccomp != null && !"RuntimeDefault".equals(seccomp.getType())) {
      throw new IllegalStateException(
          "the test kubelet only applies the RuntimeDefault seccomp profile, not "
              + seccomp.getType());
    }
    host.withUlimits(
        List.of(
            new Ulimit("nofile", SANDBOX_LIMIT, SANDBOX_LIMIT),
            new Ulimit("nproc", SANDBOX_LIMIT, SANDBOX_LIMIT)));
  }

  private String create(Pod pod, RunningPod running, Container container, boolean hostNetwork) {
    List<Bind> binds = new ArrayList<>();
    for (VolumeMount mount : container.getVolumeMounts()) {
      String volume =
          running.volumes.stream()
              .filter(v -> v.startsWith("k8s-" + running.name + "-" + mount.getName() + "-"))
              .findFirst()
              .orElseThrow(
                  () ->
                      new IllegalStateException(
                          "pod " + running.name + " has no volume " + mount.getName()));
      binds.add(
          Bind.parse(
              volume
                  + ":"
                  + mount.getMountPath()
                  + (Boolean.TRUE.equals(mount.getReadOnly()) ? ":ro" : "")));
    }
    HostConfig host = HostConfig.newHostConfig().withBinds(binds);
    Quantity memory =
        container.getResources() == null || container.getResources().getLimits() == null
            ? null
            : container.getResources().getLimits().get("memory");
    if (memory != null) {
      host.withMemory(Quantity.getAmountInBytes(memory).longValue());
    }
    CreateContainerCmd create =
        docker
            .createContainerCmd(container.getImage())
            .withName(
                "k8s_"
                    + container.getName()
                    + "_"
                    + running.name
                    + "_"
                    + UUID.randomUUID().toString().substring(0, 6))
            .withLabels(Map.of(KUBELET_LABEL, id, POD_LABEL, running.name))
            .withEnv(environment(pod, container));
    applySecurity(pod, container, create, host);
    if (hostNetwork) {
      host.withNetworkMode("host");
    } else {
      host.withPortBindings(
          new PortBinding(
              Ports.Binding.bindIpAndPort(running.address, RIE_PORT), ExposedPort.tcp(RIE_PORT)));
      create.withExposedPorts(ExposedPort.tcp(RIE_PORT));
    }
    if (container.getCommand() != null && !container.getCommand().isEmpty()) {
      create.withEntrypoint(container.getCommand());
    }
    if (container.getArgs() != null && !container.getArgs().isEmpty()) {
      create.withCmd(container.getArgs());
    }
    if (container.getWorkingDir() != null) {
      create.withWorkingDir(container.getWorkingDir());
    }
    synchronized (running) {
      if (running.removed) {
        throw new IllegalStateException("pod " + running.name + " was deleted while starting");
      }
      String containerId = create.withHostConfig(host).exec().getId();
      running.containerIds.put(container.getName(), containerId);
      return containerId;
    }
  }

  private List<String> environment(Pod pod, Container container) {
    List<String> env = new ArrayList<>();
    for (EnvVar var : container.getEnv()) {
      String value = var.getValue();
      if (var.getValueFrom() != null) {
        SecretKeySelector ref = var.getValueFrom().getSecretKeyRef();
        if (ref == null) {
          throw new IllegalStateException(
              "the test kubelet only resolves secretKeyRef, not " + var.getValueFrom());
        }
        Secret secret = client.secrets().inNamespace(namespace).withName(ref.getName()).get();
        if (secret == null) {
          throw new IllegalStateException(
              "secret " + ref.getName() + " of pod " + pod.getMetadata().getName() + " is missing");
        }
        if (secret.getData() != null && secret.getData().containsKey(ref.getKey())) {
          value =
              new String(
                  Base64.getDecoder().decode(secret.getData().get(ref.getKey())),
                  StandardCharsets.UTF_8);
        } else if (secret.getStringData() != null
            && secret.getStringData().containsKey(ref.getKey())) {
          value = secret.getStringData().get(ref.getKey());
        } else {
          throw new IllegalStateException(
              "secret " + ref.getName() + " has no key " + ref.getKey());
        }
      }
      env.add(var.getName() + "=" + (value == null ? "" : value));
    }
    return env;
  }

  /** Removes a volume, waiting while the engine still finishes removing a container using it. */
  private void removeVolume(String volume) {
    Instant deadline = Instant.now().plusSeconds(15);
    while (true) {
      try {
        docker.removeVolumeCmd(volume).exec();
        return;
      } catch (NotFoundException e) {
        return;
      } catch (DockerException e) {
        if (Instant.now().isAfter(deadline)) {
          System.err.println(
              "test kubelet: could not remove volume " + volume + ": " + e.getMessage());
          return;
        }
      }
      try {
        Thread.sleep(100);
      } catch (InterruptedException e) {
        // keep trying until the deadline: close() must not leave volumes behind
      }
    }
  }

  private boolean imagePresent(String image) {
    try {
      docker.inspectImageCmd(image).exec();
      return true;
    } catch (NotFoundException e) {
      return false;
    }
  }

  /**
   * Creates and starts the main container on a free loopback address. Another kubelet (another test
   * JVM) may take the same address between the probe and Docker's bind, so a bind conflict moves on
   * to the next address.
   */
  private String startOnFreeAddress(Pod pod, RunningPod running, Container main) {
    DockerException last = null;
    for (int attempt = 0; attempt < 5; attempt++) {
      running.address = allocateAddress();
      String containerId = create(pod, running, main, false);
      try {
        docker.startContainerCmd(containerId).exec();
        return containerId;
      } catch (DockerException e) {
        String message = String.valueOf(e.getMessage());
        if (!message.contains("address already in use") && !message.contains("already allocated")) {
          throw e;
        }
        last = e;
        docker.removeContainerCmd(containerId).withForce(true).exec();
        running.containerIds.remove(main.getName());
      }
    }
    throw last;
  }

  private synchronized String allocateAddress() {
    int offset = RANDOM.nextInt(253);
    for (int n = 0; n < 253; n++) {
      String address = "127.0.77." + (2 + (offset + n) % 253);
      if (addressesInUse.contains(address)) {
        continue;
      }
      try (ServerSocket probe = new ServerSocket()) {
        probe.bind(new InetSocketAddress(InetAddress.getByName(address), RIE_PORT));
      } catch (IOException e) {
        continue;
      }
      addressesInUse.add(address);
      return address;
    }
    throw new IllegalStateException("no free 127.0.77.x address with port 8080 left");
  }

  /**
   * The readiness probe. A plain connect is not enough: Docker's userland proxy accepts on the
   * published address before the container listens, then drops the connection. So the probe sends
   * an HTTP request and wants at least one byte of answer, which only the container can give.
   */
  private static boolean accepts(String address) {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress(address, RIE_PORT), 500);
      socket.setSoTimeout(1_000);
      socket
          .getOutputStream()
          .write(
              "GET /lambdarun-kubelet-probe HTTP/1.0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
      return socket.getInputStream().read() >= 0;
    } catch (IOException e) {
      return false;
    }
  }

  private void report(RunningPod running, PodStatus status) {
    if (running.deleted) {
      return;
    }
    try {
      client
          .pods()
          .inNamespace(namespace)
          .withName(running.name)
          .editStatus(p -> new PodBuilder(p).withStatus(status).build());
    } catch (KubernetesClientException e) {
      if (e.getCode() != 404) {
        throw e;
      }
      running.deleted = true;
    }
  }

  private static PodStatusBuilder base(String phase) {
    return new PodStatusBuilder()
        .withPhase(phase)
        .withHostIP("127.0.0.1")
        .withStartTime(Instant.now().toString());
  }

  private static PodCondition condition(String type) {
    return new PodConditionBuilder()
        .withType(type)
        .withStatus("True")
        .withLastTransitionTime(Instant.now().toString())
        .build();
  }

  private static ContainerStatus waiting(Container container, String reason, String message) {
    return new ContainerStatusBuilder()
        .withName(container.getName())
        .withImage(container.getImage())
        .withReady(false)
        .withRestartCount(0)
        .withNewState()
        .withNewWaiting()
        .withReason(reason)
        .withMessage(message)
        .endWaiting()
        .endState()
        .build();
  }

  private static ContainerStatus terminated(Container container, int exitCode) {
    return new ContainerStatusBuilder()
        .withName(container.getName())
        .withImage(container.getImage())
        .withReady(false)
        .withRestartCount(0)
        .withNewState()
        .withNewTerminated()
        .withExitCode(exitCode)
        .withReason(exitCode == 0 ? "Completed" : "Error")
        .endTerminated()
        .endState()
        .build();
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }

  @Override
  public void close() {
    closed = true;
    if (informer != null) {
      informer.close();
    }
    admitted.forEach(p -> p.deleted = true);
    executor.shutdownNow();
    try {
      // let in-flight removals finish, so no volume is still in use when it is swept below
      executor.awaitTermination(10, java.util.concurrent.TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    // marks every pod removed under its lock, so a still-running start creates nothing more
    admitted.forEach(RunningPod::remove);
    for (var container :
        docker
            .listContainersCmd()
            .withShowAll(true)
            .withLabelFilter(Map.of(KUBELET_LABEL, id))
            .exec()) {
      try {
        docker.removeContainerCmd(container.getId()).withForce(true).withRemoveVolumes(true).exec();
      } catch (DockerException e) {
        // already gone or going
      }
    }
    for (var volume :
        docker
            .listVolumesCmd()
            .withFilter("label", List.of(KUBELET_LABEL + "=" + id))
            .exec()
            .getVolumes()) {
      removeVolume(volume.getName());
    }
    try {
      docker.close();
    } catch (IOException e) {
      // nothing left to release
    }
  }
}
