package io.lambdarun.k8s;

import io.fabric8.kubernetes.api.model.Capabilities;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.HTTPGetAction;
import io.fabric8.kubernetes.api.model.LifecycleHandler;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodSecurityContext;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.SELinuxOptions;
import io.fabric8.kubernetes.api.model.SecurityContext;
import io.fabric8.kubernetes.api.model.Sysctl;
import io.fabric8.kubernetes.api.model.TCPSocketAction;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.BiConsumer;
import java.util.function.Function;
import java.util.stream.Stream;

/**
 * The "restricted" Pod Security Standard, every control of it (the Baseline policy's included), as
 * the Kubernetes documentation writes it
 * (https://kubernetes.io/docs/concepts/security/pod-security-standards/, "Restricted": "Everything
 * from the Baseline policy" plus its own controls). One method per control, named after it; each
 * returns the violations it finds, empty when the pod passes. "If any of the listed containers
 * fails to meet the requirements, the entire pod will fail validation", and "containers" means
 * {@code containers}, {@code initContainers} and {@code ephemeralContainers}.
 */
final class RestrictedPodSecurityStandard {

  /** Every control, by its name in the documentation, in the documentation's order. */
  static final Map<String, Function<Pod, List<String>>> CONTROLS = controls();

  private static final KubernetesSerialization SERIALIZATION = new KubernetesSerialization();

  private static final Set<String> BASELINE_CAPABILITIES =
      Set.of(
          "AUDIT_WRITE",
          "CHOWN",
          "DAC_OVERRIDE",
          "FOWNER",
          "FSETID",
          "KILL",
          "MKNOD",
          "NET_BIND_SERVICE",
          "SETFCAP",
          "SETGID",
          "SETPCAP",
          "SETUID",
          "SYS_CHROOT");
  private static final Set<String> SELINUX_TYPES =
      Set.of("", "container_t", "container_init_t", "container_kvm_t", "container_engine_t");
  private static final Set<String> SAFE_SYSCTLS =
      Set.of(
          "kernel.shm_rmid_forced", "net.ipv4.ip_local_port_range",
          "net.ipv4.ip_unprivileged_port_start", "net.ipv4.tcp_syncookies",
          "net.ipv4.ping_group_range", "net.ipv4.ip_local_reserved_ports",
          "net.ipv4.tcp_keepalive_time", "net.ipv4.tcp_fin_timeout",
          "net.ipv4.tcp_keepalive_intvl", "net.ipv4.tcp_keepalive_probes");
  private static final Set<String> ALLOWED_VOLUME_SOURCES =
      Set.of(
          "configMap",
          "csi",
          "downwardAPI",
          "emptyDir",
          "ephemeral",
          "persistentVolumeClaim",
          "projected",
          "secret");
  private static final Set<String> PROFILE_TYPES = Set.of("RuntimeDefault", "Localhost");
  private static final String APPARMOR_ANNOTATION =
      "container.apparmor.security.beta.kubernetes.io/";

  private RestrictedPodSecurityStandard() {}

  /** Returns every violation of every control, each prefixed with its control. */
  static List<String> violations(Pod pod) {
    List<String> all = new ArrayList<>();
    CONTROLS.forEach((name, control) -> control.apply(pod).forEach(v -> all.add(name + ": " + v)));
    return all;
  }

  private static Map<String, Function<Pod, List<String>>> controls() {
    Map<String, Function<Pod, List<String>>> controls = new LinkedHashMap<>();
    controls.put("HostProcess", RestrictedPodSecurityStandard::hostProcess);
    controls.put("Host Namespaces", RestrictedPodSecurityStandard::hostNamespaces);
    controls.put("Privileged Containers", RestrictedPodSecurityStandard::privilegedContainers);
    controls.put("Capabilities (Baseline)", RestrictedPodSecurityStandard::baselineCapabilities);
    controls.put("HostPath Volumes", RestrictedPodSecurityStandard::hostPathVolumes);
    controls.put("Host Ports", RestrictedPodSecurityStandard::hostPorts);
    controls.put("Host Probes / Lifecycle Hooks", RestrictedPodSecurityStandard::hostProbes);
    controls.put("AppArmor", RestrictedPodSecurityStandard::appArmor);
    controls.put("SELinux", RestrictedPodSecurityStandard::seLinux);
    controls.put("/proc Mount Type", RestrictedPodSecurityStandard::procMountType);
    controls.put("Seccomp (Baseline)", RestrictedPodSecurityStandard::baselineSeccomp);
    controls.put("Sysctls", RestrictedPodSecurityStandard::sysctls);
    controls.put("Volume Types", RestrictedPodSecurityStandard::volumeTypes);
    controls.put("Privilege Escalation", RestrictedPodSecurityStandard::privilegeEscalation);
    controls.put("Running as Non-root", RestrictedPodSecurityStandard::runningAsNonRoot);
    controls.put("Running as Non-root user", RestrictedPodSecurityStandard::runningAsNonRootUser);
    controls.put("Seccomp", RestrictedPodSecurityStandard::seccomp);
    controls.put("Capabilities", RestrictedPodSecurityStandard::capabilities);
    return controls;
  }

  /**
   * HostProcess: "Privileged access to the host is disallowed in the Baseline policy." {@code
   * spec.securityContext.windowsOptions.hostProcess} and the containers': "Undefined/nil, false".
   */
  static List<String> hostProcess(Pod pod) {
    List<String> out = new ArrayList<>();
    PodSecurityContext podContext = pod.getSpec().getSecurityContext();
    if (podContext != null
        && podContext.getWindowsOptions() != null
        && Boolean.TRUE.equals(podContext.getWindowsOptions().getHostProcess())) {
      out.add("spec.securityContext.windowsOptions.hostProcess is true");
    }
    forEachContext(
        pod,
        (name, context) -> {
          if (context.getWindowsOptions() != null
              && Boolean.TRUE.equals(context.getWindowsOptions().getHostProcess())) {
            out.add(name + " sets windowsOptions.hostProcess true");
          }
        });
    return out;
  }

  /**
   * Host Namespaces: "Sharing the host namespaces must be disallowed." {@code spec.hostNetwork},
   * {@code spec.hostPID}, {@code spec.hostIPC}: "Undefined/nil, false".
   */
  static List<String> hostNamespaces(Pod pod) {
    List<String> out = new ArrayList<>();
    if (Boolean.TRUE.equals(pod.getSpec().getHostNetwork())) {
      out.add("spec.hostNetwork is true");
    }
    if (Boolean.TRUE.equals(pod.getSpec().getHostPID())) {
      out.add("spec.hostPID is true");
    }
    if (Boolean.TRUE.equals(pod.getSpec().getHostIPC())) {
      out.add("spec.hostIPC is true");
    }
    return out;
  }

  /**
   * Privileged Containers: "Privileged Pods disable most security mechanisms and must be
   * disallowed." {@code securityContext.privileged}: "Undefined/nil, false".
   */
  static List<String> privilegedContainers(Pod pod) {
    List<String> out = new ArrayList<>();
    forEachContext(
        pod,
        (name, context) -> {
          if (Boolean.TRUE.equals(context.getPrivileged())) {
            out.add(name + " is privileged");
          }
        });
    return out;
  }

  /**
   * Capabilities (Baseline): "Adding additional capabilities beyond those listed below must be
   * disallowed." {@code securityContext.capabilities.add}: "Undefined/nil, AUDIT_WRITE, CHOWN,
   * DAC_OVERRIDE, FOWNER, FSETID, KILL, MKNOD, NET_BIND_SERVICE, SETFCAP, SETGID, SETPCAP, SETUID,
   * SYS_CHROOT".
   */
  static List<String> baselineCapabilities(Pod pod) {
    List<String> out = new ArrayList<>();
    forEachContext(
        pod,
        (name, context) ->
            added(context).stream()
                .filter(c -> !BASELINE_CAPABILITIES.contains(c))
                .forEach(c -> out.add(name + " adds capability " + c)));
    return out;
  }

  /**
   * HostPath Volumes: "HostPath volumes must be forbidden." {@code spec.volumes[*].hostPath}:
   * "Undefined/nil".
   */
  static List<String> hostPathVolumes(Pod pod) {
    return volumes(pod).stream()
        .filter(v -> v.getHostPath() != null)
        .map(v -> "volume " + v.getName() + " is a hostPath")
        .toList();
  }

  /**
   * Host Ports: "HostPorts should be disallowed entirely (recommended) or restricted to a known
   * list." {@code ports[*].hostPort}: "Undefined/nil, Known list (not supported by the built-in Pod
   * Security Admission controller), 0".
   */
  static List<String> hostPorts(Pod pod) {
    List<String> out = new ArrayList<>();
    for (Map.Entry<String, Container> c : containers(pod).entrySet()) {
      for (ContainerPort port : nullToEmpty(c.getValue().getPorts())) {
        if (port.getHostPort() != null && port.getHostPort() != 0) {
          out.add(c.getKey() + " uses host port " + port.getHostPort());
        }
      }
    }
    return out;
  }

  /**
   * Host Probes / Lifecycle Hooks: "The Host field in probes and lifecycle hooks must be
   * disallowed." {@code livenessProbe}, {@code readinessProbe}, {@code startupProbe} and {@code
   * lifecycle.postStart}/{@code preStop}, {@code httpGet.host} and {@code tcpSocket.host}:
   * "Undefined/nil, """.
   */
  static List<String> hostProbes(Pod pod) {
    List<String> out = new ArrayList<>();
    for (Map.Entry<String, Container> c : containers(pod).entrySet()) {
      Container container = c.getValue();
      List<HTTPGetAction> httpGets = new ArrayList<>();
      List<TCPSocketAction> tcpSockets = new ArrayList<>();
      for (Probe probe :
          Stream.of(
                  container.getLivenessProbe(),
                  container.getReadinessProbe(),
                  container.getStartupProbe())
              .filter(Objects::nonNull)
              .toList()) {
        httpGets.add(probe.getHttpGet());
        tcpSockets.add(probe.getTcpSocket());
      }
      if (container.getLifecycle() != null) {
        for (LifecycleHandler hook :
            Stream.of(
                    container.getLifecycle().getPostStart(), container.getLifecycle().getPreStop())
                .filter(Objects::nonNull)
                .toList()) {
          httpGets.add(hook.getHttpGet());
          tcpSockets.add(hook.getTcpSocket());
        }
      }
      httpGets.stream()
          .filter(a -> a != null && !isEmpty(a.getHost()))
          .forEach(a -> out.add(c.getKey() + " probes or hooks host " + a.getHost()));
      tcpSockets.stream()
          .filter(a -> a != null && !isEmpty(a.getHost()))
          .forEach(a -> out.add(c.getKey() + " probes or hooks host " + a.getHost()));
    }
    return out;
  }

  /**
   * AppArmor: "The baseline policy should prevent overriding or disabling the default AppArmor
   * profile, or restrict overrides to an allowed set of profiles." {@code appArmorProfile.type}:
   * "Undefined/nil, RuntimeDefault, Localhost"; {@code
   * metadata.annotations["container.apparmor.security.beta.kubernetes.io/*"]}: "Undefined/nil,
   * runtime/default, localhost/*".
   */
  static List<String> appArmor(Pod pod) {
    List<String> out = new ArrayList<>();
    PodSecurityContext podContext = pod.getSpec().getSecurityContext();
    if (podContext != null
        && podContext.getAppArmorProfile() != null
        && !PROFILE_TYPES.contains(podContext.getAppArmorProfile().getType())) {
      out.add(
          "spec.securityContext.appArmorProfile.type is "
              + podContext.getAppArmorProfile().getType());
    }
    forEachContext(
        pod,
        (name, context) -> {
          if (context.getAppArmorProfile() != null
              && !PROFILE_TYPES.contains(context.getAppArmorProfile().getType())) {
            out.add(name + " sets appArmorProfile.type " + context.getAppArmorProfile().getType());
          }
        });
    Map<String, String> annotations = pod.getMetadata().getAnnotations();
    if (annotations != null) {
      annotations.forEach(
          (key, value) -> {
            if (key.startsWith(APPARMOR_ANNOTATION)
                && !value.equals("runtime/default")
                && !value.startsWith("localhost/")) {
              out.add("annotation " + key + " is " + value);
            }
          });
    }
    return out;
  }

  /**
   * SELinux: "Setting the SELinux type is restricted, and setting a custom SELinux user or role
   * option is forbidden." {@code seLinuxOptions.type}: "Undefined/"", container_t,
   * container_init_t, container_kvm_t, container_engine_t"; {@code seLinuxOptions.user} and {@code
   * role}: "Undefined/""".
   */
  static List<String> seLinux(Pod pod) {
    List<String> out = new ArrayList<>();
    PodSecurityContext podContext = pod.getSpec().getSecurityContext();
    if (podContext != null) {
      seLinuxOptions("spec.securityContext", podContext.getSeLinuxOptions(), out);
    }
    forEachContext(pod, (name, context) -> seLinuxOptions(name, context.getSeLinuxOptions(), out));
    return out;
  }

  /**
   * /proc Mount Type: "The default /proc masks are set up to reduce attack surface, and should be
   * required." {@code securityContext.procMount}: "Undefined/nil, Default".
   */
  static List<String> procMountType(Pod pod) {
    List<String> out = new ArrayList<>();
    forEachContext(
        pod,
        (name, context) -> {
          if (context.getProcMount() != null && !context.getProcMount().equals("Default")) {
            out.add(name + " sets procMount " + context.getProcMount());
          }
        });
    return out;
  }

  /**
   * Seccomp (Baseline): "Seccomp profile must not be explicitly set to Unconfined." {@code
   * seccompProfile.type}: "Undefined/nil, RuntimeDefault, Localhost".
   */
  static List<String> baselineSeccomp(Pod pod) {
    List<String> out = new ArrayList<>();
    PodSecurityContext podContext = pod.getSpec().getSecurityContext();
    if (podContext != null
        && podContext.getSeccompProfile() != null
        && !PROFILE_TYPES.contains(podContext.getSeccompProfile().getType())) {
      out.add(
          "spec.securityContext.seccompProfile.type is "
              + podContext.getSeccompProfile().getType());
    }
    forEachContext(
        pod,
        (name, context) -> {
          if (context.getSeccompProfile() != null
              && !PROFILE_TYPES.contains(context.getSeccompProfile().getType())) {
            out.add(name + " sets seccompProfile.type " + context.getSeccompProfile().getType());
          }
        });
    return out;
  }

  /**
   * Sysctls: "Sysctls can disable security mechanisms or affect all containers on a host, and
   * should be disallowed except for an allowed "safe" subset." {@code
   * spec.securityContext.sysctls[*].name}: "Undefined/nil", or one of the documented safe names.
   */
  static List<String> sysctls(Pod pod) {
    PodSecurityContext podContext = pod.getSpec().getSecurityContext();
    if (podContext == null) {
      return List.of();
    }
    return nullToEmpty(podContext.getSysctls()).stream()
        .map(Sysctl::getName)
        .filter(name -> !SAFE_SYSCTLS.contains(name))
        .map(name -> "unsafe sysctl " + name)
        .toList();
  }

  /**
   * Volume Types: "The Restricted policy only permits the following volume types." "Every item in
   * the spec.volumes[*] list must set one of the following fields to a non-null value": configMap,
   * csi, downwardAPI, emptyDir, ephemeral, persistentVolumeClaim, projected, secret.
   */
  static List<String> volumeTypes(Pod pod) {
    List<String> out = new ArrayList<>();
    for (Volume volume : volumes(pod)) {
      @SuppressWarnings("unchecked")
      Map<String, Object> fields = SERIALIZATION.convertValue(volume, Map.class);
      fields.keySet().stream()
          .filter(key -> !key.equals("name") && !ALLOWED_VOLUME_SOURCES.contains(key))
          .forEach(key -> out.add("volume " + volume.getName() + " is a " + key));
      if (fields.keySet().stream().noneMatch(ALLOWED_VOLUME_SOURCES::contains)) {
        out.add("volume " + volume.getName() + " sets none of " + ALLOWED_VOLUME_SOURCES);
      }
    }
    return out;
  }

  /**
   * Privilege Escalation: "Privilege escalation (such as via set-user-ID or set-group-ID file mode)
   * should not be allowed." {@code securityContext.allowPrivilegeEscalation}: "false" (so undefined
   * fails too).
   */
  static List<String> privilegeEscalation(Pod pod) {
    List<String> out = new ArrayList<>();
    for (Map.Entry<String, Container> c : containers(pod).entrySet()) {
      SecurityContext context = c.getValue().getSecurityContext();
      if (context == null || !Boolean.FALSE.equals(context.getAllowPrivilegeEscalation())) {
        out.add(c.getKey() + " does not set allowPrivilegeEscalation false");
      }
    }
    return out;
  }

  /**
   * Running as Non-root: "Containers must be required to run as non-root users." {@code
   * runAsNonRoot}: "true. The container fields may be undefined/nil if the pod-level
   * spec.securityContext.runAsNonRoot is set to true."
   */
  static List<String> runningAsNonRoot(Pod pod) {
    List<String> out = new ArrayList<>();
    PodSecurityContext podContext = pod.getSpec().getSecurityContext();
    boolean podLevel = podContext != null && Boolean.TRUE.equals(podContext.getRunAsNonRoot());
    if (podContext != null && Boolean.FALSE.equals(podContext.getRunAsNonRoot())) {
      out.add("spec.securityContext.runAsNonRoot is false");
    }
    for (Map.Entry<String, Container> c : containers(pod).entrySet()) {
      SecurityContext context = c.getValue().getSecurityContext();
      Boolean own = context == null ? null : context.getRunAsNonRoot();
      if (Boolean.FALSE.equals(own) || (own == null && !podLevel)) {
        out.add(c.getKey() + " may run as root (runAsNonRoot " + own + ", pod " + podLevel + ")");
      }
    }
    return out;
  }

  /**
   * Running as Non-root user: "Containers must not set runAsUser to 0." {@code runAsUser}: "any
   * non-zero value, undefined/null".
   */
  static List<String> runningAsNonRootUser(Pod pod) {
    List<String> out = new ArrayList<>();
    PodSecurityContext podContext = pod.getSpec().getSecurityContext();
    if (podContext != null && Long.valueOf(0).equals(podContext.getRunAsUser())) {
      out.add("spec.securityContext.runAsUser is 0");
    }
    forEachContext(
        pod,
        (name, context) -> {
          if (Long.valueOf(0).equals(context.getRunAsUser())) {
            out.add(name + " sets runAsUser 0");
          }
        });
    return out;
  }

  /**
   * Seccomp: "Seccomp profile must be explicitly set to one of the allowed values. Both the
   * Unconfined profile and the absence of a profile are prohibited." {@code seccompProfile.type}:
   * "RuntimeDefault, Localhost. The container fields may be undefined/nil if the pod-level
   * spec.securityContext.seccompProfile.type field is set appropriately. Conversely, the pod-level
   * field may be undefined/nil if all container-level fields are set."
   */
  static List<String> seccomp(Pod pod) {
    List<String> out = new ArrayList<>(baselineSeccomp(pod));
    PodSecurityContext podContext = pod.getSpec().getSecurityContext();
    boolean podLevel =
        podContext != null
            && podContext.getSeccompProfile() != null
            && PROFILE_TYPES.contains(podContext.getSeccompProfile().getType());
    for (Map.Entry<String, Container> c : containers(pod).entrySet()) {
      SecurityContext context = c.getValue().getSecurityContext();
      if (!podLevel && (context == null || context.getSeccompProfile() == null)) {
        out.add(c.getKey() + " has no seccomp profile, nor has the pod");
      }
    }
    return out;
  }

  /**
   * Capabilities: "Containers must drop ALL capabilities, and are only permitted to add back the
   * NET_BIND_SERVICE capability." {@code capabilities.drop}: "Any list of capabilities that
   * includes ALL"; {@code capabilities.add}: "Undefined/nil, NET_BIND_SERVICE".
   */
  static List<String> capabilities(Pod pod) {
    List<String> out = new ArrayList<>();
    for (Map.Entry<String, Container> c : containers(pod).entrySet()) {
      SecurityContext context = c.getValue().getSecurityContext();
      Capabilities capabilities = context == null ? null : context.getCapabilities();
      if (capabilities == null || !nullToEmpty(capabilities.getDrop()).contains("ALL")) {
        out.add(c.getKey() + " does not drop ALL capabilities");
      }
      if (context != null) {
        added(context).stream()
            .filter(a -> !a.equals("NET_BIND_SERVICE"))
            .forEach(a -> out.add(c.getKey() + " adds capability " + a));
      }
    }
    return out;
  }

  /** Every container by a readable name: containers, init containers, ephemeral containers. */
  private static Map<String, Container> containers(Pod pod) {
    Map<String, Container> all = new LinkedHashMap<>();
    nullToEmpty(pod.getSpec().getContainers()).forEach(c -> all.put("container " + c.getName(), c));
    nullToEmpty(pod.getSpec().getInitContainers())
        .forEach(c -> all.put("init container " + c.getName(), c));
    nullToEmpty(pod.getSpec().getEphemeralContainers())
        .forEach(
            c ->
                all.put(
                    "ephemeral container " + c.getName(),
                    SERIALIZATION.convertValue(c, Container.class)));
    return all;
  }

  private static void forEachContext(Pod pod, BiConsumer<String, SecurityContext> action) {
    containers(pod)
        .forEach(
            (name, container) -> {
              if (container.getSecurityContext() != null) {
                action.accept(name, container.getSecurityContext());
              }
            });
  }

  private static List<String> added(SecurityContext context) {
    return context.getCapabilities() == null
        ? List.of()
        : nullToEmpty(context.getCapabilities().getAdd());
  }

  private static void seLinuxOptions(String name, SELinuxOptions options, List<String> out) {
    if (options == null) {
      return;
    }
    if (options.getType() != null && !SELINUX_TYPES.contains(options.getType())) {
      out.add(name + " sets seLinuxOptions.type " + options.getType());
    }
    if (!isEmpty(options.getUser())) {
      out.add(name + " sets seLinuxOptions.user " + options.getUser());
    }
    if (!isEmpty(options.getRole())) {
      out.add(name + " sets seLinuxOptions.role " + options.getRole());
    }
  }

  private static List<Volume> volumes(Pod pod) {
    return nullToEmpty(pod.getSpec().getVolumes());
  }

  private static boolean isEmpty(String value) {
    return value == null || value.isEmpty();
  }

  private static <T> List<T> nullToEmpty(List<T> list) {
    return list == null ? List.of() : list;
  }
}
