package io.lambdarun.docker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.github.dockerjava.api.command.InspectImageResponse;
import com.github.dockerjava.api.exception.NotFoundException;
import io.lambdarun.api.Architecture;
import io.lambdarun.api.ContainerRuntime;
import io.lambdarun.api.ImageConfig;
import io.lambdarun.api.Instance;
import io.lambdarun.api.LaunchFailedException;
import io.lambdarun.api.LaunchSpec;
import io.lambdarun.api.Owner;
import io.lambdarun.api.PackageType;
import io.lambdarun.api.ReadinessProbe;
import io.lambdarun.api.RuntimeConfig;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Image functions whose image the engine lacks: pulled from a registry with DOCKER_CONFIG auth. */
class ImagePullIT {

  @TempDir Path folder;

  private LocalRegistry registry;
  private final Owner owner = Owner.forCurrentProcess();

  @BeforeEach
  void startRegistry() throws Exception {
    registry = new LocalRegistry("lambdarun-it/pulled", "v1", "AWS", "registry-secret");
  }

  @AfterEach
  void stopRegistry() throws Exception {
    registry.close();
    try {
      TestEngine.client().removeImageCmd(registry.image()).withForce(true).exec();
    } catch (NotFoundException e) {
      // never pulled
    }
  }

  @Test
  void anAbsentImageIsPulledWithTheCredentialsOfDockerConfigThenLaunched() throws Exception {
    try (ContainerRuntime runtime = new DockerRuntimeProvider().create(withCredentials(), owner)) {
      Instance instance = runtime.launch(httpdSpec().build());

      assertThat(TestEngine.client().inspectImageCmd(registry.image()).exec().getId()).isNotBlank();
      assertThat(
              ReadinessProbe.answersHttp(
                  instance.endpoint().orElseThrow().getHost(),
                  instance.endpoint().orElseThrow().getPort()))
          .isTrue();
    }
    assertThat(TestEngine.containersOf(owner)).isZero();
  }

  @Test
  void withoutCredentialsThePullFailsAndNothingIsLeft() throws Exception {
    Path emptyConfig = Files.createDirectories(folder.resolve("empty"));
    RuntimeConfig config =
        RuntimeConfig.of(Map.of(DockerConfigKeys.CONFIG, emptyConfig.toString()));

    try (ContainerRuntime runtime = new DockerRuntimeProvider().create(config, owner)) {
      LaunchSpec spec = httpdSpec().build();
      assertThatThrownBy(() -> runtime.launch(spec))
          .isInstanceOf(LaunchFailedException.class)
          .hasMessageStartingWith(
              "image '"
                  + registry.image()
                  + "' for function 'pulled-fn' on linux/amd64 is not on the"
                  + " engine and could not be pulled (");
    }
    assertThat(TestEngine.containersOf(owner)).isZero();
  }

  /**
   * The engine holds the image for linux/amd64 only (pulled and run for an x86_64 function); an
   * arm64 function of the same image must not run that copy. The backend asks the registry for the
   * image again, for linux/arm64; the registry has it for linux/amd64 only, so the launch fails
   * with the engine's reason naming both platforms, the engine's copy stays as it was, and nothing
   * is started.
   */
  @Test
  void anImageHereOnlyForAnotherPlatformIsPulledForTheFunctionsPlatformNotRun() throws Exception {
    try (ContainerRuntime runtime = new DockerRuntimeProvider().create(withCredentials(), owner)) {
      runtime.terminate(runtime.launch(httpdSpec().build()));
      InspectImageResponse here = TestEngine.client().inspectImageCmd(registry.image()).exec();
      int manifestsBefore = registry.manifestsServed();
      LaunchSpec arm64 = httpdSpec().architecture(Architecture.ARM64).build();

      LaunchFailedException failure =
          catchThrowableOfType(LaunchFailedException.class, () -> runtime.launch(arm64));

      String prefix =
          "image '"
              + registry.image()
              + "' for function 'pulled-fn' on linux/arm64 is not on the"
              + " engine and could not be pulled (";
      assertThat(failure).hasMessageStartingWith(prefix);
      assertThat(failure.getMessage().substring(prefix.length()))
          .as("the engine's reason")
          .contains("linux/arm64", "linux/amd64");
      assertThat(registry.manifestsServed())
          .as("manifests the registry served for the arm64 launch")
          .isGreaterThan(manifestsBefore);
      InspectImageResponse after = TestEngine.client().inspectImageCmd(registry.image()).exec();
      assertThat(after.getId()).isEqualTo(here.getId());
      assertThat(after.getOs() + "/" + after.getArch()).isEqualTo("linux/amd64");
    }
    assertThat(TestEngine.containersOf(owner)).isZero();
  }

  /** A configuration whose DOCKER_CONFIG holds the registry's credentials. */
  private RuntimeConfig withCredentials() throws IOException {
    Path dockerConfig = Files.createDirectories(folder.resolve("docker"));
    String auth =
        Base64.getEncoder().encodeToString("AWS:registry-secret".getBytes(StandardCharsets.UTF_8));
    Files.writeString(
        dockerConfig.resolve("config.json"),
        "{\"auths\":{\"" + registry.host() + "\":{\"auth\":\"" + auth + "\"}}}");
    return RuntimeConfig.of(Map.of(DockerConfigKeys.CONFIG, dockerConfig.toString()));
  }

  private LaunchSpec.Builder httpdSpec() {
    Map<String, String> labels = owner.labels();
    return LaunchSpec.builder()
        .functionName("pulled-fn")
        .functionArn("arn:aws:lambda:us-east-1:000000000000:function:pulled-fn")
        .deployId("pulled")
        .packageType(PackageType.IMAGE)
        .image(registry.image())
        .imageConfig(
            new ImageConfig(
                List.of("/bin/busybox", "httpd", "-f", "-p", "8080", "-h", "/www"),
                List.of(),
                Optional.empty()))
        .labels(labels);
  }
}
