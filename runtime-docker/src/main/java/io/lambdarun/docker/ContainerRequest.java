package io.lambdarun.docker;

import com.github.dockerjava.api.command.CreateContainerCmd;
import com.github.dockerjava.api.model.ExposedPort;
import com.github.dockerjava.api.model.HostConfig;
import com.github.dockerjava.api.model.Ports;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;

/**
 * The settings of one container create call, as plain values.
 *
 * @param image the image reference
 * @param platform the OCI platform, e.g. {@code linux/amd64}
 * @param entrypoint replaces the image's entry point when not empty
 * @param command replaces the image's command when not empty
 * @param workingDir replaces the image's working directory when present
 * @param environment {@code KEY=value} entries in spec order
 * @param sensitiveKeys keys whose values {@link #toString()} masks
 * @param labels the container's labels
 * @param port the container port of the RIE endpoint, published; empty in Runtime API mode, where
 *     nothing is published
 * @param bindAddress the host address the port is published on, on an ephemeral host port
 * @param hostNetwork whether the container runs in host network mode
 * @param memoryBytes the memory limit (and memory+swap limit: no swap)
 * @param tmpfs tmpfs mounts, path to mount options
 * @param extraHosts {@code name:address} entries for the workload's {@code /etc/hosts}
 */
record ContainerRequest(
    String image,
    String platform,
    List<String> entrypoint,
    List<String> command,
    Optional<String> workingDir,
    List<String> environment,
    Set<String> sensitiveKeys,
    Map<String, String> labels,
    OptionalInt port,
    String bindAddress,
    boolean hostNetwork,
    long memoryBytes,
    Map<String, String> tmpfs,
    List<String> extraHosts) {

  /** Copies the collections. */
  ContainerRequest {
    entrypoint = List.copyOf(entrypoint);
    command = List.copyOf(command);
    environment = List.copyOf(environment);
    sensitiveKeys = Collections.unmodifiableSet(new LinkedHashSet<>(sensitiveKeys));
    labels = Collections.unmodifiableMap(new LinkedHashMap<>(labels));
    tmpfs = Collections.unmodifiableMap(new LinkedHashMap<>(tmpfs));
    extraHosts = List.copyOf(extraHosts);
  }

  /**
   * Applies the settings to a create command.
   *
   * @param create a create command for {@link #image()}
   * @return the same command
   */
  CreateContainerCmd applyTo(CreateContainerCmd create) {
    HostConfig host =
        HostConfig.newHostConfig()
            .withMemory(memoryBytes)
            .withMemorySwap(memoryBytes)
            .withTmpFs(tmpfs)
            .withExtraHosts(extraHosts.toArray(String[]::new));
    if (hostNetwork) {
      host.withNetworkMode("host");
    }
    if (port.isPresent()) {
      ExposedPort exposed = ExposedPort.tcp(port.getAsInt());
      Ports bindings = new Ports();
      bindings.bind(exposed, Ports.Binding.bindIp(bindAddress));
      host.withPortBindings(bindings);
      create.withExposedPorts(exposed);
    }
    create.withPlatform(platform).withEnv(environment).withLabels(labels).withHostConfig(host);
    if (!entrypoint.isEmpty()) {
      create.withEntrypoint(entrypoint);
    }
    if (!command.isEmpty()) {
      create.withCmd(command);
    }
    workingDir.ifPresent(create::withWorkingDir);
    return create;
  }

  /**
   * Returns the environment with sensitive values masked, safe to log.
   *
   * @return {@code KEY=value} entries, secrets as {@code KEY=***}
   */
  List<String> maskedEnvironment() {
    return environment.stream()
        .map(
            entry -> {
              String key = entry.substring(0, entry.indexOf('='));
              return sensitiveKeys.contains(key) ? key + "=***" : entry;
            })
        .toList();
  }

  @Override
  public String toString() {
    return "ContainerRequest[image="
        + image
        + ", platform="
        + platform
        + ", entrypoint="
        + entrypoint
        + ", command="
        + command
        + ", workingDir="
        + workingDir.orElse("")
        + ", environment="
        + maskedEnvironment()
        + ", labels="
        + labels
        + ", port="
        + (port.isPresent() ? port.getAsInt() : "none")
        + ", bindAddress="
        + bindAddress
        + ", hostNetwork="
        + hostNetwork
        + ", memoryBytes="
        + memoryBytes
        + ", tmpfs="
        + tmpfs
        + ", extraHosts="
        + extraHosts
        + "]";
  }
}
