package io.lambdarun.k8s;

import static io.lambdarun.k8s.Fixtures.context;
import static io.lambdarun.k8s.Fixtures.imageFunction;
import static io.lambdarun.k8s.Fixtures.zip;
import static io.lambdarun.k8s.Fixtures.zipFunction;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Toleration;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.lambdarun.api.Architecture;
import io.lambdarun.api.ImageConfig;
import io.lambdarun.api.InvalidFunctionException;
import io.lambdarun.api.Labels;
import io.lambdarun.api.LaunchSpec;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

class PodSpecFactoryTest {

  private static final KubernetesSerialization YAML = new KubernetesSerialization();

  private static Pod pod(LaunchSpec.Builder spec) {
    return PodSpecFactory.pod(spec.build(), context());
  }

  private static Container main(Pod pod) {
    return pod.getSpec().getContainers().get(0);
  }

  private static Container init(Pod pod) {
    return pod.getSpec().getInitContainers().get(0);
  }

  private static String script(Pod pod) {
    List<String> command = init(pod).getCommand();
    return command.get(command.size() - 1);
  }

  private static EnvVar env(Container container, String name) {
    return container.getEnv().stream()
        .filter(e -> e.getName().equals(name))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no env var " + name));
  }

  private static Volume volume(Pod pod, String name) {
    return pod.getSpec().getVolumes().stream()
        .filter(v -> v.getName().equals(name))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no volume " + name));
  }

  @Test
  void aRuntimeApiPodDeclaresNoPortAndNoReadinessProbeAndKeepsTheEntryPoint() {
    Pod pod =
        pod(
            zipFunction("my-fn")
                .putEnvironment("AWS_LAMBDA_RUNTIME_API", "lambdarun.tools.svc:40123")
                .runtimeApi("lambdarun.tools.svc:40123"));

    assertThat(main(pod).getPorts()).isEmpty();
    assertThat(main(pod).getReadinessProbe()).isNull();
    assertThat(main(pod).getCommand()).isEmpty();
    assertThat(main(pod).getArgs()).containsExactly("lambda_function.lambda_handler");
    assertThat(env(main(pod), "AWS_LAMBDA_RUNTIME_API").getValue())
        .isEqualTo("lambdarun.tools.svc:40123");
    assertThat(main(pod(zipFunction("my-fn"))).getPorts()).hasSize(1);
    assertThat(main(pod(zipFunction("my-fn"))).getReadinessProbe()).isNotNull();
  }

  @Nested
  @DisplayName("seed parity")
  class SeedParity {

    @Test
    void zipPodHasInitContainerWithCodeDownload() {
      Pod pod = pod(zipFunction("my-fn"));
      String script = script(pod);
      assertThat(init(pod).getCommand()).startsWith("sh", "-c");
      assertThat(script)
          .contains("fetch code.zip ")
          .contains("unzip -o -q /lambdarun-staging/code.zip -d /var/task");
      assertThat(script).contains("fetch \"layer-$i.zip\"");
      assertThat(script).contains("Authorization: Bearer $LAMBDARUN_ARTIFACT_TOKEN");
      assertThat(script).doesNotContain(Fixtures.TOKEN);
      assertThat(env(init(pod), "LAMBDARUN_ARTIFACT_URL").getValue())
          .isEqualTo(context().artifactUrl());
    }

    @Test
    void imagePodSkipsCodeDownload() {
      Pod pod =
          pod(
              imageFunction("img-fn", "public.ecr.aws/test/img:1")
                  .layers(List.of(zip("l", Map.of("a", "b")))));
      assertThat(script(pod)).doesNotContain("code.zip").contains("layer-$i.zip");
    }

    @Test
    void imagePodWithoutLayersHasNoInitContainerAndNoSecret() {
      LaunchSpec spec = imageFunction("img-fn", "public.ecr.aws/test/img:1").build();
      Pod pod = PodSpecFactory.pod(spec, context());
      assertThat(pod.getSpec().getInitContainers()).isEmpty();
      assertThat(PodSpecFactory.needsSecret(spec)).isFalse();
    }

    @Test
    void imagePodKeepsTheImagesOwnVarTaskAndOpt() {
      Pod pod = pod(imageFunction("img-fn", "public.ecr.aws/test/img:1"));
      assertThat(main(pod).getVolumeMounts())
          .extracting(m -> m.getMountPath())
          .containsExactly("/tmp");
      assertThat(pod.getSpec().getVolumes())
          .extracting(Volume::getName)
          .containsExactly("lambdarun-tmp");
      Pod withLayers =
          pod(
              imageFunction("img-fn", "public.ecr.aws/test/img:1")
                  .layers(List.of(zip("l", Map.of("a", "b")))));
      assertThat(main(withLayers).getVolumeMounts())
          .extracting(m -> m.getMountPath())
          .containsExactly("/opt", "/tmp");
      assertThat(init(withLayers).getVolumeMounts())
          .extracting(m -> m.getMountPath())
          .containsExactly("/opt", "/lambdarun-staging");
    }

    @Test
    void imagePodRunsTheTranslatedEcrUriCoreResolved() {
      Pod pod = pod(imageFunction("img-fn", "lambdarun.tools.svc.cluster.local:4566/repo:tag"));
      assertThat(main(pod).getImage()).isEqualTo("lambdarun.tools.svc.cluster.local:4566/repo:tag");
    }

    @Test
    void imagePodLeavesNonEcrUriAlone() {
      Pod pod = pod(imageFunction("img-fn", "public.ecr.aws/test/img:1"));
      assertThat(main(pod).getImage()).isEqualTo("public.ecr.aws/test/img:1");
      assertThat(main(pod).getArgs()).isEmpty();
      assertThat(main(pod).getCommand()).isEmpty();
    }

    @Test
    void zipPodRunsTheMappedRuntimeImage() {
      assertThat(main(pod(zipFunction("my-fn"))).getImage())
          .isEqualTo("public.ecr.aws/lambda/python:3.12");
    }

    @Test
    void handlerPassedAsArgsForZipPod() {
      Container main = main(pod(zipFunction("my-fn")));
      assertThat(main.getArgs()).containsExactly("lambda_function.lambda_handler");
      assertThat(main.getCommand()).isEmpty();
    }

    @Test
    void environmentIsPassedVerbatimInOrder() {
      Container main = main(pod(zipFunction("my-fn")));
      assertThat(main.getEnv())
          .extracting(EnvVar::getName, EnvVar::getValue)
          .containsExactly(
              org.assertj.core.groups.Tuple.tuple("AWS_LAMBDA_FUNCTION_NAME", "my-fn"),
              org.assertj.core.groups.Tuple.tuple("AWS_LAMBDA_FUNCTION_TIMEOUT", "30"),
              org.assertj.core.groups.Tuple.tuple(
                  "FAKECLOUD_URL", "http://lambdarun.tools.svc.cluster.local:4566"));
    }

    @Test
    void functionTimeoutEnvSet() {
      assertThat(env(main(pod(zipFunction("my-fn"))), "AWS_LAMBDA_FUNCTION_TIMEOUT").getValue())
          .isEqualTo("30");
    }

    @Test
    void ephemeralStorageMapsToEmptyDirWithSizeLimit() {
      Volume tmp = volume(pod(zipFunction("my-fn")), "lambdarun-tmp");
      assertThat(tmp.getEmptyDir().getSizeLimit().toString()).isEqualTo("1024Mi");
    }

    @Test
    void ephemeralStorageDefaultsTo512Mib() {
      LaunchSpec.Builder defaults =
          LaunchSpec.builder()
              .functionName("my-fn")
              .functionArn("arn:aws:lambda:us-east-1:000000000000:function:my-fn")
              .deployId("d")
              .runtime("python3.12")
              .handler("app.handler")
              .image("public.ecr.aws/lambda/python:3.12")
              .code(zip("code", Map.of("app.py", "")));
      assertThat(volume(pod(defaults), "lambdarun-tmp").getEmptyDir().getSizeLimit().toString())
          .isEqualTo("512Mi");
    }

    @Test
    void ephemeralStorageHasA64MibFloor() {
      assertThat(
              volume(pod(zipFunction("my-fn").ephemeralStorageMib(32)), "lambdarun-tmp")
                  .getEmptyDir()
                  .getSizeLimit()
                  .toString())
          .isEqualTo("64Mi");
    }

    @Test
    void memorySizeMapsToResourcesRequestsAndLimits() {
      Container main = main(pod(zipFunction("my-fn")));
      assertThat(main.getResources().getRequests().get("memory").toString()).isEqualTo("256Mi");
      assertThat(main.getResources().getLimits().get("memory").toString()).isEqualTo("256Mi");
      Container small = main(pod(zipFunction("my-fn").memoryMib(64)));
      assertThat(small.getResources().getLimits().get("memory").toString()).isEqualTo("128Mi");
    }

    @Test
    void volumesTaskOptTmpAreSharedByBothContainers() {
      Pod pod = pod(zipFunction("my-fn"));
      assertThat(main(pod).getVolumeMounts())
          .extracting(m -> m.getName() + ":" + m.getMountPath())
          .containsExactly("lambdarun-task:/var/task", "lambdarun-opt:/opt", "lambdarun-tmp:/tmp");
      assertThat(init(pod).getVolumeMounts())
          .extracting(m -> m.getName() + ":" + m.getMountPath())
          .containsExactly(
              "lambdarun-task:/var/task",
              "lambdarun-opt:/opt",
              "lambdarun-staging:/lambdarun-staging");
    }

    @Test
    void labelsIdentifyOwnership() {
      Map<String, String> labels = pod(zipFunction("my-fn")).getMetadata().getLabels();
      assertThat(labels)
          .containsEntry(Labels.MANAGED_BY, "lambdarun")
          .containsEntry(Labels.OWNER, "lr-0123456789ab")
          .containsEntry(Labels.OWNER_PID, "4242")
          .containsEntry(Labels.OWNER_HOST, "build-host")
          .containsEntry(Labels.FUNCTION, "my-fn")
          .containsEntry(Labels.DEPLOY_ID, "deploy-xyz");
    }

    @Test
    void pullSecretAttachedWhenConfigured() {
      PodContext c = context();
      PodContext withSecret =
          new PodContext(
              c.namespace(),
              c.podName(),
              c.artifactUrl(),
              c.initImage(),
              Optional.of("lambdarun-ecr-secret"),
              c.podConfig());
      Pod pod = PodSpecFactory.pod(zipFunction("my-fn").build(), withSecret);
      assertThat(pod.getSpec().getImagePullSecrets())
          .extracting(r -> r.getName())
          .containsExactly("lambdarun-ecr-secret");
    }

    @Test
    void noPullSecretWhenUnset() {
      assertThat(pod(zipFunction("my-fn")).getSpec().getImagePullSecrets()).isNullOrEmpty();
    }

    @Test
    void restartPolicyNever() {
      assertThat(pod(zipFunction("my-fn")).getSpec().getRestartPolicy()).isEqualTo("Never");
    }

    @Test
    void unsupportedRuntimeErrors() {
      LaunchSpec.Builder cobol = zipFunction("my-fn").runtime("cobol1.0").image("");
      assertThatThrownBy(() -> pod(cobol))
          .isInstanceOf(InvalidFunctionException.class)
          .hasMessage(
              "function 'my-fn' uses runtime 'cobol1.0', which is unsupported (no image is mapped"
                  + " to it); use a supported runtime or map it to an image");
    }

    @Test
    void imageFunctionWithoutUriErrors() {
      LaunchSpec.Builder noUri = imageFunction("my-fn", "");
      assertThatThrownBy(() -> pod(noUri))
          .isInstanceOf(InvalidFunctionException.class)
          .hasMessage(
              "function 'my-fn' has package type Image but no image URI; set the function's"
                  + " ImageUri");
    }

    @Test
    void perFunctionTagsOverrideBasePodConfig() {
      PodContext c = context();
      PodContext base =
          new PodContext(
              c.namespace(),
              c.podName(),
              c.artifactUrl(),
              c.initImage(),
              c.pullSecret(),
              new PodConfig(
                  Map.of("pool", "lambda", "zone", "a"), List.of(), Map.of("team", "platform")));
      Pod pod =
          PodSpecFactory.pod(
              zipFunction("my-fn")
                  .tags(
                      Map.of(
                          KubernetesConfigKeys.TAG_NODE_SELECTOR, "zone=b",
                          KubernetesConfigKeys.TAG_ANNOTATIONS, "team=payments,cost=42"))
                  .build(),
              base);
      assertThat(pod.getSpec().getNodeSelector())
          .containsOnly(
              Map.entry("kubernetes.io/arch", "amd64"),
              Map.entry("pool", "lambda"),
              Map.entry("zone", "b"));
      assertThat(pod.getMetadata().getAnnotations())
          .containsEntry("team", "payments")
          .containsEntry("cost", "42");
    }
  }

  @Nested
  @DisplayName("improvements over the seed")
  class Improvements {

    /** The seed's medium Memory made /tmp count against the memory limit: 128 MB got neither. */
    @Test
    void tmpIsOnDiskApartFromMemory() {
      Pod pod = pod(zipFunction("my-fn").memoryMib(128).ephemeralStorageMib(512));
      assertThat(volume(pod, "lambdarun-tmp").getEmptyDir().getMedium()).isNull();
      assertThat(volume(pod, "lambdarun-tmp").getEmptyDir().getSizeLimit().toString())
          .isEqualTo("512Mi");
      assertThat(main(pod).getResources().getLimits().get("memory").toString()).isEqualTo("128Mi");
    }

    /**
     * The kubelet evicts a pod whose volumes, logs and writable layers together pass the sum of its
     * containers' ephemeral-storage limits, so the limit holds /tmp, the expanded code and layers
     * (code twice for a custom runtime), the largest zip while staged, and 128 MiB for logs and the
     * writable layer.
     */
    @Test
    void ephemeralStorageRequestAndLimitCoverTmpCodeLayersAndLogs() {
      String mibOfText = "x".repeat(1024 * 1024);
      LaunchSpec.Builder spec =
          zipFunction("my-fn")
              .ephemeralStorageMib(512)
              .code(zip("code", Map.of("a.txt", mibOfText, "b.txt", mibOfText)))
              .layers(List.of(zip("layer", Map.of("python/c.txt", mibOfText))));
      // 512 (/tmp) + 3 MiB expanded plus a few KiB of staged zip, rounded up to 4 + 128
      Container main = main(pod(spec));
      assertThat(main.getResources().getRequests().get("ephemeral-storage").toString())
          .isEqualTo("644Mi");
      assertThat(main.getResources().getLimits().get("ephemeral-storage").toString())
          .isEqualTo("644Mi");

      Container custom = main(pod(spec.runtime("provided.al2023")));
      assertThat(custom.getResources().getLimits().get("ephemeral-storage").toString())
          .isEqualTo("646Mi");

      Container image =
          main(pod(imageFunction("my-fn", "registry.local:5000/app:1").ephemeralStorageMib(512)));
      assertThat(image.getResources().getLimits().get("ephemeral-storage").toString())
          .isEqualTo("640Mi");
    }

    @Test
    void tokenComesFromTheSecretAndNeverAppearsInThePod() {
      LaunchSpec spec = zipFunction("my-fn").build();
      Pod pod = PodSpecFactory.pod(spec, context());
      EnvVar token = env(init(pod), "LAMBDARUN_ARTIFACT_TOKEN");
      assertThat(token.getValue()).isNull();
      assertThat(token.getValueFrom().getSecretKeyRef().getName()).isEqualTo(context().podName());
      assertThat(token.getValueFrom().getSecretKeyRef().getKey()).isEqualTo("artifact-token");
      Secret secret = PodSpecFactory.secret(spec, context(), Fixtures.TOKEN);
      assertThat(decode(secret.getData().get("artifact-token"))).isEqualTo(Fixtures.TOKEN);
      assertThat(YAML.asYaml(pod)).doesNotContain(Fixtures.TOKEN);
    }

    @Test
    void sensitiveValuesComeFromTheSecretAndNeverAppearInThePod() {
      LaunchSpec spec =
          zipFunction("my-fn")
              .putEnvironment("AWS_ACCESS_KEY_ID", "AKIDEXAMPLE")
              .putEnvironment("AWS_SECRET_ACCESS_KEY", "wJalrXUtnFEMI-secret")
              .putEnvironment("AWS_SESSION_TOKEN", "session-token-value")
              .sensitiveKeys(Set.of("AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"))
              .build();
      Pod pod = PodSpecFactory.pod(spec, context());
      Container main = main(pod);
      assertThat(env(main, "AWS_ACCESS_KEY_ID").getValue()).isEqualTo("AKIDEXAMPLE");
      EnvVar secretKey = env(main, "AWS_SECRET_ACCESS_KEY");
      assertThat(secretKey.getValue()).isNull();
      assertThat(secretKey.getValueFrom().getSecretKeyRef().getKey())
          .isEqualTo("env.AWS_SECRET_ACCESS_KEY");
      String yaml = YAML.asYaml(pod);
      assertThat(yaml).doesNotContain("wJalrXUtnFEMI-secret").doesNotContain("session-token-value");
      Secret secret = PodSpecFactory.secret(spec, context(), Fixtures.TOKEN);
      assertThat(secret.getMetadata().getName()).isEqualTo(pod.getMetadata().getName());
      assertThat(secret.getMetadata().getLabels()).isEqualTo(pod.getMetadata().getLabels());
      assertThat(decode(secret.getData().get("env.AWS_SECRET_ACCESS_KEY")))
          .isEqualTo("wJalrXUtnFEMI-secret");
      assertThat(decode(secret.getData().get("env.AWS_SESSION_TOKEN")))
          .isEqualTo("session-token-value");
      assertThat(secret.getData()).doesNotContainKey("env.AWS_ACCESS_KEY_ID");
    }

    @Test
    void layersAreUnzippedInOrderIntoOpt() {
      LaunchSpec spec =
          zipFunction("my-fn")
              .layers(List.of(zip("one", Map.of("a", "1")), zip("two", Map.of("a", "2"))))
              .build();
      Pod pod = PodSpecFactory.pod(spec, context());
      assertThat(env(init(pod), "LAMBDARUN_LAYER_COUNT").getValue()).isEqualTo("2");
      assertThat(script(pod))
          .contains(
              "i=0\n"
                  + "while [ \"$i\" -lt \"$LAMBDARUN_LAYER_COUNT\" ]; do\n"
                  + "  fetch \"layer-$i.zip\" /lambdarun-staging/layer.zip\n"
                  + "  unzip -o -q /lambdarun-staging/layer.zip -d /opt\n")
          .doesNotContain("tar ");
    }

    @Test
    void downloadsDoNotLandInTmp() {
      assertThat(script(pod(zipFunction("my-fn")))).doesNotContain("/tmp");
    }

    @Test
    void providedRuntimeCodeAlsoLandsInVarRuntime() {
      Pod pod = pod(zipFunction("my-fn").runtime("provided.al2023").handler("bootstrap"));
      assertThat(script(pod)).contains("unzip -o -q /lambdarun-staging/code.zip -d /var/runtime\n");
      assertThat(main(pod).getVolumeMounts())
          .extracting(m -> m.getMountPath())
          .contains("/var/runtime");
      assertThat(init(pod).getVolumeMounts())
          .extracting(m -> m.getMountPath())
          .contains("/var/runtime");
      assertThat(script(pod(zipFunction("my-fn")))).doesNotContain("/var/runtime");
    }

    @Test
    void labelValuesAreCappedAt63Characters() {
      String longName = "a-very-long-function-name-".repeat(5);
      Map<String, String> labels =
          pod(zipFunction(longName).labels(Fixtures.OWNER.labels())).getMetadata().getLabels();
      assertThat(labels.get(Labels.FUNCTION)).hasSize(63).isEqualTo(longName.substring(0, 63));
      assertThat(labels.values()).allSatisfy(v -> assertThat(v.length()).isLessThanOrEqualTo(63));
    }

    @Test
    void initImageIsConfigurable() {
      PodContext c = context();
      PodContext custom =
          new PodContext(
              c.namespace(),
              c.podName(),
              c.artifactUrl(),
              "registry.local/busybox:1.37",
              c.pullSecret(),
              c.podConfig());
      assertThat(init(PodSpecFactory.pod(zipFunction("my-fn").build(), custom)).getImage())
          .isEqualTo("registry.local/busybox:1.37");
      assertThat(init(pod(zipFunction("my-fn"))).getImage()).isEqualTo("busybox:1.36");
    }

    @Test
    void tolerationsFromConfigAndTagsAreAUnion() {
      Toleration global = new Toleration("NoSchedule", "lambda", "Exists", null, null);
      PodContext c = context();
      PodContext base =
          new PodContext(
              c.namespace(),
              c.podName(),
              c.artifactUrl(),
              c.initImage(),
              c.pullSecret(),
              new PodConfig(Map.of(), List.of(global), Map.of()));
      Pod pod =
          PodSpecFactory.pod(
              zipFunction("my-fn")
                  .tags(
                      Map.of(
                          KubernetesConfigKeys.TAG_TOLERATIONS,
                          "[{\"key\":\"lambda\",\"operator\":\"Exists\",\"effect\":\"NoSchedule\"},"
                              + "{\"key\":\"gpu\",\"operator\":\"Equal\",\"value\":\"yes\"}]"))
                  .build(),
              base);
      assertThat(pod.getSpec().getTolerations())
          .extracting(Toleration::getKey)
          .containsExactly("lambda", "gpu");
    }

    @Test
    void architectureSelectsNodes() {
      assertThat(
              pod(zipFunction("my-fn").architecture(Architecture.ARM64))
                  .getSpec()
                  .getNodeSelector())
          .containsEntry("kubernetes.io/arch", "arm64");
    }

    @Test
    void imageConfigOverridesEntryPointCommandAndWorkingDirectory() {
      Container main =
          main(
              pod(
                  imageFunction("img", "repo/img:1")
                      .imageConfig(
                          new ImageConfig(
                              List.of("/entry.sh"), List.of("app.handler"), Optional.of("/app")))));
      assertThat(main.getCommand()).containsExactly("/entry.sh");
      assertThat(main.getArgs()).containsExactly("app.handler");
      assertThat(main.getWorkingDir()).isEqualTo("/app");
    }

    @Test
    void podCannotReachTheApiServerOrServiceEnvironment() {
      Pod pod = pod(zipFunction("my-fn"));
      assertThat(pod.getSpec().getAutomountServiceAccountToken()).isFalse();
      assertThat(pod.getSpec().getEnableServiceLinks()).isFalse();
    }

    @Test
    void ownerReferencesFromTheContextAreApplied() {
      PodContext c = context();
      io.fabric8.kubernetes.api.model.OwnerReference owner =
          new io.fabric8.kubernetes.api.model.OwnerReferenceBuilder()
              .withApiVersion("v1")
              .withKind("Pod")
              .withName("embedder")
              .withUid("uid-1")
              .build();
      PodContext owned =
          new PodContext(
              c.namespace(),
              c.podName(),
              c.artifactUrl(),
              c.initImage(),
              c.pullSecret(),
              c.podConfig(),
              List.of(owner),
              c.user());
      assertThat(
              PodSpecFactory.pod(zipFunction("my-fn").build(), owned)
                  .getMetadata()
                  .getOwnerReferences())
          .containsExactly(owner);
      assertThat(pod(zipFunction("my-fn")).getMetadata().getOwnerReferences()).isNullOrEmpty();
    }

    @Test
    void fullArnIsAnAnnotation() {
      assertThat(pod(zipFunction("my-fn")).getMetadata().getAnnotations())
          .containsEntry(
              "lambdarun.io/function-arn", "arn:aws:lambda:us-east-1:000000000000:function:my-fn");
    }
  }

  /** Lambda's sandbox; every rule of the restricted profile is checked by its own test. */
  @Nested
  class Sandbox {

    @Test
    void everyContainerRunsAsTheContextsUserWithItsGroupAsFsGroup() {
      PodContext c = context();
      PodContext other =
          new PodContext(
              c.namespace(),
              c.podName(),
              c.artifactUrl(),
              c.initImage(),
              c.pullSecret(),
              c.podConfig(),
              List.of(),
              new PodUser(1000, 2000));
      assertThat(pod(zipFunction("my-fn")).getSpec().getSecurityContext())
          .satisfies(
              s ->
                  assertThat(List.of(s.getRunAsUser(), s.getRunAsGroup(), s.getFsGroup()))
                      .containsExactly(993L, 990L, 990L));
      Pod pod = PodSpecFactory.pod(zipFunction("my-fn").build(), other);
      assertThat(pod.getSpec().getSecurityContext())
          .satisfies(
              s ->
                  assertThat(List.of(s.getRunAsUser(), s.getRunAsGroup(), s.getFsGroup()))
                      .containsExactly(1000L, 2000L, 2000L));
      assertThat(pod.getSpec().getSecurityContext().getRunAsNonRoot()).isTrue();
    }

    @Test
    void bothContainersHaveAReadOnlyRootFileSystem() {
      Pod pod = pod(zipFunction("my-fn"));
      assertThat(main(pod).getSecurityContext().getReadOnlyRootFilesystem()).isTrue();
      assertThat(init(pod).getSecurityContext().getReadOnlyRootFilesystem()).isTrue();
    }

    @Test
    void theFunctionCanWriteOnlyToTmpWhileTheInitContainerWritesTheCode() {
      Pod pod =
          pod(
              zipFunction("my-fn")
                  .runtime("provided.al2023")
                  .handler("bootstrap")
                  .layers(List.of(zip("layer", Map.of("a", "")))));
      assertThat(main(pod).getVolumeMounts())
          .extracting(
              m -> m.getMountPath() + (Boolean.TRUE.equals(m.getReadOnly()) ? " ro" : " rw"))
          .containsExactly("/var/task ro", "/opt ro", "/tmp rw", "/var/runtime ro");
      assertThat(init(pod).getVolumeMounts())
          .extracting(
              m -> m.getMountPath() + (Boolean.TRUE.equals(m.getReadOnly()) ? " ro" : " rw"))
          .containsExactly("/var/task rw", "/opt rw", "/var/runtime rw", "/lambdarun-staging rw");
    }

    @Test
    void theSpecNeverAsksForHostNetworkingEvenInRuntimeApiMode() {
      Pod pod = pod(zipFunction("my-fn").runtimeApi("lambdarun.tools.svc:40123"));
      assertThat(pod.getSpec().getHostNetwork()).isNull();
    }

    @Test
    void rootIsNoPodUser() {
      assertThatThrownBy(() -> new PodUser(0, 990))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage("pod user '0:990' is root or negative; use ids above 0");
      assertThatThrownBy(() -> new PodUser(993, 0)).isInstanceOf(IllegalArgumentException.class);
    }
  }

  private static String decode(String base64) {
    return new String(Base64.getDecoder().decode(base64), StandardCharsets.UTF_8);
  }
}
