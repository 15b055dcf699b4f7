package io.lambdarun.k8s;

import static io.lambdarun.k8s.Fixtures.context;
import static io.lambdarun.k8s.Fixtures.imageFunction;
import static io.lambdarun.k8s.Fixtures.zip;
import static io.lambdarun.k8s.Fixtures.zipFunction;
import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.lambdarun.api.LaunchSpec;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * A fixed launch spec gives byte-identical YAML. To accept an intended change, run with {@code
 * -Dgolden.update=true}: the files under {@code src/test/resources/golden} are rewritten and the
 * test fails once, so the diff is reviewed.
 */
class PodSpecGoldenTest {

  private static final KubernetesSerialization SERIALIZATION = new KubernetesSerialization();

  private static LaunchSpec zipSpec() {
    return zipFunction("my-fn")
        .putEnvironment("AWS_SECRET_ACCESS_KEY", "golden-secret")
        .sensitiveKeys(Set.of("AWS_SECRET_ACCESS_KEY"))
        .layers(List.of(zip("layer-a", Map.of("python/a.py", "")), zip("layer-b", Map.of("b", ""))))
        .tags(Map.of(KubernetesConfigKeys.TAG_NODE_SELECTOR, "pool=lambda"))
        .build();
  }

  @Test
  void zipFunctionPod() throws IOException {
    assertGolden("zip-pod.yaml", SERIALIZATION.asYaml(PodSpecFactory.pod(zipSpec(), context())));
  }

  @Test
  void zipFunctionSecret() throws IOException {
    assertGolden(
        "zip-secret.yaml",
        SERIALIZATION.asYaml(PodSpecFactory.secret(zipSpec(), context(), Fixtures.TOKEN)));
  }

  @Test
  void imageFunctionPod() throws IOException {
    LaunchSpec spec = imageFunction("img-fn", "registry.tools.svc:5000/repo:tag").build();
    assertGolden("image-pod.yaml", SERIALIZATION.asYaml(PodSpecFactory.pod(spec, context())));
  }

  private static void assertGolden(String name, String actual) throws IOException {
    if (Boolean.getBoolean("golden.update")) {
      Path file = Path.of("src/test/resources/golden", name);
      Files.writeString(file, actual, StandardCharsets.UTF_8);
      throw new AssertionError("golden file " + file + " rewritten; review the diff and rerun");
    }
    try (InputStream in = PodSpecGoldenTest.class.getResourceAsStream("/golden/" + name)) {
      assertThat(in).as("golden file " + name).isNotNull();
      assertThat(actual).isEqualTo(new String(in.readAllBytes(), StandardCharsets.UTF_8));
    }
  }
}
