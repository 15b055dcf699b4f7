package io.lambdarun.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class RuntimeApiModeTest {

  private static LaunchSpec.Builder imageSpec() {
    return LaunchSpec.builder()
        .functionName("fn")
        .functionArn("arn:aws:lambda:us-east-1:000000000000:function:fn")
        .deployId("d1")
        .packageType(PackageType.IMAGE)
        .image("lambdarun/test-python:latest");
  }

  @ParameterizedTest
  @ValueSource(strings = {"127.0.0.1:9001", "host.docker.internal:41234", "[::1]:65535"})
  void aSpecWithARuntimeApiAddressRunsInRuntimeApiMode(String address) {
    LaunchSpec spec = imageSpec().runtimeApi(address).build();

    assertThat(spec.usesRuntimeApi()).isTrue();
    assertThat(spec.runtimeApi()).contains(address);
    assertThat(spec.toBuilder().build()).isEqualTo(spec);
    assertThat(spec.toString()).contains("runtimeApi=" + address);
  }

  @Test
  void aSpecWithoutAnAddressRunsInRieEndpointMode() {
    assertThat(imageSpec().build().usesRuntimeApi()).isFalse();
  }

  @ParameterizedTest
  @ValueSource(
      strings = {"127.0.0.1", "http://127.0.0.1:9001", "127.0.0.1:0", "127.0.0.1:65536", ":9001"})
  void anAddressThatIsNotHostAndPortIsRefused(String address) {
    assertThatThrownBy(() -> imageSpec().runtimeApi(address).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'" + address + "'");
  }

  @Test
  void aRuntimeApiInstanceHasNoInvocationUri() {
    assertThat(Instance.of("i-1", URI.create("http://127.0.0.1:9001")).invocationUri())
        .isEqualTo(URI.create("http://127.0.0.1:9001" + Instance.INVOCATION_PATH));
    assertThatThrownBy(() -> Instance.of("i-2").invocationUri())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("'i-2'");
  }

  @Test
  void aWorkloadHostCarriesNoPort() {
    assertThat(RuntimeApiAccess.loopback())
        .isEqualTo(new RuntimeApiAccess("127.0.0.1", "127.0.0.1"));
    assertThatThrownBy(() -> new RuntimeApiAccess("127.0.0.1", "127.0.0.1:9001"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'127.0.0.1:9001'");
  }
}
