package io.lambdarun.k8s;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lambdarun.api.ConfigurationException;
import io.lambdarun.api.RuntimeApiAccess;
import io.lambdarun.api.RuntimeConfig;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class KubernetesSettingsTest {

  private static KubernetesSettings settings(String... keyValues) {
    Map<String, String> values = new HashMap<>();
    values.put(KubernetesConfigKeys.ARTIFACT_URL, "http://lambdarun.tools.svc");
    for (int i = 0; i < keyValues.length; i += 2) {
      values.put(keyValues[i], keyValues[i + 1]);
    }
    return KubernetesSettings.from(RuntimeConfig.of(values));
  }

  @Test
  void missingArtifactUrlErrors() {
    assertThatThrownBy(() -> KubernetesSettings.from(RuntimeConfig.empty()))
        .isInstanceOf(ConfigurationException.class)
        .hasMessage(
            "configuration key 'lambdarun.kubernetes.artifact-url' is not set; set it to the URL"
                + " pods use to reach this process, e.g."
                + " 'http://lambdarun.tools.svc.cluster.local:9000'")
        .extracting(e -> ((ConfigurationException) e).key())
        .isEqualTo(KubernetesConfigKeys.ARTIFACT_URL);
  }

  @Test
  void portlessUrlFallsBackToTheBoundPortNotTheSchemeDefault() {
    KubernetesSettings s = settings();
    assertThat(s.artifactBaseUrl(41234)).isEqualTo("http://lambdarun.tools.svc:41234");
    assertThat(s.hostAlias()).isEqualTo("lambdarun.tools.svc");
    assertThat(s.registryHostOrDefault()).isEqualTo("lambdarun.tools.svc");
  }

  @Test
  void explicitPortIsRespected() {
    KubernetesSettings s = settings(KubernetesConfigKeys.ARTIFACT_URL, "http://10.1.2.3:9000/");
    assertThat(s.artifactBaseUrl(41234)).isEqualTo("http://10.1.2.3:9000");
    assertThat(s.registryHostOrDefault()).isEqualTo("10.1.2.3");
  }

  /** The artifact server is no registry: its port never becomes part of the registry host. */
  @Test
  void theDefaultRegistryHostIsTheArtifactHostWithoutAPort() {
    assertThat(
            settings(KubernetesConfigKeys.ARTIFACT_URL, "http://[fd00::7]:9000")
                .registryHostOrDefault())
        .isEqualTo("[fd00::7]");
    assertThat(
            settings(KubernetesConfigKeys.ARTIFACT_URL, "https://lambdarun.tools.svc:8443/x")
                .registryHostOrDefault())
        .isEqualTo("lambdarun.tools.svc");
  }

  @Test
  void aRegistryHostWithAPortIsRefusedNamingThePortKey() {
    assertThatThrownBy(
            () -> settings(KubernetesConfigKeys.REGISTRY_HOST, "registry.tools.svc:5000"))
        .isInstanceOf(ConfigurationException.class)
        .hasMessage(
            "configuration key 'lambdarun.kubernetes.registry-host' has value"
                + " 'registry.tools.svc:5000', which is not a host name or IP address without a"
                + " port; set the host alone (an IPv6 address in brackets) and the port with"
                + " 'lambdarun.ecr.registry-port'")
        .extracting(e -> ((ConfigurationException) e).key())
        .isEqualTo(KubernetesConfigKeys.REGISTRY_HOST);
  }

  @Test
  void defaults() {
    KubernetesSettings s = settings();
    assertThat(s.namespace()).isEqualTo("default");
    assertThat(s.masterUrl()).isEmpty();
    assertThat(s.trustCertificates()).isFalse();
    assertThat(s.artifactBindAddress()).isEqualTo("0.0.0.0");
    assertThat(s.artifactPort()).isZero();
    assertThat(s.pullSecret()).isEmpty();
    assertThat(s.registryHost()).isEmpty();
    assertThat(s.initImage()).isEqualTo("busybox:1.36");
    assertThat(s.podReadyTimeout()).isEqualTo(Duration.ofSeconds(60));
    assertThat(s.endpointReadyTimeout()).isEqualTo(Duration.ofSeconds(10));
    assertThat(s.podConfig().isEmpty()).isTrue();
    assertThat(s.ownerPod()).isEmpty();
  }

  @Test
  void everyKeyIsRead() {
    KubernetesSettings s =
        settings(
            KubernetesConfigKeys.NAMESPACE, "lambdas",
            KubernetesConfigKeys.MASTER_URL, "https://127.0.0.1:6443",
            KubernetesConfigKeys.TRUST_CERTIFICATES, "true",
            KubernetesConfigKeys.ARTIFACT_BIND_ADDRESS, "127.0.0.1",
            KubernetesConfigKeys.ARTIFACT_PORT, "9000",
            KubernetesConfigKeys.REGISTRY_HOST, "registry.tools.svc",
            KubernetesConfigKeys.PULL_SECRET, "ecr",
            KubernetesConfigKeys.INIT_IMAGE, "busybox:1.37",
            KubernetesConfigKeys.POD_READY_TIMEOUT, "90s",
            KubernetesConfigKeys.ENDPOINT_READY_TIMEOUT, "500ms",
            KubernetesConfigKeys.NODE_SELECTOR, "pool=lambda",
            KubernetesConfigKeys.TOLERATIONS, "[{\"key\":\"lambda\",\"operator\":\"Exists\"}]",
            KubernetesConfigKeys.ANNOTATIONS, "team=x",
            KubernetesConfigKeys.OWNER_POD, "embedder-0");
    assertThat(s.ownerPod()).contains("embedder-0");
    assertThat(s.namespace()).isEqualTo("lambdas");
    assertThat(s.masterUrl()).contains("https://127.0.0.1:6443");
    assertThat(s.trustCertificates()).isTrue();
    assertThat(s.artifactBindAddress()).isEqualTo("127.0.0.1");
    assertThat(s.artifactPort()).isEqualTo(9000);
    assertThat(s.registryHostOrDefault()).isEqualTo("registry.tools.svc");
    assertThat(s.pullSecret()).isEqualTo(Optional.of("ecr"));
    assertThat(s.initImage()).isEqualTo("busybox:1.37");
    assertThat(s.podReadyTimeout()).isEqualTo(Duration.ofSeconds(90));
    assertThat(s.endpointReadyTimeout()).isEqualTo(Duration.ofMillis(500));
    assertThat(s.podConfig().nodeSelector()).containsExactly(Map.entry("pool", "lambda"));
    assertThat(s.podConfig().tolerations()).hasSize(1);
    assertThat(s.podConfig().annotations()).containsExactly(Map.entry("team", "x"));
  }

  @Test
  void blankNamespaceAndPullSecretAreUnset() {
    KubernetesSettings s =
        settings(KubernetesConfigKeys.NAMESPACE, "  ", KubernetesConfigKeys.PULL_SECRET, " ");
    assertThat(s.namespace()).isEqualTo("default");
    assertThat(s.pullSecret()).isEmpty();
  }

  @Test
  void badValuesFailFastNamingTheKey() {
    assertThatThrownBy(() -> settings(KubernetesConfigKeys.ARTIFACT_URL, "ftp://x"))
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("'lambdarun.kubernetes.artifact-url' has value 'ftp://x'");
    assertThatThrownBy(() -> settings(KubernetesConfigKeys.NAMESPACE, "Bad_NS"))
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("'lambdarun.kubernetes.namespace' has value 'Bad_NS'");
    assertThatThrownBy(() -> settings(KubernetesConfigKeys.ARTIFACT_PORT, "70000"))
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("'lambdarun.kubernetes.artifact-port' has value '70000'");
    assertThatThrownBy(() -> settings(KubernetesConfigKeys.TOLERATIONS, "{\"key\":\"x\"}"))
        .isInstanceOf(ConfigurationException.class)
        .hasMessageStartingWith(
            "configuration key 'lambdarun.kubernetes.tolerations' has value '{\"key\":\"x\"}',"
                + " which is not a JSON array;");
    assertThatThrownBy(() -> settings(KubernetesConfigKeys.POD_READY_TIMEOUT, "soon"))
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("'lambdarun.kubernetes.pod-ready-timeout'");
  }

  @Test
  void theRuntimeApiIsReachedAsTheArtifactServerIsByDefault() {
    assertThat(settings().runtimeApiAccess())
        .contains(new RuntimeApiAccess("0.0.0.0", "lambdarun.tools.svc"));
    assertThat(
            settings(
                    KubernetesConfigKeys.ARTIFACT_URL, "http://[fd00::1]:9000",
                    KubernetesConfigKeys.ARTIFACT_BIND_ADDRESS, "127.0.0.1")
                .runtimeApiAccess())
        .contains(new RuntimeApiAccess("127.0.0.1", "[fd00::1]"));
  }

  @Test
  void theRuntimeApiKeysOverrideTheArtifactServersAndRieTurnsTheModeOff() {
    KubernetesSettings s =
        settings(
            KubernetesConfigKeys.RUNTIME_API_BIND_ADDRESS, "10.0.0.5",
            KubernetesConfigKeys.RUNTIME_API_HOST, "lambdarun-rapi.tools.svc");
    assertThat(s.runtimeApiAccess())
        .contains(new RuntimeApiAccess("10.0.0.5", "lambdarun-rapi.tools.svc"));
    assertThat(settings(KubernetesConfigKeys.INSTANCE_PROTOCOL, " RIE ").runtimeApiAccess())
        .isEmpty();
    assertThat(settings(KubernetesConfigKeys.INSTANCE_PROTOCOL, "runtime-api").runtimeApiAccess())
        .isPresent();
  }

  @Test
  void aProtocolOtherThanRuntimeApiOrRieIsRefusedNamingTheKeyAndValue() {
    assertThatThrownBy(() -> settings(KubernetesConfigKeys.INSTANCE_PROTOCOL, "grpc"))
        .isInstanceOf(ConfigurationException.class)
        .hasMessage(
            "configuration key 'lambdarun.kubernetes.instance-protocol' has value 'grpc', which is"
                + " not 'runtime-api' or 'rie'; use one of these (default 'runtime-api')")
        .extracting(e -> ((ConfigurationException) e).key())
        .isEqualTo(KubernetesConfigKeys.INSTANCE_PROTOCOL);
  }

  @Test
  void aRuntimeApiHostWithAPortIsRefused() {
    assertThatThrownBy(() -> settings(KubernetesConfigKeys.RUNTIME_API_HOST, "lambdarun:9001"))
        .isInstanceOf(ConfigurationException.class)
        .hasMessage(
            "configuration key 'lambdarun.kubernetes.runtime-api-host' has value 'lambdarun:9001',"
                + " which is not a host name or IP address without a port; set the host alone (an"
                + " IPv6 address in brackets), core appends each instance's port")
        .extracting(e -> ((ConfigurationException) e).key())
        .isEqualTo(KubernetesConfigKeys.RUNTIME_API_HOST);
  }

  @Test
  void podsRunAsLambdasUserByDefaultAndAsTheConfiguredOne() {
    assertThat(settings().podUser()).isEqualTo(new PodUser(993, 990));
    assertThat(
            settings(
                    KubernetesConfigKeys.RUN_AS_USER,
                    " 1000 ",
                    KubernetesConfigKeys.RUN_AS_GROUP,
                    "2000")
                .podUser())
        .isEqualTo(new PodUser(1000, 2000));
  }

  @Test
  void aRootOrMalformedUserOrGroupIsRefusedNamingTheKeyAndValue() {
    for (String key :
        new String[] {KubernetesConfigKeys.RUN_AS_USER, KubernetesConfigKeys.RUN_AS_GROUP}) {
      for (String bad : new String[] {"0", "-5", "root", "4294967296"}) {
        assertThatThrownBy(() -> settings(key, bad))
            .isInstanceOf(ConfigurationException.class)
            .hasMessageStartingWith(
                "configuration key '"
                    + key
                    + "' has value '"
                    + bad
                    + "', which is not a"
                    + " non-root id; use a number from 1 to 2147483647")
            .extracting(e -> ((ConfigurationException) e).key())
            .isEqualTo(key);
      }
    }
  }
}
