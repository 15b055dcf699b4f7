package io.lambdarun.docker;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.command.InspectImageResponse;
import com.github.dockerjava.api.command.PullImageCmd;
import com.github.dockerjava.api.command.PullImageResultCallback;
import com.github.dockerjava.api.exception.DockerException;
import com.github.dockerjava.api.exception.NotFoundException;
import com.github.dockerjava.api.model.PullResponseItem;
import io.lambdarun.api.LaunchFailedException;
import java.io.IOException;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Makes images available to the engine, pulling those it lacks and logging the progress. */
final class ImagePuller {

  private static final Logger LOG = LoggerFactory.getLogger(ImagePuller.class);

  private final DockerClient docker;
  private final Duration timeout;

  ImagePuller(DockerClient docker, Duration timeout) {
    this.docker = docker;
    this.timeout = timeout;
  }

  /**
   * Pulls the image unless the engine has it for the platform.
   *
   * @param image the image reference
   * @param platform the platform to pull for, e.g. {@code linux/arm64}; empty for any
   * @param functionName the function that needs it, empty for a pre-pull
   * @throws LaunchFailedException if the pull fails
   */
  void ensure(String image, Optional<String> platform, String functionName) {
    String purpose =
        (functionName.isEmpty() ? "a pre-pull" : "function '" + functionName + "'")
            + platform.map(p -> " on " + p).orElse("");
    try {
      InspectImageResponse local = docker.inspectImageCmd(image).exec();
      String localPlatform = local.getOs() + "/" + local.getArch();
      if (platform.isEmpty() || platform.get().equals(localPlatform)) {
        return;
      }
      LOG.info("image '{}' is here for {}; pulling it for {}", image, localPlatform, purpose);
    } catch (NotFoundException e) {
      LOG.info("pulling image '{}' for {}", image, purpose);
    } catch (DockerException e) {
      throw failure(image, purpose, functionName, e);
    }
    long started = System.nanoTime();
    try {
      PullImageCmd pull = docker.pullImageCmd(withDefaultTag(image));
      platform.ifPresent(pull::withPlatform);
      ProgressLogger progress = pull.exec(new ProgressLogger(image));
      boolean done = progress.awaitCompletion(timeout.toMillis(), TimeUnit.MILLISECONDS);
      if (progress.failure != null) {
        throw failure(image, purpose, functionName, progress.failure);
      }
      if (!done) {
        throw new LaunchFailedException(
            functionName,
            "pulling image '"
                + image
                + "' for "
                + purpose
                + " took longer than "
                + timeout.toSeconds()
                + " s; pull it ahead of time or raise "
                + DockerConfigKeys.API_TIMEOUT);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new LaunchFailedException(
          functionName, "pulling image '" + image + "' for " + purpose + " was interrupted", e);
    } catch (RuntimeException e) {
      if (e instanceof LaunchFailedException launchFailed) {
        throw launchFailed;
      }
      throw failure(image, purpose, functionName, e);
    }
    LOG.info("pulled image '{}' in {} ms", image, (System.nanoTime() - started) / 1_000_000);
  }

  /**
   * Adds {@code :latest} to a reference without tag or digest, since a pull without a tag would
   * fetch every tag of the repository.
   *
   * @param image an image reference
   * @return the reference with a tag or digest
   */
  static String withDefaultTag(String image) {
    int lastSlash = image.lastIndexOf('/');
    String name = image.substring(lastSlash + 1);
    return name.contains(":") || name.contains("@") ? image : image + ":latest";
  }

  private static LaunchFailedException failure(
      String image, String purpose, String functionName, Throwable cause) {
    return new LaunchFailedException(
        functionName,
        "image '"
            + image
            + "' for "
            + purpose
            + " is not on the engine and could not be pulled ("
            + String.valueOf(cause.getMessage()).strip()
            + "); build or load it locally, or check the registry"
            + " and its credentials in DOCKER_CONFIG",
        cause);
  }

  /**
   * Logs pull progress: layer and image milestones at info level, byte counts at debug level. Keeps
   * a failure for the caller instead of letting docker-java log it as an error.
   */
  private static final class ProgressLogger extends PullImageResultCallback {
    private static final Set<String> NOISY = Set.of("Downloading", "Extracting", "Waiting");
    private final String image;
    private volatile Throwable failure;

    ProgressLogger(String image) {
      this.image = image;
    }

    @Override
    public void onError(Throwable throwable) {
      failure = throwable;
      try {
        close();
      } catch (IOException e) {
        // the stream is gone either way
      }
    }

    @Override
    public void onNext(PullResponseItem item) {
      String status = item.getStatus();
      if (status != null) {
        String layer = item.getId() == null ? "" : item.getId() + " ";
        if (NOISY.contains(status)) {
          LOG.debug("pull '{}': {}{} {}", image, layer, status, item.getProgressDetail());
        } else {
          LOG.info("pull '{}': {}{}", image, layer, status);
        }
      }
      super.onNext(item);
    }
  }
}
