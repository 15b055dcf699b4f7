package io.lambdarun.docker;

import com.github.dockerjava.api.DockerClient;
import io.lambdarun.api.Labels;
import io.lambdarun.api.Owner;
import io.lambdarun.api.RuntimeConfig;
import java.time.Duration;
import java.util.Map;

/** The engine the integration tests run on, and what they ask it directly. */
final class TestEngine {

  /** The Python test image built by scripts/build-test-images.sh. */
  static final String PYTHON_IMAGE = "lambdarun/test-python:latest";

  /** The Java test image (AWS's Java runtime interface client), built by the same script. */
  static final String JAVA_IMAGE = "lambdarun/test-java:latest";

  private static DockerClient client;

  private TestEngine() {}

  /** Returns a client for the default engine, shared by the tests of one JVM. */
  static synchronized DockerClient client() {
    if (client == null) {
      client =
          DockerClients.open(
              DockerSettings.from(RuntimeConfig.empty(), System.getenv()), Duration.ofMinutes(2));
    }
    return client;
  }

  /** Counts the containers, running or not, that carry the owner's id. */
  static long containersOf(Owner owner) {
    return client()
        .listContainersCmd()
        .withShowAll(true)
        .withLabelFilter(Map.of(Labels.OWNER, owner.id()))
        .exec()
        .size();
  }
}
