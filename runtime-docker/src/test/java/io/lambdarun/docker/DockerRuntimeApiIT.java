package io.lambdarun.docker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.github.dockerjava.api.command.InspectContainerResponse;
import com.github.dockerjava.api.model.Network;
import com.github.dockerjava.api.model.Ports;
import io.lambdarun.api.Archive;
import io.lambdarun.api.ContainerRuntime;
import io.lambdarun.api.ContainerRuntimeProvider;
import io.lambdarun.api.Instance;
import io.lambdarun.api.LaunchFailedException;
import io.lambdarun.api.LaunchSpec;
import io.lambdarun.api.Owner;
import io.lambdarun.api.RuntimeApiAccess;
import io.lambdarun.api.RuntimeConfig;
import io.lambdarun.tck.RuntimeApiImageContract;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runtime API mode on a real engine, the runtime-tck suite with its containers in host network mode
 * ({@code lambdarun.docker.network=host}), so that each instance calls the suite's Runtime API on
 * 127.0.0.1 and all traffic stays on loopback (no port binding); plus Docker's own cases:
 * RIE-endpoint mode refused on the host network, and the Runtime API's address on the default
 * bridge.
 */
class DockerRuntimeApiIT extends RuntimeApiImageContract {

  @TempDir Path code;

  @Override
  protected ContainerRuntimeProvider provider() {
    return new DockerRuntimeProvider();
  }

  @Override
  protected RuntimeConfig config() {
    return RuntimeConfig.of(Map.of(DockerConfigKeys.NETWORK, "host"));
  }

  @Override
  protected String pythonImage() {
    return TestEngine.PYTHON_IMAGE;
  }

  @Override
  protected String javaImage() {
    return TestEngine.JAVA_IMAGE;
  }

  @Override
  protected long liveResources(Owner owner) {
    return TestEngine.containersOf(owner);
  }

  @Override
  protected void buildImage(Path context, String tag) {
    TestEngine.client()
        .buildImageCmd(context.toFile())
        .withTags(Set.of(tag))
        .withPull(false)
        .start()
        .awaitImageId();
  }

  @Override
  protected void removeImage(String tag) {
    TestEngine.client().removeImageCmd(tag).withForce(true).exec();
  }

  @Override
  protected void assertPublishesNothing(Instance instance) {
    InspectContainerResponse inspected =
        TestEngine.client().inspectContainerCmd(instance.id()).exec();
    assertThat(inspected.getHostConfig().getNetworkMode()).isEqualTo("host");
    assertThat(
            Optional.ofNullable(inspected.getHostConfig().getPortBindings())
                .map(Ports::getBindings)
                .orElse(Map.of()))
        .isEmpty();
  }

  @Override
  protected void removeOutOfBand(Instance instance) {
    TestEngine.client().removeContainerCmd(instance.id()).withForce(true).exec();
  }

  @Test
  void onTheDefaultBridgeTheRuntimeApiListensOnTheGatewayAndContainersCallTheAlias() {
    Network bridge = TestEngine.client().inspectNetworkCmd().withNetworkId("bridge").exec();
    String gateway = bridge.getIpam().getConfig().get(0).getGateway();
    try (ContainerRuntime onBridge =
            new DockerRuntimeProvider().create(RuntimeConfig.empty(), owner());
        ContainerRuntime rieOnly =
            new DockerRuntimeProvider()
                .create(
                    RuntimeConfig.of(Map.of(DockerConfigKeys.INSTANCE_PROTOCOL, "rie")), owner())) {
      assertThat(onBridge.runtimeApiAccess())
          .contains(new RuntimeApiAccess(gateway, "host.docker.internal"));
      assertThat(gateway).isNotEqualTo("0.0.0.0");
      assertThat(rieOnly.runtimeApiAccess()).isEmpty();
    }
  }

  @Test
  void rieEndpointModeIsRefusedInHostNetworkModeAndLeavesNothing() throws Exception {
    Files.writeString(code.resolve("app.py"), PYTHON_APP);
    LaunchSpec rie =
        LaunchSpec.builder()
            .functionName("rie-on-host")
            .functionArn("arn:aws:lambda:us-east-1:000000000000:function:rie-on-host")
            .deployId("rapi-" + UUID.randomUUID())
            .runtime("python3.12")
            .handler("app.handler")
            .image(TestEngine.PYTHON_IMAGE)
            .code(Archive.ofDirectory("code", code))
            .labels(owner().labels())
            .build();

    assertThatThrownBy(() -> runtime().launch(rie))
        .isInstanceOf(LaunchFailedException.class)
        .hasMessage(
            "function 'rie-on-host' asks for RIE-endpoint mode, whose port host network mode"
                + " cannot publish; set 'lambdarun.docker.network' to 'bridge' or launch it in"
                + " Runtime API mode");
    assertThat(TestEngine.containersOf(owner())).isZero();
  }
}
