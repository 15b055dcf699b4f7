package io.lambdarun.core.image;

import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Recognises private Amazon ECR image URIs and rewrites them to the embedder's local registry.
 *
 * <p>A URI is private ECR when its registry part (everything before the first {@code /}) is exactly
 * {@code <12 digits>.dkr.ecr[-fips].<region>.amazonaws.com} (or {@code .com.cn}); look-alikes in
 * the path, public ECR ({@code public.ecr.aws}) and Docker Hub names are not.
 */
final class EcrUri {

  private static final Pattern PRIVATE_REGISTRY =
      Pattern.compile("[0-9]{12}\\.dkr\\.ecr(-fips)?\\.[a-z0-9-]+\\.amazonaws\\.com(\\.cn)?");

  private EcrUri() {}

  /**
   * Tells whether an image URI names a private ECR repository.
   *
   * @param imageUri an image reference
   * @return true for {@code <account>.dkr.ecr.<region>.amazonaws.com/<path>} with a non-empty path
   */
  static boolean isPrivateEcr(String imageUri) {
    int slash = imageUri.indexOf('/');
    return slash > 0
        && slash < imageUri.length() - 1
        && PRIVATE_REGISTRY.matcher(imageUri.substring(0, slash)).matches();
  }

  /**
   * Tells whether an image reference pins a digest, which cannot be the target of a tag.
   *
   * @param imageUri an image reference
   * @return true when it contains {@code @sha256:}
   */
  static boolean isDigest(String imageUri) {
    return imageUri.contains("@sha256:");
  }

  /**
   * Rewrites a private ECR URI to a local registry, keeping the repository path, tag and digest.
   *
   * @param imageUri an image reference
   * @param registryHost the host the backend pulls local images from, without a port ({@link
   *     io.lambdarun.api.HostAccess#registryHost()})
   * @param registryPort the port of the local registry
   * @return {@code registryHost:registryPort/<path>}, or empty when the URI is not private ECR
   */
  static Optional<String> translate(String imageUri, String registryHost, int registryPort) {
    if (!isPrivateEcr(imageUri)) {
      return Optional.empty();
    }
    String path = imageUri.substring(imageUri.indexOf('/') + 1);
    return Optional.of(registryHost + ":" + registryPort + "/" + path);
  }
}
