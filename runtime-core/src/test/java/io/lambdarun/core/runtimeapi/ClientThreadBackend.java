package io.lambdarun.core.runtimeapi;

import io.lambdarun.api.ContainerRuntime;
import io.lambdarun.api.HostAccess;
import io.lambdarun.api.Instance;
import io.lambdarun.api.LaunchSpec;
import io.lambdarun.api.RuntimeApiAccess;
import java.io.IOException;
import java.time.Instant;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * A backend whose one instance is a thread acting as a runtime client against the Runtime API it is
 * launched with; the subclass says what the client does.
 */
abstract class ClientThreadBackend implements ContainerRuntime {
  volatile String runtimeApi;
  volatile Integer exitStatus;

  /**
   * Runs the runtime client until the instance exits.
   *
   * @throws IOException when the Runtime API's port closes: the instance is gone
   */
  abstract void runClient() throws IOException;

  @Override
  public String name() {
    return "client-thread";
  }

  @Override
  public HostAccess hostAccess() {
    return HostAccess.loopback();
  }

  @Override
  public Optional<RuntimeApiAccess> runtimeApiAccess() {
    return Optional.of(RuntimeApiAccess.loopback());
  }

  @Override
  public Instance launch(LaunchSpec spec) {
    runtimeApi = spec.environment().get("AWS_LAMBDA_RUNTIME_API");
    Thread client =
        new Thread(
            () -> {
              try {
                runClient();
              } catch (IOException e) {
                // the port closed: the instance is gone
              }
            },
            "test-runtime-client");
    client.setDaemon(true);
    client.start();
    return Instance.of("client-1");
  }

  @Override
  public OptionalInt exitCode(Instance instance) {
    Integer status = exitStatus;
    return status == null ? OptionalInt.empty() : OptionalInt.of(status);
  }

  @Override
  public void terminate(Instance instance) {
    exitStatus = 137;
  }

  @Override
  public String logs(Instance instance, Instant since) {
    return "";
  }

  @Override
  public int sweepOrphans() {
    return 0;
  }

  @Override
  public void prepull(String image) {}

  @Override
  public void close() {}
}
