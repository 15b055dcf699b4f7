package io.lambdarun.docker;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.core.DefaultDockerClientConfig;
import com.github.dockerjava.core.DockerClientConfig;
import com.github.dockerjava.core.DockerClientImpl;
import com.github.dockerjava.transport.DockerHttpClient;
import com.github.dockerjava.zerodep.ZerodepDockerHttpClient;
import java.time.Duration;

/** Opens docker-java clients for the settings; opening connects to nothing yet. */
final class DockerClients {

  private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(5);

  private DockerClients() {}

  /**
   * Opens a client. TLS settings come from the ecosystem's variables ({@code DOCKER_TLS_VERIFY},
   * {@code DOCKER_CERT_PATH}), credentials for pulls from the settings' config folder.
   *
   * @param settings the backend settings
   * @param responseTimeout how long one call may wait for the engine
   * @return the client; the caller closes it
   */
  static DockerClient open(DockerSettings settings, Duration responseTimeout) {
    DockerClientConfig config =
        DefaultDockerClientConfig.createDefaultConfigBuilder()
            .withDockerHost(settings.host().toString())
            .withDockerConfig(settings.dockerConfig().toString())
            .build();
    DockerHttpClient http =
        new ZerodepDockerHttpClient.Builder()
            .dockerHost(config.getDockerHost())
            .sslConfig(config.getSSLConfig())
            .connectionTimeout(min(CONNECT_TIMEOUT, responseTimeout))
            .responseTimeout(responseTimeout)
            .build();
    return DockerClientImpl.getInstance(config, http);
  }

  private static Duration min(Duration a, Duration b) {
    return a.compareTo(b) <= 0 ? a : b;
  }
}
