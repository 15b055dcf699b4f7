package io.lambdarun.api;

import java.time.Instant;

/**
 * A live connection to one execution backend that launches and tears down Lambda execution
 * environments ("instances").
 *
 * <p><b>What a backend does and does not do.</b> lambdarun's core owns pooling, invocation,
 * retries and every Lambda rule. A runtime only brings instances up ({@link #launch}), tears them
 * down ({@link #terminate}), reads their logs, and cleans up after crashed owners. It never invokes
 * a function itself.
 *
 * <p><b>The instance protocol.</b> {@link #launch} returns only when the instance's endpoint
 * accepts connections. The endpoint speaks the AWS Runtime Interface Emulator (RIE) protocol: core
 * sends {@code POST /2015-03-31/functions/function/invocations} with the event as the body and
 * reads the function's response (or AWS's error JSON) as the body of the reply. The endpoint must
 * be reachable from the embedding process on a loopback address when the backend runs on the same
 * machine.
 *
 * <p><b>Outcome signalling.</b> Like the RIE, an endpoint answers 200 with the function's response
 * body, or with AWS's error JSON ({@code {"errorMessage": ..., "errorType": ...}}) when the
 * function failed. A backend that knows the true outcome (because it hosts the Runtime API itself)
 * adds the header {@value #FUNCTION_ERROR_HEADER} with {@code Handled} or {@code Unhandled}; without
 * the header core treats an error JSON object as {@code Unhandled}. A function that exceeds its
 * timeout is answered, as by the RIE, with the plain-text body {@code Task timed out after N.00
 * seconds}; core then replaces the instance.
 *
 * <p><b>One event per instance.</b> An instance serves exactly one event at a time; the AWS RIE
 * crashes or refuses overlapping events. Core guarantees it never sends a second event to an
 * instance before the first one has been answered, so a backend need not guard against it; a
 * backend whose endpoint receives an overlapping event may refuse it with HTTP 400 or 409.
 *
 * <p><b>Thread safety.</b> All methods may be called concurrently from many threads, including
 * concurrent launches for the same function.
 *
 * <p><b>Lifecycle.</b> {@link #close()} terminates every instance this runtime launched that is
 * still alive and releases its resources. It is idempotent. Any other method called after close
 * throws {@link IllegalStateException}.
 */
public interface ContainerRuntime extends AutoCloseable {

  /** The response header an endpoint may set to report a function error's kind. */
  String FUNCTION_ERROR_HEADER = "X-Amz-Function-Error";

  /**
   * Returns the name of the provider that created this runtime, for logs and listings.
   *
   * @return the backend name, e.g. {@code docker}
   */
  String name();

  /**
   * Says how workloads on this backend reach the embedding host and its image registry.
   *
   * <p>Core uses {@link HostAccess#hostAlias()} to rewrite {@code http://localhost:PORT} URLs in a
   * function's environment, and {@link HostAccess#registryHost()} to translate private ECR image
   * URIs to the embedder's local registry.
   *
   * @return the host access description, never {@code null}
   */
  HostAccess hostAccess();

  /**
   * Tells whether the function's tags shape what this backend launches (for example Kubernetes
   * node selectors taken from tags). When true, core folds the tags into the deploy id so that a
   * tag change replaces warm instances; when false, tag changes do not cause cold starts.
   *
   * @return whether {@link LaunchSpec#tags()} affect the launched instance
   */
  default boolean launchUsesTags() {
    return false;
  }

  /**
   * Launches one execution environment and waits until its endpoint accepts connections.
   *
   * <p>A launch that fails must leave nothing behind: containers, pods, processes, volumes and
   * temporary files it created are removed before the exception is thrown.
   *
   * @param spec the fully resolved launch description
   * @return the ready instance
   * @throws LaunchFailedException if the instance could not be started or did not become ready;
   *     the message says why and, where available, includes the instance's last log lines
   */
  Instance launch(LaunchSpec spec);

  /**
   * Stops and removes an instance. Idempotent: terminating an instance that is already gone, or
   * was never fully started, succeeds silently. Never throws for a backend-side failure; such
   * failures are logged.
   *
   * @param instance an instance returned by {@link #launch} on this runtime
   */
  void terminate(Instance instance);

  /**
   * Reads what the instance wrote to stdout and stderr since the given time.
   *
   * <p>Backends that cannot filter by time return the whole log. The result is used for Lambda's
   * {@code LogType=Tail}, of which core keeps the last 4 KB.
   *
   * @param instance an instance returned by {@link #launch} on this runtime
   * @param since the earliest time of interest
   * @return the log text, empty when there is none or the instance is gone
   */
  String logs(Instance instance, Instant since);

  /**
   * Removes instances left behind by owners that are no longer alive (see {@link
   * Owner#isDeadOnThisHost()}). Instances of this runtime's own owner and of other live owners are
   * never touched.
   *
   * @return the number of instances removed
   */
  int sweepOrphans();

  /**
   * Makes the image available to the backend ahead of the first launch, so that a cold start does
   * not wait for a large pull. Backends that have no image cache do nothing.
   *
   * @param image an image reference, already translated by core
   * @throws LaunchFailedException if the image cannot be pulled
   */
  void prepull(String image);

  /**
   * Terminates every instance this runtime launched that is still alive and releases the
   * runtime's resources (connections, threads, servers). Idempotent; never throws.
   */
  @Override
  void close();
}
