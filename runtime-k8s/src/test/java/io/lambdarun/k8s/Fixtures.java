package io.lambdarun.k8s;

import io.lambdarun.api.Archive;
import io.lambdarun.api.LaunchSpec;
import io.lambdarun.api.Owner;
import io.lambdarun.api.PackageType;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/** Fixed inputs for the pod-spec tests. */
final class Fixtures {

  static final String TOKEN = "secret-token-xyz";
  static final Owner OWNER = new Owner("lr-0123456789ab", 4242, "build-host");

  private Fixtures() {}

  static Archive zip(String name, Map<String, String> files) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ZipOutputStream zip = new ZipOutputStream(bytes)) {
      for (Map.Entry<String, String> file : files.entrySet()) {
        ZipEntry entry = new ZipEntry(file.getKey());
        entry.setTime(0);
        zip.putNextEntry(entry);
        zip.write(file.getValue().getBytes(StandardCharsets.UTF_8));
        zip.closeEntry();
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return Archive.ofBytes(name, bytes.toByteArray());
  }

  /** A zip function like the seed's {@code zip_function("my-fn")}. */
  static LaunchSpec.Builder zipFunction(String name) {
    Map<String, String> labels = OWNER.labels();
    labels.put(io.lambdarun.api.Labels.FUNCTION, name);
    labels.put(io.lambdarun.api.Labels.DEPLOY_ID, "deploy-xyz");
    return LaunchSpec.builder()
        .functionName(name)
        .functionArn("arn:aws:lambda:us-east-1:000000000000:function:" + name)
        .deployId("deploy-xyz")
        .packageType(PackageType.ZIP)
        .runtime("python3.12")
        .handler("lambda_function.lambda_handler")
        .image("public.ecr.aws/lambda/python:3.12")
        .code(zip("code", Map.of("lambda_function.py", "def lambda_handler(e, c):\n  return e\n")))
        .memoryMib(256)
        .timeout(Duration.ofSeconds(30))
        .ephemeralStorageMib(1024)
        .putEnvironment("AWS_LAMBDA_FUNCTION_NAME", name)
        .putEnvironment("AWS_LAMBDA_FUNCTION_TIMEOUT", "30")
        .putEnvironment("FAKECLOUD_URL", "http://lambdarun.tools.svc.cluster.local:4566")
        .labels(labels);
  }

  /** An image function on an already translated URI. */
  static LaunchSpec.Builder imageFunction(String name, String image) {
    return zipFunction(name)
        .packageType(PackageType.IMAGE)
        .runtime("")
        .handler("")
        .code(null)
        .image(image);
  }

  static PodContext context() {
    return new PodContext(
        "lambdarun",
        "lambdarun-my-fn-0123456789ab",
        "http://lambdarun.tools.svc.cluster.local:9000/lambdarun/artifacts/lambdarun-my-fn-0123456789ab",
        "busybox:1.36",
        Optional.empty(),
        PodConfig.EMPTY);
  }
}
