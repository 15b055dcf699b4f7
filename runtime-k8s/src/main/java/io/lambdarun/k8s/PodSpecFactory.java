package io.lambdarun.k8s;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.EnvVarBuilder;
import io.fabric8.kubernetes.api.model.LocalObjectReference;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.lambdarun.api.Architecture;
import io.lambdarun.api.InvalidFunctionException;
import io.lambdarun.api.Labels;
import io.lambdarun.api.LaunchSpec;
import io.lambdarun.api.PackageType;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Builds the pod (and its Secret) for one launch: a pure function of the {@link LaunchSpec} and a
 * {@link PodContext}, with no cluster access, so the same inputs always give the same objects.
 *
 * <p>The pod has an init container that fetches the code zip and the layer zips from the artifact
 * server with a bearer token and unzips them ({@code /var/task}; {@code /var/runtime} too for
 * {@code provided*} runtimes; layers one after the other into {@code /opt}), and the main container
 * running {@code spec.image()} with the RIE on port 8080. The token and the values of {@link
 * LaunchSpec#sensitiveKeys()} live only in the per-launch Secret and reach the containers through
 * {@code secretKeyRef}; they never appear as literals in the pod.
 *
 * <p>{@code /tmp} is a disk-backed {@code emptyDir} limited to the function's ephemeral storage, as
 * Lambda's {@code /tmp} is disk apart from memory; the main container requests, and is limited to,
 * the ephemeral storage of all the pod's volumes plus room for its logs and writable layer, since
 * the kubelet counts them all against the pod's limit.
 *
 * <p>Both containers run in Lambda's sandbox, which is also what the "restricted" Pod Security
 * Standard asks: as {@link PodContext#user()} (never root; its group is the pod's {@code fsGroup},
 * so the staged code is readable), with the runtime's default seccomp profile, no privilege
 * escalation, every capability dropped and a read-only root file system. The main container mounts
 * the code and layers read-only, so {@code /tmp} is the only path a function can write to, as on
 * Lambda. No host namespace, host path or host port is asked for.
 */
public final class PodSpecFactory {

  /** Name of the main container. */
  public static final String MAIN_CONTAINER = "lambda";

  /** Name of the init container. */
  public static final String INIT_CONTAINER = "lambdarun-init";

  /** Port the RIE listens on. */
  public static final int RIE_PORT = 8080;

  /** Secret key holding the artifact server's bearer token. */
  public static final String TOKEN_KEY = "artifact-token";

  /** Prefix of the Secret keys holding sensitive environment values. */
  public static final String ENV_KEY_PREFIX = "env.";

  /** Init container variable holding the launch's artifact URL. */
  public static final String ARTIFACT_URL_ENV = "LAMBDARUN_ARTIFACT_URL";

  /** Init container variable holding the bearer token (from the Secret). */
  public static final String TOKEN_ENV = "LAMBDARUN_ARTIFACT_TOKEN";

  /** Init container variable holding the number of layers. */
  public static final String LAYER_COUNT_ENV = "LAMBDARUN_LAYER_COUNT";

  /** Pod annotation carrying the full function ARN (labels are capped at 63 characters). */
  public static final String FUNCTION_ARN_ANNOTATION = "lambdarun.io/function-arn";

  /** Node label Kubernetes sets to the node's architecture. */
  public static final String ARCH_NODE_LABEL = "kubernetes.io/arch";

  static final int MEMORY_FLOOR_MIB = 128;

  /**
   * Ephemeral storage beyond the volumes: the container's logs (the kubelet keeps up to 5 files of
   * 10 MiB by default) and its writable layer.
   */
  static final int LOGS_AND_WRITABLE_LAYER_MIB = 128;

  private PodSpecFactory() {}

  /**
   * Builds the pod.
   *
   * @param spec the launch
   * @param context where and how
   * @return the pod, ready to create
   * @throws InvalidFunctionException if a zip function's runtime has no image or an image function
   *     has no image URI
   * @throws io.lambdarun.api.InvalidArchiveException if the code or a layer is unsafe, corrupt or
   *     beyond the spec's archive limits
   */
  public static Pod pod(LaunchSpec spec, PodContext context) {
    String image = mainImage(spec);
    boolean custom = spec.packageType() == PackageType.ZIP && spec.isCustomRuntime();
    PodConfig podConfig =
        new PodConfig(Map.of(ARCH_NODE_LABEL, arch(spec.architecture())), List.of(), Map.of())
            .mergedWith(context.podConfig())
            .mergedWith(PodConfig.fromTags(spec.functionName(), spec.tags()));

    Map<String, String> annotations = new LinkedHashMap<>();
    annotations.put(FUNCTION_ARN_ANNOTATION, spec.functionArn());
    annotations.putAll(podConfig.annotations());

    PodBuilder pod =
        new PodBuilder()
            .withNewMetadata()
            .withName(context.podName())
            .withNamespace(context.namespace())
            .withLabels(labels(spec))
            .withAnnotations(annotations)
            .withOwnerReferences(
                context.ownerReferences().isEmpty() ? null : context.ownerReferences())
            .endMetadata()
            .withNewSpec()
            .withRestartPolicy("Never")
            .withAutomountServiceAccountToken(false)
            .withEnableServiceLinks(false)
            .withSecurityContext(PodSandbox.pod(context.user()))
            .withNodeSelector(podConfig.nodeSelector())
            .withTolerations(podConfig.tolerations())
            .withImagePullSecrets(
                context
                    .pullSecret()
                    .map(name -> List.of(new LocalObjectReference(name)))
                    .orElse(null))
            .withContainers(
                mainContainer(spec, context, image, custom, PodVolumes.storageMib(spec, custom)))
            .endSpec();
    if (needsInit(spec)) {
      pod.editSpec().withInitContainers(InitContainer.of(spec, context, custom)).endSpec();
    }
    return pod.editSpec().withVolumes(PodVolumes.volumes(spec, custom)).endSpec().build();
  }

  /**
   * Tells whether the pod has an init container: always for zip functions, for image functions only
   * when they have layers.
   *
   * @param spec the launch
   * @return whether code or layers must be fetched
   */
  public static boolean needsInit(LaunchSpec spec) {
    return spec.packageType() == PackageType.ZIP || !spec.layers().isEmpty();
  }

  /**
   * Tells whether the pod references a per-launch Secret.
   *
   * @param spec the launch
   * @return whether there is a token or a sensitive value to keep out of the pod
   */
  public static boolean needsSecret(LaunchSpec spec) {
    return needsInit(spec) || !sensitiveKeysPresent(spec).isEmpty();
  }

  /**
   * Builds the per-launch Secret holding the bearer token and the sensitive environment values.
   *
   * @param spec the launch
   * @param context where and how; the Secret is named after the pod
   * @param token the artifact server's bearer token
   * @return the Secret, ready to create
   */
  public static Secret secret(LaunchSpec spec, PodContext context, String token) {
    Map<String, String> data = new LinkedHashMap<>();
    if (needsInit(spec)) {
      data.put(TOKEN_KEY, base64(token));
    }
    for (String key : sensitiveKeysPresent(spec)) {
      data.put(ENV_KEY_PREFIX + key, base64(spec.environment().get(key)));
    }
    return new SecretBuilder()
        .withNewMetadata()
        .withName(context.podName())
        .withNamespace(context.namespace())
        .withLabels(labels(spec))
        .endMetadata()
        .withType("Opaque")
        .withData(data)
        .build();
  }

  /**
   * Returns the labels of the pod and its Secret: the spec's labels (owner labels included), plus
   * the function and deploy id when the spec lacks them, every value label-safe and at most 63
   * characters.
   *
   * @param spec the launch
   * @return ordered labels
   */
  public static Map<String, String> labels(LaunchSpec spec) {
    Map<String, String> labels = new LinkedHashMap<>();
    spec.labels().forEach((key, value) -> labels.put(key, Labels.safeValue(value)));
    labels.putIfAbsent(Labels.FUNCTION, Labels.safeValue(spec.functionName()));
    labels.putIfAbsent(Labels.VERSION, Labels.safeValue(spec.version()));
    labels.putIfAbsent(Labels.DEPLOY_ID, Labels.safeValue(spec.deployId()));
    return labels;
  }

  private static String mainImage(LaunchSpec spec) {
    if (!spec.image().isBlank()) {
      return spec.image();
    }
    if (spec.packageType() == PackageType.IMAGE) {
      throw new InvalidFunctionException(
          "function '"
              + spec.functionName()
              + "' has package type Image but no image URI; set"
              + " the function's ImageUri");
    }
    throw new InvalidFunctionException(
        "function '"
            + spec.functionName()
            + "' uses runtime '"
            + spec.runtime()
            + "', which is unsupported (no image is mapped to it); use a supported runtime or map"
            + " it to an image");
  }

  private static Container mainContainer(
      LaunchSpec spec, PodContext context, String image, boolean custom, long volumesMib) {
    List<EnvVar> env = new ArrayList<>();
    spec.environment()
        .forEach(
            (key, value) -> {
              if (spec.sensitiveKeys().contains(key)) {
                env.add(secretEnv(key, context.podName(), ENV_KEY_PREFIX + key));
              } else {
                env.add(new EnvVar(key, value, null));
              }
            });
    String memory = Math.max(spec.memoryMib(), MEMORY_FLOOR_MIB) + "Mi";
    String storage = (volumesMib + LOGS_AND_WRITABLE_LAYER_MIB) + "Mi";
    ContainerBuilder container =
        new ContainerBuilder()
            .withName(MAIN_CONTAINER)
            .withImage(image)
            .withEnv(env)
            .withNewResources()
            .addToRequests("memory", new Quantity(memory))
            .addToRequests("ephemeral-storage", new Quantity(storage))
            .addToLimits("memory", new Quantity(memory))
            .addToLimits("ephemeral-storage", new Quantity(storage))
            .endResources()
            .withSecurityContext(PodSandbox.container())
            .withVolumeMounts(PodVolumes.mainMounts(spec, custom));
    if (!spec.usesRuntimeApi()) {
      // RIE-endpoint mode: core posts to the pod's port; in Runtime API mode the pod calls core
      container
          .addNewPort()
          .withName("rie")
          .withContainerPort(RIE_PORT)
          .withProtocol("TCP")
          .endPort()
          .withNewReadinessProbe()
          .withNewTcpSocket()
          .withNewPort(RIE_PORT)
          .endTcpSocket()
          .withPeriodSeconds(1)
          .withFailureThreshold(3)
          .endReadinessProbe();
    }
    if (!spec.imageConfig().entryPoint().isEmpty()) {
      container.withCommand(spec.imageConfig().entryPoint());
    }
    if (!spec.imageConfig().command().isEmpty()) {
      container.withArgs(spec.imageConfig().command());
    } else if (spec.packageType() == PackageType.ZIP) {
      container.withArgs(List.of(spec.handler()));
    }
    spec.imageConfig().workingDirectory().ifPresent(container::withWorkingDir);
    return container.build();
  }

  private static List<String> sensitiveKeysPresent(LaunchSpec spec) {
    return spec.sensitiveKeys().stream().filter(spec.environment()::containsKey).toList();
  }

  /** An environment variable set from the pod's Secret. */
  static EnvVar secretEnv(String name, String secretName, String key) {
    return new EnvVarBuilder()
        .withName(name)
        .withNewValueFrom()
        .withNewSecretKeyRef()
        .withName(secretName)
        .withKey(key)
        .withOptional(false)
        .endSecretKeyRef()
        .endValueFrom()
        .build();
  }

  private static String arch(Architecture architecture) {
    return architecture == Architecture.ARM64 ? "arm64" : "amd64";
  }

  private static String base64(String value) {
    return Base64.getEncoder().encodeToString(value.getBytes(StandardCharsets.UTF_8));
  }
}
