package io.lambdarun.it.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import com.github.dockerjava.api.model.Container;
import io.lambdarun.api.ContainerRuntime;
import io.lambdarun.api.ContainerRuntimeProvider;
import io.lambdarun.api.Labels;
import io.lambdarun.api.Owner;
import io.lambdarun.api.RuntimeConfig;
import io.lambdarun.core.LambdaRuntime;
import io.lambdarun.core.WarmInstance;
import io.lambdarun.core.model.InvocationResult;
import io.lambdarun.core.model.LambdaFunction;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * An embedding process killed with {@code SIGKILL} while its instances are warm: the next runtime's
 * sweep removes them, and never removes the instances of a live owner (a second child JVM, this JVM
 * itself) nor of an owner on another host. Docker and Kubernetes (CRUD API server and test kubelet)
 * through the next {@code LambdaRuntime}'s start-up sweep; local through the backend's {@code
 * sweepOrphans()}, whose count the case checks.
 */
class OrphanSweepIT {

  /** Well past the 50 ms in which an idle runtime client exits once its Runtime API is gone. */
  private static final Duration IDLE_CLIENT_EXIT_MARGIN = Duration.ofSeconds(2);

  private final List<ChildOwner> children = new ArrayList<>();
  private final List<String> foreignContainers = new ArrayList<>();

  @AfterEach
  void cleanUp() throws Exception {
    for (ChildOwner child : children) {
      child.close();
      // best effort, so a failed case leaves nothing behind either
      Fixtures.containersOfPid(child.pid()).forEach(c -> removeQuietly(c.getId()));
      Fixtures.localProcessesOfPid(child.pid())
          .forEach(pid -> ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly));
    }
    foreignContainers.forEach(OrphanSweepIT::removeQuietly);
  }

  @Test
  void dockerSweepRemovesTheKilledOwnersContainersOnly() throws Exception {
    ChildOwner doomed = child("docker", 2, "orphan-docker");
    ChildOwner survivor = child("docker", 1, "survivor-docker");
    String foreign = foreignOwnersContainer();
    try (LambdaRuntime self = Fixtures.runtime("docker").sweepOrphansOnStart(false).build()) {
      LambdaFunction own = Fixtures.function("self-docker", 30);
      self.invoke(own, Fixtures.event("echo", 0));
      WarmInstance ownInstance = self.warmInstances().get(0);

      doomed.kill9();
      List<String> orphansBefore = ids(Fixtures.containersOfPid(doomed.pid()));
      int swept;
      try (LambdaRuntime next = Fixtures.runtime("docker").build()) {
        swept = Fixtures.containersOfPid(doomed.pid()).size();
        assertThat(next.warmInstances()).isEmpty();
      }
      InvocationResult ownAgain = self.invoke(own, Fixtures.event("echo", 1));

      assertThat(orphansBefore)
          .as("the killed owner's containers outlive it")
          .containsExactlyInAnyOrderElementsOf(doomed.handles());
      assertThat(swept).as("containers of the killed owner after the next start").isZero();
      assertThat(running(Fixtures.containersOfPid(survivor.pid())))
          .as("the live child's containers")
          .containsExactlyElementsOf(survivor.handles());
      assertThat(running(Fixtures.containersOfPid(Fixtures.PID)))
          .as("this JVM's own container")
          .containsExactly(ownInstance.details().get("containerId"));
      assertThat(running(Fixtures.containersOfOwner("lr-foreign-host-owner")))
          .as("another host's owner")
          .containsExactly(foreign);
      assertThat(ownAgain.coldStart()).isFalse();
    }
    assertThat(survivor.closeGracefully()).isEqualTo("CLOSED");
    assertThat(Fixtures.containersOfPid(survivor.pid())).isEmpty();
    assertThat(Fixtures.containersOfThisJvm()).isEmpty();
  }

  /**
   * What a sweep is for on the local backend: an idle runtime client exits by itself about 50 ms
   * after its Runtime API (in the owner's JVM) dies, but a handler blocked mid-invocation does not,
   * nor does a process it started outside its process tree and session.
   */
  @Test
  void localSweepKillsTheKilledOwnersBlockedHandlersAndTheirDetachedGrandchildrenOnly()
      throws Exception {
    ChildOwner doomed = child(ChildOwner.startBlocked("local", 2, "orphan-local"));
    ChildOwner survivor = child("local", 1, "survivor-local");
    try (LambdaRuntime self = Fixtures.runtime("local").sweepOrphansOnStart(false).build();
        ContainerRuntime sweeper = localBackend()) {
      LambdaFunction own = Fixtures.function("self-local", 30);
      self.invoke(own, Fixtures.event("echo", 0));
      List<Long> ownProcesses = Fixtures.localProcessesOfThisJvm();
      List<Long> survivorProcesses = Fixtures.localProcessesOfPid(survivor.pid());
      List<Long> doomedProcesses = Fixtures.localProcessesOfPid(doomed.pid());
      List<Long> blockedPids = new ArrayList<>();
      for (ChildOwner.BlockedHandler blocked : doomed.blocked()) {
        assertThat(Fixtures.sessionOf(blocked.grandchildPid()))
            .as("the grandchild's session")
            .isNotEqualTo(Fixtures.sessionOf(blocked.pid()));
        assertThat(
                ProcessHandle.of(blocked.pid()).orElseThrow().descendants().map(ProcessHandle::pid))
            .as("the blocked handler's descendants")
            .doesNotContain(blocked.grandchildPid());
        blockedPids.addAll(List.of(blocked.pid(), blocked.grandchildPid()));
      }
      sweeper.sweepOrphans(); // owners that died before this case, so that the count below is this
      // case's

      doomed.kill9();
      Thread.sleep(IDLE_CLIENT_EXIT_MARGIN.toMillis());
      List<Long> orphansBefore = Fixtures.localProcessesOfPid(doomed.pid());
      int swept = sweeper.sweepOrphans();
      boolean orphansGone =
          Fixtures.eventually(
              Duration.ofSeconds(10), () -> Fixtures.localProcessesOfPid(doomed.pid()).isEmpty());
      InvocationResult ownAgain = self.invoke(own, Fixtures.event("echo", 1));

      assertThat(doomedProcesses).as("the doomed owner's processes").containsAll(blockedPids);
      assertThat(orphansBefore)
          .as("the killed owner's processes, %s after its death", IDLE_CLIENT_EXIT_MARGIN)
          .containsExactlyInAnyOrderElementsOf(doomedProcesses);
      assertThat(swept).as("instances the sweep removed").isEqualTo(doomed.instanceIds().size());
      assertThat(orphansGone)
          .as(
              "the killed owner's processes gone after the sweep: %s",
              Fixtures.localProcessesOfPid(doomed.pid()))
          .isTrue();
      assertThat(Fixtures.localProcessesOfPid(survivor.pid()))
          .containsExactlyInAnyOrderElementsOf(survivorProcesses);
      assertThat(survivorProcesses).isNotEmpty();
      assertThat(Fixtures.localProcessesOfThisJvm())
          .containsExactlyInAnyOrderElementsOf(ownProcesses);
      assertThat(ownAgain.functionError()).isEmpty();
      assertThat(ownAgain.coldStart()).isFalse();
    }
    assertThat(survivor.closeGracefully()).isEqualTo("CLOSED");
    assertThat(
            Fixtures.eventually(
                Duration.ofSeconds(10),
                () -> Fixtures.localProcessesOfPid(survivor.pid()).isEmpty()))
        .isTrue();
  }

  @Test
  void kubernetesSweepRemovesTheKilledOwnersPodsOnly() throws Exception {
    try (Cluster cluster = new Cluster()) {
      Map<String, String> config = cluster.config(Cluster.NAMESPACE);
      ChildOwner doomed = child(ChildOwner.start("kubernetes", 2, "orphan-k8s", config));
      ChildOwner survivor = child(ChildOwner.start("kubernetes", 1, "survivor-k8s", config));
      try (LambdaRuntime self = Cluster.runtime(config).sweepOrphansOnStart(false).build()) {
        LambdaFunction own = Fixtures.function("self-k8s", 30);
        self.invoke(own, Fixtures.event("echo", 0));
        String ownPod = self.warmInstances().get(0).instanceId();

        doomed.kill9();
        List<String> orphansBefore = podNames(cluster.podsOfPid(Cluster.NAMESPACE, doomed.pid()));
        List<String> orphansAfter;
        try (LambdaRuntime next = Cluster.runtime(config).build()) {
          orphansAfter = podNames(cluster.podsOfPid(Cluster.NAMESPACE, doomed.pid()));
          assertThat(next.warmInstances()).isEmpty();
        }
        InvocationResult ownAgain = self.invoke(own, Fixtures.event("echo", 1));

        assertThat(orphansBefore)
            .as("the killed owner's pods outlive it")
            .containsExactlyInAnyOrderElementsOf(doomed.instanceIds());
        assertThat(orphansAfter).as("pods of the killed owner after the next start").isEmpty();
        assertThat(cluster.secretsOfPid(Cluster.NAMESPACE, doomed.pid())).isZero();
        assertThat(podNames(cluster.podsOfPid(Cluster.NAMESPACE, survivor.pid())))
            .as("the live child's pods")
            .containsExactlyElementsOf(survivor.instanceIds());
        assertThat(podNames(cluster.podsOfThisJvm()))
            .as("this JVM's own pod")
            .containsExactly(ownPod);
        assertThat(ownAgain.functionError()).isEmpty();
        assertThat(ownAgain.coldStart()).isFalse();
      }
      assertThat(survivor.closeGracefully()).isEqualTo("CLOSED");
      assertThat(cluster.podsOfPid(Cluster.NAMESPACE, survivor.pid())).isEmpty();
      assertThat(cluster.podsOfThisJvm()).isEmpty();
    }
  }

  /** The local backend itself, with an owner of its own in this JVM, for its sweep's count. */
  private static ContainerRuntime localBackend() {
    ContainerRuntimeProvider local =
        ServiceLoader.load(ContainerRuntimeProvider.class).stream()
            .map(ServiceLoader.Provider::get)
            .filter(provider -> provider.name().equals("local"))
            .findFirst()
            .orElseThrow(() -> new AssertionError("no 'local' backend on the class path"));
    return local.create(RuntimeConfig.empty(), Owner.forCurrentProcess());
  }

  private static List<String> podNames(List<io.fabric8.kubernetes.api.model.Pod> pods) {
    return pods.stream().map(pod -> pod.getMetadata().getName()).toList();
  }

  private ChildOwner child(ChildOwner child) {
    children.add(child);
    return child;
  }

  private ChildOwner child(String backend, int functions, String prefix) throws Exception {
    ChildOwner child = ChildOwner.start(backend, functions, prefix);
    children.add(child);
    return child;
  }

  /**
   * A container labelled as launched by an owner whose process id is not alive here but which ran
   * on another host: its liveness cannot be checked from here, so it must be kept.
   */
  private String foreignOwnersContainer() {
    long deadPid = deadPid();
    String id =
        Fixtures.docker()
            .createContainerCmd("busybox:1.36")
            .withCmd("sleep", "600")
            .withLabels(
                Map.of(
                    Labels.MANAGED_BY,
                    Labels.MANAGED_BY_VALUE,
                    Labels.OWNER,
                    "lr-foreign-host-owner",
                    Labels.OWNER_PID,
                    Long.toString(deadPid),
                    Labels.OWNER_HOST,
                    "some-other-host"))
            .exec()
            .getId();
    foreignContainers.add(id);
    Fixtures.docker().startContainerCmd(id).exec();
    return id;
  }

  private static long deadPid() {
    long pid = 4_000_000;
    while (ProcessHandle.of(pid).isPresent()) {
      pid--;
    }
    return pid;
  }

  private static List<String> ids(List<Container> containers) {
    return containers.stream().map(Container::getId).toList();
  }

  private static List<String> running(List<Container> containers) {
    return containers.stream()
        .filter(c -> "running".equals(c.getState()))
        .map(Container::getId)
        .toList();
  }

  private static void removeQuietly(String id) {
    try {
      Fixtures.docker().removeContainerCmd(id).withForce(true).exec();
    } catch (RuntimeException e) {
      // already gone
    }
  }
}
