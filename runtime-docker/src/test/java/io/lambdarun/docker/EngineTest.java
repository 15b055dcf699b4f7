package io.lambdarun.docker;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.dockerjava.api.model.Version;
import org.junit.jupiter.api.Test;

class EngineTest {

  private static final ObjectMapper JSON = new ObjectMapper();

  @Test
  void dockerIsRecognisedWithItsVersions() throws Exception {
    Engine engine =
        Engine.of(
            version(
                "{\"Platform\":{\"Name\":\"\"},\"Components\":[{\"Name\":\"Engine\","
                    + "\"Version\":\"20.10.24+dfsg1\"}],\"Version\":\"20.10.24+dfsg1\",\"ApiVersion\":\"1.41\"}"));

    assertThat(engine).isEqualTo(new Engine("20.10.24+dfsg1", "1.41", false));
    assertThat(engine.product()).isEqualTo("Docker");
    assertThat(engine.supportsHostGateway()).isTrue();
  }

  @Test
  void podmanNamesItselfInTheComponents() throws Exception {
    Engine engine =
        Engine.of(
            version(
                "{\"Platform\":{\"Name\":\"linux/amd64/debian-12\"},\"Components\":"
                    + "[{\"Name\":\"Podman Engine\",\"Version\":\"4.3.1\"}],\"Version\":\"4.3.1\","
                    + "\"ApiVersion\":\"1.41\"}"));

    assertThat(engine.podman()).isTrue();
    assertThat(engine.product()).isEqualTo("Podman");
  }

  @Test
  void enginesBeforeApi141HaveNoHostGateway() throws Exception {
    assertThat(
            Engine.of(version("{\"Version\":\"19.03.15\",\"ApiVersion\":\"1.40\"}"))
                .supportsHostGateway())
        .isFalse();
  }

  private static Version version(String json) throws Exception {
    return JSON.readValue(json, Version.class);
  }
}
