package io.lambdarun.docker;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.command.InspectContainerResponse;
import com.github.dockerjava.api.exception.NotFoundException;
import com.github.dockerjava.api.model.ExposedPort;
import com.github.dockerjava.api.model.Ports;
import io.lambdarun.api.LaunchFailedException;
import io.lambdarun.api.LaunchSpec;
import io.lambdarun.api.ReadinessProbe;
import java.net.URI;
import java.time.Duration;
import java.util.Optional;

/**
 * Waits until a started container's published RIE endpoint answers HTTP, or says why it did not.
 */
final class EndpointReadiness {

  private static final int FAILURE_LOG_LINES = 20;

  private final DockerClient docker;
  private final ContainerLogs logs;
  private final String host;
  private final Duration timeout;

  /**
   * Creates the waiter.
   *
   * @param docker the engine
   * @param logs reads the last log lines a failure message shows
   * @param host the address this machine reaches published ports on
   * @param timeout how long to wait for an answer
   */
  EndpointReadiness(DockerClient docker, ContainerLogs logs, String host, Duration timeout) {
    this.docker = docker;
    this.logs = logs;
    this.host = host;
    this.timeout = timeout;
  }

  /**
   * Finds the published port, then waits until the endpoint answers or the container dies.
   *
   * @param spec the launch spec the container was created from
   * @param id the started container
   * @return the endpoint
   * @throws LaunchFailedException if it did not answer, with the container's last log lines
   */
  URI await(LaunchSpec spec, String id) {
    InspectContainerResponse inspected = docker.inspectContainerCmd(id).exec();
    Optional<String> death = deathOf(inspected);
    if (death.isPresent()) {
      throw launchFailure(spec, id, death.get() + " right after start");
    }
    int port =
        publishedPort(inspected)
            .orElseThrow(
                () ->
                    launchFailure(
                        spec,
                        id,
                        "has no host port published for " + ContainerRequestFactory.RIE_PORT));
    switch (ReadinessProbe.await(host, port, timeout, () -> deathOf(id))) {
      case READY:
        return URI.create("http://" + uriHost(host) + ":" + port);
      case DIED:
        throw launchFailure(
            spec, id, deathOf(id).orElse("stopped") + " before its endpoint answered");
      case INTERRUPTED:
        throw launchFailure(spec, id, "was abandoned: the launching thread was interrupted");
      default:
        throw launchFailure(
            spec,
            id,
            "did not answer HTTP on "
                + host
                + ":"
                + port
                + " within "
                + timeout.toMillis()
                + " ms (raise "
                + DockerConfigKeys.READINESS_TIMEOUT
                + " if the image starts slowly)");
    }
  }

  private LaunchFailedException launchFailure(LaunchSpec spec, String id, String what) {
    String tail;
    try {
      tail = logs.tail(id, FAILURE_LOG_LINES).strip();
    } catch (RuntimeException e) {
      tail = "";
    }
    return new LaunchFailedException(
        spec.functionName(),
        "function '"
            + spec.functionName()
            + "' did not start: container '"
            + Messages.shortId(id)
            + "' of"
            + " image '"
            + spec.image()
            + "' "
            + what
            + "; check the image's entry point and the"
            + " handler '"
            + spec.handler()
            + "'"
            + (tail.isEmpty() ? "" : ". Last log lines:\n" + tail));
  }

  private Optional<String> deathOf(String id) {
    try {
      return deathOf(docker.inspectContainerCmd(id).exec());
    } catch (NotFoundException e) {
      return Optional.of("was removed");
    } catch (RuntimeException e) {
      return Optional.empty();
    }
  }

  private static Optional<String> deathOf(InspectContainerResponse inspected) {
    InspectContainerResponse.ContainerState state = inspected.getState();
    if (state == null || Boolean.TRUE.equals(state.getRunning())) {
      return Optional.empty();
    }
    Long exitCode = state.getExitCodeLong();
    String error = state.getError();
    return Optional.of(
        "exited with code "
            + exitCode
            + (error == null || error.isBlank() ? "" : " (" + error + ")"));
  }

  private static Optional<Integer> publishedPort(InspectContainerResponse inspected) {
    if (inspected.getNetworkSettings() == null
        || inspected.getNetworkSettings().getPorts() == null) {
      return Optional.empty();
    }
    Ports.Binding[] bindings =
        inspected
            .getNetworkSettings()
            .getPorts()
            .getBindings()
            .get(ExposedPort.tcp(ContainerRequestFactory.RIE_PORT));
    if (bindings == null) {
      return Optional.empty();
    }
    for (Ports.Binding binding : bindings) {
      String spec = binding.getHostPortSpec();
      if (spec != null && spec.matches("\\d+")) {
        return Optional.of(Integer.parseInt(spec));
      }
    }
    return Optional.empty();
  }

  private static String uriHost(String host) {
    return host.contains(":") ? "[" + host + "]" : host;
  }
}
