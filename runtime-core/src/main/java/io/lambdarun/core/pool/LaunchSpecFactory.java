package io.lambdarun.core.pool;

import io.lambdarun.api.ArchiveLimits;
import io.lambdarun.api.ContainerRuntime;
import io.lambdarun.api.Labels;
import io.lambdarun.api.LaunchSpec;
import io.lambdarun.api.Owner;
import io.lambdarun.core.env.FunctionEnvironment;
import io.lambdarun.core.image.DeployId;
import io.lambdarun.core.image.ImageResolver;
import io.lambdarun.core.model.LambdaFunction;
import io.lambdarun.core.model.SessionCredentials;
import java.lang.ref.WeakReference;
import java.time.Clock;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * Resolves a function into the {@link LaunchSpec} a backend launches, applying every Lambda rule.
 */
public final class LaunchSpecFactory {

  private final ContainerRuntime runtime;
  private final Owner owner;
  private final FunctionEnvironment environment;
  private final ImageResolver images;
  private final ArchiveLimits archiveLimits;
  private final Clock clock;

  /**
   * The deploy ids of recently invoked functions, by identity (a function is immutable): computing
   * one (JSON and SHA-256) took about 30 µs of a 0.4 ms warm invoke. Weak, so that a replaced
   * function's code is not kept.
   */
  private final AtomicReferenceArray<KnownDeployId> recentDeployIds =
      new AtomicReferenceArray<>(16);

  private record KnownDeployId(WeakReference<LambdaFunction> function, String deployId) {}

  /**
   * Creates a factory for one backend.
   *
   * @param runtime the backend, for its host access and tag use
   * @param owner the owner whose labels every instance carries
   * @param environment builds instance environments
   * @param images resolves images
   * @param archiveLimits the bounds backends apply to archives
   * @param clock the time source for log stream names
   */
  public LaunchSpecFactory(
      ContainerRuntime runtime,
      Owner owner,
      FunctionEnvironment environment,
      ImageResolver images,
      ArchiveLimits archiveLimits,
      Clock clock) {
    this.runtime = runtime;
    this.owner = owner;
    this.environment = environment;
    this.images = images;
    this.archiveLimits = archiveLimits;
    this.clock = clock;
  }

  /**
   * Returns the function's deploy id for this backend, computed once per function object while it
   * is among the recently invoked.
   *
   * @param function the function
   * @return the URL-safe deploy id
   */
  public String deployId(LambdaFunction function) {
    int slot = System.identityHashCode(function) & (recentDeployIds.length() - 1);
    KnownDeployId known = recentDeployIds.get(slot);
    if (known != null && known.function().get() == function) {
      return known.deployId();
    }
    String computed = DeployId.of(function, runtime.launchUsesTags());
    recentDeployIds.set(slot, new KnownDeployId(new WeakReference<>(function), computed));
    return computed;
  }

  /**
   * Resolves the image the function runs on.
   *
   * @param function the function
   * @return the image reference
   */
  public String image(LambdaFunction function) {
    return images.imageFor(function, runtime.hostAccess());
  }

  /**
   * Builds the spec of one new instance.
   *
   * @param function the function
   * @param deployId its deploy id
   * @param credentials credentials issued for the instance
   * @return the spec
   */
  LaunchSpec create(
      LambdaFunction function, String deployId, Optional<SessionCredentials> credentials) {
    SortedMap<String, String> env =
        environment.build(
            function, credentials, clock.instant(), FunctionEnvironment.newStreamId());
    Map<String, String> labels = owner.labels();
    labels.put(Labels.FUNCTION, Labels.safeValue(function.functionName()));
    labels.put(Labels.VERSION, Labels.safeLowerValue(function.version()));
    labels.put(Labels.DEPLOY_ID, Labels.safeValue(deployId));
    return LaunchSpec.builder()
        .functionName(function.functionName())
        .functionArn(function.functionArn())
        .version(function.version())
        .accountId(function.accountId())
        .region(function.region())
        .deployId(deployId)
        .packageType(function.packageType())
        .runtime(function.runtime())
        .handler(function.handler())
        .image(image(function))
        .imageConfig(function.imageConfig())
        .environment(env)
        .sensitiveKeys(FunctionEnvironment.sensitiveKeys(env))
        .memoryMib(function.memoryMib())
        .timeout(function.timeout())
        .ephemeralStorageMib(function.ephemeralStorageMib())
        .architecture(function.architecture())
        .code(function.code().orElse(null))
        .layers(function.layers())
        .archiveLimits(archiveLimits)
        .labels(labels)
        .tags(function.tags())
        .build();
  }
}
