package io.lambdarun.api;

import java.time.Instant;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;

/**
 * A live connection to one execution backend that launches and tears down Lambda execution
 * environments ("instances").
 *
 * <p><b>What a backend does and does not do.</b> lambdarun's core owns pooling, invocation, retries
 * and every Lambda rule. A runtime only brings instances up ({@link #launch}), tears them down
 * ({@link #terminate}), reads their logs, and cleans up after crashed owners. It never invokes a
 * function itself.
 *
 * <p><b>Two instance protocols.</b> A backend that returns a {@link #runtimeApiAccess()} runs
 * instances in <em>Runtime API mode</em>, as Lambda does: core hosts the Lambda Runtime API ({@code
 * /2018-06-01/runtime/invocation/next}, {@code /response}, {@code /error}, {@code /init/error}) for
 * each instance on its own port and passes its {@code host:port} in {@link LaunchSpec#runtimeApi()}
 * and as {@code AWS_LAMBDA_RUNTIME_API} in the environment. The backend starts the runtime's
 * bootstrap (for images, the entrypoint, which on AWS's base images execs {@code
 * /var/runtime/bootstrap} when that variable is set) and {@link #launch} returns as soon as the
 * process, container or pod has been started, without waiting for any port and with an {@link
 * Instance} that has no endpoint. Core decides readiness (the runtime client's first {@code
 * /next}), classifies every outcome exactly, and notices a dead instance through {@link #exitCode}.
 * A spec without a Runtime API address asks for <em>RIE-endpoint mode</em>, the mode of images
 * whose entrypoint insists on running the RIE, and of backends without {@link #runtimeApiAccess()}.
 *
 * <p><b>Only the instance takes its events.</b> Each instance's Runtime API listener is bound to
 * {@link RuntimeApiAccess#bindAddress()}, never to all interfaces, and is pinned to the first peer
 * address that asks it for an event: a later request from any other address, including another
 * process on the same network, is refused with HTTP 403 and cannot take, answer or fail the
 * instance's events.
 *
 * <p><b>RIE-endpoint mode.</b> {@link #launch} returns only when the instance's endpoint accepts
 * connections. The endpoint speaks the AWS Runtime Interface Emulator (RIE) protocol: core sends
 * {@code POST /2015-03-31/functions/function/invocations} with the event as the body and reads the
 * function's response (or AWS's error JSON) as the body of the reply. The endpoint must be
 * reachable from the embedding process on a loopback address when the backend runs on the same
 * machine.
 *
 * <p><b>Outcome signalling in RIE-endpoint mode.</b> Like the RIE, an endpoint answers 200 with the
 * function's response body, or with AWS's error JSON ({@code {"errorMessage": ..., "errorType":
 * ...}}) when the function failed. An endpoint that knows the true outcome adds the header {@value
 * #FUNCTION_ERROR_HEADER} with {@code Handled} or {@code Unhandled}; without the header core treats
 * an error JSON object as {@code Unhandled}. A function that exceeds its timeout is answered, as by
 * the RIE, with the plain-text body {@code Task timed out after N.00 seconds}; core then replaces
 * the instance.
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
   * Says how this backend's workloads reach a Lambda Runtime API hosted by core, which makes
   * Runtime API mode the default for its instances (see the class documentation).
   *
   * <p>The default, empty, keeps every instance in RIE-endpoint mode: backends written before
   * Runtime API mode keep working unchanged. A backend may also return empty by configuration, for
   * images whose entrypoint runs the RIE whatever the environment says.
   *
   * @return the bind address and the host name workloads use, or empty for RIE-endpoint mode only
   */
  default Optional<RuntimeApiAccess> runtimeApiAccess() {
    return Optional.empty();
  }

  /**
   * Tells whether an instance's process, container or pod has exited, and with which status.
   *
   * <p>Core asks while a Runtime API instance is starting or serving an event, so that a runtime
   * that dies is answered with {@code Runtime.ExitError} at once rather than at the function's
   * timeout; implementations should answer from state they already hold or with one cheap call. The
   * default, empty, means "not known to have exited": core then notices a dead instance only at the
   * timeout.
   *
   * @param instance an instance returned by {@link #launch} on this runtime
   * @return the exit status once the instance's main process has exited, empty while it runs or
   *     when the backend cannot tell
   */
  default OptionalInt exitCode(Instance instance) {
    return OptionalInt.empty();
  }

  /**
   * Returns the most memory the instance has used since it started, as Lambda reports it in the
   * {@code Max Memory Used} field of an invocation's {@code REPORT} line.
   *
   * <p>Backends measure what their engine accounts to the instance: the container's cgroup peak,
   * the pod's container, or the peak resident memory of a local process tree. Core asks once after
   * an invocation whose {@code REPORT} line is read (by a log sink, a listener or a log tail), so
   * the answer must be cheap (state the backend holds, or one small read). The default, empty,
   * means the backend cannot tell; core then omits the figure.
   *
   * @param instance an instance returned by {@link #launch} on this runtime
   * @return the peak memory in bytes, or empty when the backend cannot measure it
   */
  default OptionalLong maxMemoryUsedBytes(Instance instance) {
    return OptionalLong.empty();
  }

  /**
   * Tells whether the function's tags shape what this backend launches (for example Kubernetes node
   * selectors taken from tags). When true, core folds the tags into the deploy id so that a tag
   * change replaces warm instances; when false, tag changes do not cause cold starts.
   *
   * @return whether {@link LaunchSpec#tags()} affect the launched instance
   */
  default boolean launchUsesTags() {
    return false;
  }

  /**
   * Launches one execution environment: in Runtime API mode ({@link LaunchSpec#usesRuntimeApi()})
   * returns once it has been started, in RIE-endpoint mode waits until its endpoint accepts
   * connections.
   *
   * <p>A launch that fails must leave nothing behind: containers, pods, processes, volumes and
   * temporary files it created are removed before the exception is thrown.
   *
   * @param spec the fully resolved launch description
   * @return the ready instance
   * @throws LaunchFailedException if the instance could not be started or did not become ready; the
   *     message says why and, where available, includes the instance's last log lines
   */
  Instance launch(LaunchSpec spec);

  /**
   * Stops and removes an instance. Idempotent: terminating an instance that is already gone, or was
   * never fully started, succeeds silently. Never throws for a backend-side failure; such failures
   * are logged.
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
   * Streams what an instance writes to stdout and stderr to {@code listener}, line by line and as
   * the backend reads it, from the instance's first line until it exits or is terminated.
   *
   * <p>Core calls this once, right after {@link #launch} returned the instance, and builds from the
   * stream everything Lambda writes about an invocation: each line is attributed to the event in
   * flight, the log tail is exact to the invocation, and embedders receive the records. Lines
   * written before this call (during start-up) must still be delivered, in order. The stream ends
   * without further calls when the instance exits or is terminated; {@link #terminate} and {@link
   * #close()} release whatever the stream holds (threads, connections, pipes).
   *
   * <p>The default returns false: the backend cannot stream, and core reads {@link #logs} after
   * each invocation instead, as backends written before this method expect.
   *
   * @param instance an instance returned by {@link #launch} on this runtime
   * @param listener receives each line, one call at a time, in order
   * @return true when the backend streams the instance's output to {@code listener}, false when it
   *     cannot
   */
  default boolean followLogs(Instance instance, LogLineListener listener) {
    return false;
  }

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
   * Terminates every instance this runtime launched that is still alive and releases the runtime's
   * resources (connections, threads, servers). Idempotent; never throws.
   */
  @Override
  void close();
}
