package io.lambdarun.k8s;

import static org.assertj.core.api.Assertions.assertThat;

import io.lambdarun.api.Availability;
import io.lambdarun.api.ContainerRuntimeProvider;
import io.lambdarun.api.RuntimeConfig;
import io.lambdarun.tck.ProviderContract;
import java.util.Map;
import org.junit.jupiter.api.Test;

class KubernetesProviderContractTest extends ProviderContract {

  @Override
  protected ContainerRuntimeProvider provider() {
    return new KubernetesRuntimeProvider();
  }

  @Test
  void isNeverSelectedAutomatically() {
    assertThat(provider().name()).isEqualTo("kubernetes");
    assertThat(provider().priority()).isEqualTo(ContainerRuntimeProvider.EXPLICIT_ONLY);
  }

  @Test
  void withoutAnArtifactUrlItIsUnavailableAndSaysWhichKeyToSet() {
    Availability availability = provider().availability(RuntimeConfig.empty());
    assertThat(availability.available()).isFalse();
    assertThat(availability.reason()).contains("'lambdarun.kubernetes.artifact-url' is not set");
  }

  @Test
  void anUnreachableApiServerIsUnavailableWithTheReason() {
    // port 1 on loopback: nothing listens there, the connection is refused at once
    Availability availability =
        provider()
            .availability(
                RuntimeConfig.of(
                    Map.of(
                        KubernetesConfigKeys.ARTIFACT_URL, "http://127.0.0.1",
                        KubernetesConfigKeys.MASTER_URL, "http://127.0.0.1:1")));
    assertThat(availability.available()).isFalse();
    assertThat(availability.reason())
        .startsWith("the Kubernetes API server did not list pods in namespace 'default'");
  }
}
