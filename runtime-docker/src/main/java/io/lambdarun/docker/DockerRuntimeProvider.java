package io.lambdarun.docker;

import com.github.dockerjava.api.DockerClient;
import com.google.auto.service.AutoService;
import io.lambdarun.api.Availability;
import io.lambdarun.api.ContainerRuntime;
import io.lambdarun.api.ContainerRuntimeProvider;
import io.lambdarun.api.Owner;
import io.lambdarun.api.RuntimeConfig;
import io.lambdarun.api.RuntimeUnavailableException;
import java.io.IOException;

/**
 * The {@code docker} backend: runs each instance as a container on a Docker engine, or on Podman
 * through its Docker-compatible socket. Configuration keys are listed in {@link DockerConfigKeys}.
 */
@AutoService(ContainerRuntimeProvider.class)
public final class DockerRuntimeProvider implements ContainerRuntimeProvider {

  /** The backend name. */
  public static final String NAME = "docker";

  /** Creates the provider; does nothing else. */
  public DockerRuntimeProvider() {}

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public int priority() {
    return -10;
  }

  @Override
  public Availability availability(RuntimeConfig config) {
    DockerSettings settings;
    try {
      settings = DockerSettings.from(config, System.getenv());
    } catch (RuntimeException e) {
      return Availability.unavailable(e.getMessage());
    }
    try (DockerClient docker = DockerClients.open(settings, settings.pingTimeout())) {
      docker.pingCmd().exec();
      Engine engine = Engine.probe(docker);
      return Availability.available(
          engine.product()
              + " "
              + engine.version()
              + " (API "
              + engine.apiVersion()
              + ") at "
              + settings.host());
    } catch (IOException | RuntimeException e) {
      return Availability.unavailable(
          "no Docker engine answered at '"
              + settings.host()
              + "' within "
              + settings.pingTimeout().toMillis()
              + " ms ("
              + e.getMessage()
              + "); start dockerd"
              + " (scripts/ensure-docker.sh), or set DOCKER_HOST or "
              + DockerConfigKeys.HOST);
    }
  }

  @Override
  public ContainerRuntime create(RuntimeConfig config, Owner owner) {
    DockerSettings settings = DockerSettings.from(config, System.getenv());
    DockerClient docker = DockerClients.open(settings, settings.apiTimeout());
    try {
      docker.pingCmd().exec();
      return new DockerContainerRuntime(docker, settings, Engine.probe(docker), owner);
    } catch (RuntimeException e) {
      closeQuietly(docker);
      throw new RuntimeUnavailableException(
          "no Docker engine answered at '"
              + settings.host()
              + "' ("
              + e.getMessage()
              + "); start"
              + " dockerd (scripts/ensure-docker.sh), or set DOCKER_HOST or "
              + DockerConfigKeys.HOST,
          e);
    }
  }

  private static void closeQuietly(DockerClient docker) {
    try {
      docker.close();
    } catch (IOException e) {
      // nothing was started on it
    }
  }
}
