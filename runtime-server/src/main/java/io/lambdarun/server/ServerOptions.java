package io.lambdarun.server;

import io.lambdarun.api.ConfigurationException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * How a {@link LambdaServer} listens and runs events.
 *
 * @param host the address to bind, {@code 127.0.0.1} by default
 * @param port the TCP port, {@code 0} for any free one
 * @param eventRetryDelay the wait before the first retry of a failed {@code Event} invocation; the
 *     second waits twice as long (Lambda: 1 minute)
 * @param maxEventAge how long an {@code Event} invocation may wait for a retry (Lambda: 6 hours)
 * @param credentials when present, the only access key accepted: every request must carry a valid
 *     SigV4 signature made with it; when empty, every request is accepted, signed or not
 * @param dataDir when present, the folder functions and layers are kept in across restarts; when
 *     empty, they live in memory
 * @param functionsFile when present, a JSON file of functions created (or, when kept in the data
 *     directory, updated) at start
 * @param asyncInvocationListener told how each {@code Event} invocation ended
 */
public record ServerOptions(
    String host,
    int port,
    Duration eventRetryDelay,
    Duration maxEventAge,
    Optional<ServerCredentials> credentials,
    Optional<Path> dataDir,
    Optional<Path> functionsFile,
    AsyncInvocationListener asyncInvocationListener) {

  /** Lambda's defaults on 127.0.0.1, port 9001, accepting every request. */
  public static final ServerOptions DEFAULT =
      new ServerOptions(
          "127.0.0.1",
          9001,
          Duration.ofMinutes(1),
          Duration.ofHours(6),
          Optional.empty(),
          Optional.empty(),
          Optional.empty(),
          AsyncInvocationListener.NONE);

  /** Checks the components. */
  public ServerOptions {
    Objects.requireNonNull(host, "host");
    Objects.requireNonNull(eventRetryDelay, "eventRetryDelay");
    Objects.requireNonNull(maxEventAge, "maxEventAge");
    Objects.requireNonNull(credentials, "credentials");
    Objects.requireNonNull(dataDir, "dataDir");
    Objects.requireNonNull(functionsFile, "functionsFile");
    Objects.requireNonNull(asyncInvocationListener, "asyncInvocationListener");
    if (port < 0 || port > 65_535) {
      throw new ConfigurationException(
          "port", "server port '" + port + "' is not a TCP port; use 0 to 65535");
    }
  }

  /**
   * Returns these options on another address.
   *
   * @param newHost the address to bind
   * @param newPort the port, {@code 0} for any free one
   * @return the changed options
   */
  public ServerOptions withAddress(String newHost, int newPort) {
    return new ServerOptions(
        newHost,
        newPort,
        eventRetryDelay,
        maxEventAge,
        credentials,
        dataDir,
        functionsFile,
        asyncInvocationListener);
  }

  /**
   * Returns these options with other event retry timing.
   *
   * @param delay the wait before the first retry
   * @param maxAge how long an event may wait
   * @return the changed options
   */
  public ServerOptions withEventRetries(Duration delay, Duration maxAge) {
    return new ServerOptions(
        host, port, delay, maxAge, credentials, dataDir, functionsFile, asyncInvocationListener);
  }

  /**
   * Returns these options verifying SigV4 signatures made with the given key.
   *
   * @param value the only access key accepted
   * @return the changed options
   */
  public ServerOptions withCredentials(ServerCredentials value) {
    return new ServerOptions(
        host,
        port,
        eventRetryDelay,
        maxEventAge,
        Optional.of(value),
        dataDir,
        functionsFile,
        asyncInvocationListener);
  }

  /**
   * Returns these options keeping functions and layers in a folder across restarts.
   *
   * @param value the data directory, created when missing
   * @return the changed options
   */
  public ServerOptions withDataDir(Path value) {
    return new ServerOptions(
        host,
        port,
        eventRetryDelay,
        maxEventAge,
        credentials,
        Optional.of(value),
        functionsFile,
        asyncInvocationListener);
  }

  /**
   * Returns these options declaring functions from a file at start.
   *
   * @param value the JSON file, see the module's README
   * @return the changed options
   */
  public ServerOptions withFunctionsFile(Path value) {
    return new ServerOptions(
        host,
        port,
        eventRetryDelay,
        maxEventAge,
        credentials,
        dataDir,
        Optional.of(value),
        asyncInvocationListener);
  }

  /**
   * Returns these options telling a listener how each {@code Event} invocation ended.
   *
   * @param value the listener, for example one that forwards to a destination
   * @return the changed options
   */
  public ServerOptions withAsyncInvocationListener(AsyncInvocationListener value) {
    return new ServerOptions(
        host, port, eventRetryDelay, maxEventAge, credentials, dataDir, functionsFile, value);
  }
}
