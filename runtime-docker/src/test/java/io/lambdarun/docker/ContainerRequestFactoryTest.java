package io.lambdarun.docker;

import static org.assertj.core.api.Assertions.assertThat;

import com.github.dockerjava.api.model.ExposedPort;
import com.github.dockerjava.api.model.HostConfig;
import com.github.dockerjava.api.model.Ports;
import com.github.dockerjava.core.command.CreateContainerCmdImpl;
import io.lambdarun.api.Architecture;
import io.lambdarun.api.Archive;
import io.lambdarun.api.ImageConfig;
import io.lambdarun.api.LaunchSpec;
import io.lambdarun.api.PackageType;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;

class ContainerRequestFactoryTest {

  private final ContainerRequestFactory factory =
      new ContainerRequestFactory("127.0.0.1", List.of("host.docker.internal:host-gateway"), false);

  @Test
  void zipFunctionRunsTheHandlerWithTheFinalEnvironmentAndLimits() {
    LaunchSpec spec =
        zipSpec().memoryMib(512).ephemeralStorageMib(1024).architecture(Architecture.ARM64).build();

    ContainerRequest request = factory.create(spec);

    assertThat(request)
        .isEqualTo(
            new ContainerRequest(
                "lambdarun/test-python:latest",
                "linux/arm64",
                List.of(),
                List.of("app.handler"),
                Optional.empty(),
                List.of(
                    "AWS_REGION=us-east-1",
                    "AWS_SECRET_ACCESS_KEY=s3cr3t-value",
                    "ENDPOINT=http://host.docker.internal:4566"),
                Set.of("AWS_SECRET_ACCESS_KEY"),
                Map.of("lambdarun.io/managed-by", "lambdarun", "lambdarun.io/owner", "lr-test"),
                OptionalInt.of(8080),
                "127.0.0.1",
                false,
                512L * 1024 * 1024,
                Map.of("/tmp", "size=1024m,exec"),
                List.of("host.docker.internal:host-gateway")));
  }

  @Test
  void imageFunctionTakesEntryPointCommandAndWorkingDirectoryFromImageConfig() {
    LaunchSpec spec =
        zipSpec()
            .packageType(PackageType.IMAGE)
            .handler("")
            .code(null)
            .imageConfig(
                new ImageConfig(
                    List.of("/entry", "--flag"), List.of("app.main"), Optional.of("/work")))
            .build();

    ContainerRequest request = factory.create(spec);

    assertThat(request.entrypoint()).containsExactly("/entry", "--flag");
    assertThat(request.command()).containsExactly("app.main");
    assertThat(request.workingDir()).contains("/work");
  }

  @Test
  void imageFunctionWithoutImageConfigKeepsTheImageDefaults() {
    LaunchSpec spec = zipSpec().packageType(PackageType.IMAGE).handler("").code(null).build();

    ContainerRequest request = factory.create(spec);

    assertThat(request.entrypoint()).isEmpty();
    assertThat(request.command()).isEmpty();
    assertThat(request.workingDir()).isEmpty();
  }

  @Test
  void theSameSpecYieldsTheSameRequest() {
    LaunchSpec spec = zipSpec().build();
    assertThat(factory.create(spec)).isEqualTo(factory.create(spec.toBuilder().build()));
  }

  @Test
  void toStringMasksSecretValues() {
    String text = factory.create(zipSpec().build()).toString();
    assertThat(text).doesNotContain("s3cr3t-value").contains("AWS_SECRET_ACCESS_KEY=***");
    assertThat(text).contains("ENDPOINT=http://host.docker.internal:4566");
  }

  @Test
  void appliesEverySettingToTheCreateCommand() {
    ContainerRequest request = factory.create(zipSpec().memoryMib(256).build());
    CreateContainerCmdImpl create =
        new CreateContainerCmdImpl(command -> null, null, request.image());

    request.applyTo(create);

    HostConfig host = create.getHostConfig();
    assertThat(create.getCmd()).containsExactly("app.handler");
    assertThat(create.getEntrypoint()).isNull();
    assertThat(create.getEnv()).containsExactlyElementsOf(request.environment());
    assertThat(create.getLabels()).isEqualTo(request.labels());
    assertThat(create.getPlatform()).isEqualTo("linux/amd64");
    assertThat(create.getExposedPorts()).containsExactly(ExposedPort.tcp(8080));
    assertThat(host.getMemory()).isEqualTo(256L * 1024 * 1024);
    assertThat(host.getMemorySwap()).isEqualTo(256L * 1024 * 1024);
    assertThat(host.getTmpFs()).containsExactlyEntriesOf(Map.of("/tmp", "size=512m,exec"));
    assertThat(host.getExtraHosts()).containsExactly("host.docker.internal:host-gateway");
    Ports.Binding[] bindings = host.getPortBindings().getBindings().get(ExposedPort.tcp(8080));
    assertThat(bindings).hasSize(1);
    assertThat(bindings[0].getHostIp()).isEqualTo("127.0.0.1");
    assertThat(bindings[0].getHostPortSpec()).isNull();
    assertThat(host.getNetworkMode()).isNull();
  }

  @Test
  void aRuntimeApiInstancePublishesNoPortAndKeepsTheImagesEntryPoint() {
    LaunchSpec spec = zipSpec().runtimeApi("host.docker.internal:40123").build();
    ContainerRequest request = factory.create(spec);
    CreateContainerCmdImpl create =
        new CreateContainerCmdImpl(command -> null, null, request.image());

    request.applyTo(create);

    assertThat(request.port()).isEmpty();
    assertThat(create.getExposedPorts()).isEmpty();
    assertThat(create.getHostConfig().getPortBindings()).isNull();
    assertThat(create.getEntrypoint()).isNull();
    assertThat(create.getCmd()).containsExactly("app.handler");
    assertThat(create.getHostConfig().getExtraHosts())
        .containsExactly("host.docker.internal:host-gateway");
  }

  @Test
  void inHostNetworkModeTheContainerSharesTheHostsNetworkWithoutExtraHosts() {
    ContainerRequestFactory host =
        new ContainerRequestFactory(
            "127.0.0.1", List.of("host.docker.internal:host-gateway"), true);
    ContainerRequest request = host.create(zipSpec().runtimeApi("127.0.0.1:40123").build());
    CreateContainerCmdImpl create =
        new CreateContainerCmdImpl(command -> null, null, request.image());

    request.applyTo(create);

    assertThat(create.getHostConfig().getNetworkMode()).isEqualTo("host");
    assertThat(create.getHostConfig().getExtraHosts()).isEmpty();
    assertThat(create.getExposedPorts()).isEmpty();
  }

  private static LaunchSpec.Builder zipSpec() {
    Map<String, String> environment = new LinkedHashMap<>();
    environment.put("AWS_REGION", "us-east-1");
    environment.put("AWS_SECRET_ACCESS_KEY", "s3cr3t-value");
    environment.put("ENDPOINT", "http://host.docker.internal:4566");
    Map<String, String> labels = new LinkedHashMap<>();
    labels.put("lambdarun.io/managed-by", "lambdarun");
    labels.put("lambdarun.io/owner", "lr-test");
    return LaunchSpec.builder()
        .functionName("fn")
        .functionArn("arn:aws:lambda:us-east-1:000000000000:function:fn")
        .deployId("d1")
        .runtime("python3.12")
        .handler("app.handler")
        .image("lambdarun/test-python:latest")
        .code(emptyZip())
        .environment(environment)
        .sensitiveKeys(Set.of("AWS_SECRET_ACCESS_KEY"))
        .labels(labels);
  }

  static Archive emptyZip() {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ZipOutputStream zip = new ZipOutputStream(bytes)) {
      zip.putNextEntry(new ZipEntry("app.py"));
      zip.write("def handler(e, c):\n    return e\n".getBytes());
      zip.closeEntry();
    } catch (IOException e) {
      throw new AssertionError(e);
    }
    return Archive.ofBytes("code", bytes.toByteArray());
  }
}
