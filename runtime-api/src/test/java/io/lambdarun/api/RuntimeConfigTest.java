package io.lambdarun.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RuntimeConfigTest {

  @Test
  void parsesTypedValues() {
    RuntimeConfig config =
        RuntimeConfig.of(
            Map.of(
                "a.int", "42", "a.bool", "YES", "a.ms", "250ms", "a.iso", "PT2M", "a.blank", " "));
    assertThat(config.getInt("a.int", 1)).isEqualTo(42);
    assertThat(config.getBoolean("a.bool", false)).isTrue();
    assertThat(config.getDuration("a.ms", Duration.ZERO)).isEqualTo(Duration.ofMillis(250));
    assertThat(config.getDuration("a.iso", Duration.ZERO)).isEqualTo(Duration.ofMinutes(2));
    assertThat(config.getString("a.blank", "default")).isEqualTo("default");
    assertThat(config.getInt("missing", 7)).isEqualTo(7);
  }

  @Test
  void rejectsMalformedValuesNamingKeyAndValue() {
    RuntimeConfig config = RuntimeConfig.of(Map.of("x.n", "ten", "x.d", "soon", "x.b", "maybe"));
    assertThatThrownBy(() -> config.getInt("x.n", 1))
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("'x.n' has value 'ten'");
    assertThatThrownBy(() -> config.getDuration("x.d", Duration.ZERO))
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("'x.d' has value 'soon'");
    assertThatThrownBy(() -> config.getBoolean("x.b", true))
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("'maybe'");
  }

  @Test
  void rejectsDurationsTooLongToHoldNamingKeyAndValue() {
    RuntimeConfig config =
        RuntimeConfig.of(
            Map.of(
                "d.digits", "99999999999999999999s",
                "d.hours", "9223372036854775807h",
                "d.iso-digits", "PT99999999999999999999H",
                "d.iso-hours", "PT9999999999999999H"));
    for (String key : List.of("d.digits", "d.hours", "d.iso-digits", "d.iso-hours")) {
      assertThatThrownBy(() -> config.getDuration(key, Duration.ZERO))
          .isInstanceOf(ConfigurationException.class)
          .hasMessageContaining("'" + key + "' has value '" + config.get(key).orElseThrow() + "'")
          .hasMessageContaining("longer than a duration can be");
    }
    assertThat(
            RuntimeConfig.of(Map.of("d.big", "9223372036854775807ms"))
                .getDuration("d.big", Duration.ZERO))
        .isEqualTo(Duration.ofMillis(Long.MAX_VALUE));
  }

  @Test
  void fallsBackKeyByKey() {
    RuntimeConfig config =
        RuntimeConfig.of(Map.of("k1", "first"))
            .withFallback(RuntimeConfig.of(Map.of("k1", "x", "k2", "second")));
    assertThat(config.get("k1")).contains("first");
    assertThat(config.get("k2")).contains("second");
  }

  @Test
  void namesEnvironmentVariablesAfterKeys() {
    assertThat(RuntimeConfig.environmentName("lambdarun.docker.host-alias"))
        .isEqualTo("LAMBDARUN_DOCKER_HOST_ALIAS");
  }
}
