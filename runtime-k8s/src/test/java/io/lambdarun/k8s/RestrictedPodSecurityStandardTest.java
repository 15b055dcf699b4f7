package io.lambdarun.k8s;

import static io.lambdarun.k8s.Fixtures.context;
import static io.lambdarun.k8s.Fixtures.imageFunction;
import static io.lambdarun.k8s.Fixtures.zip;
import static io.lambdarun.k8s.Fixtures.zipFunction;
import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.CapabilitiesBuilder;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.EphemeralContainer;
import io.fabric8.kubernetes.api.model.HostPathVolumeSourceBuilder;
import io.fabric8.kubernetes.api.model.NFSVolumeSourceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.ProbeBuilder;
import io.fabric8.kubernetes.api.model.SELinuxOptionsBuilder;
import io.fabric8.kubernetes.api.model.SeccompProfileBuilder;
import io.fabric8.kubernetes.api.model.SecurityContext;
import io.fabric8.kubernetes.api.model.SysctlBuilder;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.WindowsSecurityContextOptions;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.lambdarun.api.Archive;
import io.lambdarun.api.LaunchSpec;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every pod the factory generates (zip and image, with and without layers, a {@code provided*}
 * runtime, Runtime API and RIE-endpoint modes) passes every control of the "restricted" Pod
 * Security Standard ({@link RestrictedPodSecurityStandard}), and every control catches a pod that
 * breaks it, so none passes by checking nothing.
 */
class RestrictedPodSecurityStandardTest {

  private static final KubernetesSerialization SERIALIZATION = new KubernetesSerialization();

  /**
   * One way to break each control, applied to a copy of a passing pod that has an init container.
   */
  private static final Map<String, Consumer<Pod>> BREAKERS = breakers();

  static Map<String, Pod> generatedPods() {
    Map<String, LaunchSpec.Builder> specs = new LinkedHashMap<>();
    specs.put("zip, RIE mode", zipFunction("my-fn"));
    specs.put(
        "zip, Runtime API mode", zipFunction("my-fn").runtimeApi("lambdarun.tools.svc:40123"));
    specs.put("zip with layers", zipFunction("my-fn").layers(List.of(layer("a"), layer("b"))));
    specs.put(
        "zip on provided.al2023",
        zipFunction("my-fn").runtime("provided.al2023").handler("bootstrap"));
    specs.put("image", imageFunction("img-fn", "registry.tools.svc:5000/repo:tag"));
    specs.put(
        "image, Runtime API mode",
        imageFunction("img-fn", "registry.tools.svc:5000/repo:tag")
            .runtimeApi("lambdarun.tools.svc:40123"));
    specs.put(
        "image with layers",
        imageFunction("img-fn", "registry.tools.svc:5000/repo:tag").layers(List.of(layer("a"))));
    Map<String, Pod> pods = new LinkedHashMap<>();
    specs.forEach((name, spec) -> pods.put(name, PodSpecFactory.pod(spec.build(), context())));
    return pods;
  }

  static Stream<Arguments> everyControlOnEveryGeneratedPod() {
    List<Arguments> cases = new ArrayList<>();
    generatedPods()
        .forEach(
            (pod, value) ->
                RestrictedPodSecurityStandard.CONTROLS
                    .keySet()
                    .forEach(control -> cases.add(Arguments.of(control, pod, value))));
    return cases.stream();
  }

  static Stream<String> controls() {
    return RestrictedPodSecurityStandard.CONTROLS.keySet().stream();
  }

  @ParameterizedTest(name = "{1} passes \"{0}\"")
  @MethodSource("everyControlOnEveryGeneratedPod")
  void generatedPodPassesTheControl(String control, String podName, Pod pod) {
    assertThat(RestrictedPodSecurityStandard.CONTROLS.get(control).apply(pod))
        .as("violations of \"%s\" by the %s pod", control, podName)
        .isEmpty();
  }

  @ParameterizedTest(name = "\"{0}\" catches a pod that breaks it")
  @MethodSource("controls")
  void controlCatchesAPodThatBreaksIt(String control) {
    Pod passing = generatedPods().get("zip with layers");
    Pod broken = SERIALIZATION.clone(passing);
    assertThat(BREAKERS).as("a way to break \"%s\"", control).containsKey(control);
    BREAKERS.get(control).accept(broken);

    assertThat(RestrictedPodSecurityStandard.CONTROLS.get(control).apply(passing)).isEmpty();
    assertThat(RestrictedPodSecurityStandard.CONTROLS.get(control).apply(broken))
        .as("violations of \"%s\" by the broken pod", control)
        .isNotEmpty();
  }

  @Test
  void everyBreakerBelongsToAControl() {
    assertThat(BREAKERS.keySet())
        .containsExactlyElementsOf(RestrictedPodSecurityStandard.CONTROLS.keySet());
  }

  @Test
  void allControlsTogetherReportNothingForTheGeneratedPodsButNameTheControlOfAViolation() {
    generatedPods()
        .values()
        .forEach(pod -> assertThat(RestrictedPodSecurityStandard.violations(pod)).isEmpty());
    Pod broken = SERIALIZATION.clone(generatedPods().get("image"));
    broken.getSpec().setHostPID(true);
    assertThat(RestrictedPodSecurityStandard.violations(broken))
        .containsExactly("Host Namespaces: spec.hostPID is true");
  }

  private static Map<String, Consumer<Pod>> breakers() {
    Map<String, Consumer<Pod>> breakers = new LinkedHashMap<>();
    breakers.put(
        "HostProcess", pod -> pod.getSpec().getSecurityContext().setWindowsOptions(hostProcess()));
    breakers.put("Host Namespaces", pod -> pod.getSpec().setHostNetwork(true));
    breakers.put("Privileged Containers", pod -> initContext(pod).setPrivileged(true));
    breakers.put(
        "Capabilities (Baseline)",
        pod -> initContext(pod).getCapabilities().setAdd(List.of("SYS_ADMIN")));
    breakers.put("HostPath Volumes", pod -> pod.getSpec().getVolumes().add(hostPath()));
    breakers.put("Host Ports", pod -> mainContainer(pod).setPorts(List.of(hostPort())));
    breakers.put(
        "Host Probes / Lifecycle Hooks",
        pod ->
            mainContainer(pod)
                .setReadinessProbe(
                    new ProbeBuilder()
                        .withNewTcpSocket()
                        .withHost("10.0.0.1")
                        .withNewPort(8080)
                        .endTcpSocket()
                        .build()));
    breakers.put(
        "AppArmor",
        pod ->
            pod.getMetadata()
                .getAnnotations()
                .put("container.apparmor.security.beta.kubernetes.io/lambda", "unconfined"));
    breakers.put(
        "SELinux",
        pod ->
            initContext(pod)
                .setSeLinuxOptions(new SELinuxOptionsBuilder().withRole("sysadm_r").build()));
    breakers.put("/proc Mount Type", pod -> initContext(pod).setProcMount("Unmasked"));
    breakers.put(
        "Seccomp (Baseline)",
        pod ->
            initContext(pod)
                .setSeccompProfile(new SeccompProfileBuilder().withType("Unconfined").build()));
    breakers.put(
        "Sysctls",
        pod ->
            pod.getSpec()
                .getSecurityContext()
                .setSysctls(
                    List.of(
                        new SysctlBuilder().withName("kernel.msgmax").withValue("65536").build())));
    breakers.put("Volume Types", pod -> pod.getSpec().getVolumes().add(nfs()));
    breakers.put("Privilege Escalation", pod -> initContext(pod).setAllowPrivilegeEscalation(null));
    breakers.put(
        "Running as Non-root", pod -> pod.getSpec().setEphemeralContainers(List.of(ephemeral())));
    breakers.put("Running as Non-root user", pod -> initContext(pod).setRunAsUser(0L));
    breakers.put("Seccomp", pod -> pod.getSpec().getSecurityContext().setSeccompProfile(null));
    breakers.put(
        "Capabilities",
        pod ->
            initContext(pod)
                .setCapabilities(
                    new CapabilitiesBuilder().withAdd("NET_RAW").withDrop("ALL").build()));
    return breakers;
  }

  private static Container mainContainer(Pod pod) {
    return pod.getSpec().getContainers().get(0);
  }

  private static SecurityContext initContext(Pod pod) {
    return pod.getSpec().getInitContainers().get(0).getSecurityContext();
  }

  private static WindowsSecurityContextOptions hostProcess() {
    WindowsSecurityContextOptions options = new WindowsSecurityContextOptions();
    options.setHostProcess(true);
    return options;
  }

  private static Volume hostPath() {
    Volume volume = new Volume();
    volume.setName("host");
    volume.setHostPath(new HostPathVolumeSourceBuilder().withPath("/var/run/docker.sock").build());
    return volume;
  }

  private static Volume nfs() {
    Volume volume = new Volume();
    volume.setName("share");
    volume.setNfs(
        new NFSVolumeSourceBuilder().withServer("nfs.example").withPath("/export").build());
    return volume;
  }

  private static ContainerPort hostPort() {
    ContainerPort port = new ContainerPort();
    port.setContainerPort(8080);
    port.setHostPort(8080);
    return port;
  }

  /** A debug container that asks to be allowed to run as root, overriding the pod's setting. */
  private static EphemeralContainer ephemeral() {
    EphemeralContainer debug = new EphemeralContainer();
    debug.setName("debug");
    debug.setImage("busybox:1.36");
    SecurityContext context = new SecurityContext();
    context.setRunAsNonRoot(false);
    debug.setSecurityContext(context);
    return debug;
  }

  private static Archive layer(String name) {
    return zip("layer-" + name, Map.of("python/" + name + ".py", ""));
  }
}
