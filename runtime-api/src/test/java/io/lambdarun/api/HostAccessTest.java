package io.lambdarun.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class HostAccessTest {

  @ParameterizedTest
  @ValueSource(
      strings = {
        "127.0.0.1",
        "localhost",
        "host.docker.internal",
        "lambdarun.tools.svc.cluster.local",
        "registry-1.example",
        "[fd00::1]",
        "[::1]"
      })
  void aHostWithoutPortIsARegistryHost(String host) {
    assertThat(HostAccess.isRegistryHost(host)).isTrue();
    assertThat(new HostAccess("127.0.0.1", host).registryHost()).isEqualTo(host);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "lambdarun.tools.svc:41234",
        "127.0.0.1:4566",
        "[fd00::1]:5000",
        "fd00::1",
        "",
        " registry.local",
        "http://registry.local",
        "registry.local/path",
        "user@registry.local",
        "-registry.local",
        "registry..local",
        "registry_local"
      })
  void aHostWithAPortOrAnythingElseIsRefused(String value) {
    assertThat(HostAccess.isRegistryHost(value)).isFalse();
    assertThatThrownBy(() -> new HostAccess("127.0.0.1", value))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "registry host '"
                + value
                + "' is not a host name or IP address without a port; give"
                + " the host alone (an IPv6 address in brackets), core appends the port");
  }
}
