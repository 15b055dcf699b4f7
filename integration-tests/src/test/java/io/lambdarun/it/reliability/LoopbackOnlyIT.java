package io.lambdarun.it.reliability;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import com.github.dockerjava.api.command.InspectContainerResponse;
import com.github.dockerjava.api.model.Ports;
import io.lambdarun.api.RuntimeConfig;
import io.lambdarun.core.LambdaRuntime;
import io.lambdarun.core.WarmInstance;
import io.lambdarun.docker.DockerConfigKeys;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Instances are reachable on 127.0.0.1 only: in RIE-endpoint mode Docker publishes container ports
 * on 127.0.0.1; in Runtime API mode a container publishes no port and every socket core listens on
 * for it (and for local processes) is bound to 127.0.0.1. Proven both from the kernel's socket
 * table and functionally: 127.0.0.2, another loopback address, is refused.
 */
class LoopbackOnlyIT {

  @Test
  void dockerInRieModePublishesInstancePortsOn127001Only() throws Exception {
    RuntimeConfig rieOnBridge =
        RuntimeConfig.of(
            Map.of(DockerConfigKeys.INSTANCE_PROTOCOL, "rie", DockerConfigKeys.NETWORK, "bridge"));
    try (LambdaRuntime runtime = Fixtures.runtime("docker").config(rieOnBridge).build()) {
      runtime.invoke(Fixtures.function("loopback-docker", 30), Fixtures.event("echo", 1));
      WarmInstance instance = runtime.warmInstances().get(0);
      InspectContainerResponse container =
          Fixtures.docker().inspectContainerCmd(instance.details().get("containerId")).exec();

      Map<?, Ports.Binding[]> published = container.getNetworkSettings().getPorts().getBindings();
      List<String> hostIps = new ArrayList<>();
      List<Integer> hostPorts = new ArrayList<>();
      published.values().stream()
          .filter(bindings -> bindings != null)
          .flatMap(Stream::of)
          .forEach(
              binding -> {
                hostIps.add(binding.getHostIp());
                hostPorts.add(Integer.parseInt(binding.getHostPortSpec()));
              });
      Map<?, Ports.Binding[]> requested = container.getHostConfig().getPortBindings().getBindings();

      assertThat(hostIps).isNotEmpty().containsOnly("127.0.0.1");
      assertThat(requested.values())
          .allSatisfy(
              bindings ->
                  assertThat(Stream.of(bindings).map(Ports.Binding::getHostIp))
                      .containsOnly("127.0.0.1"));
      for (int port : hostPorts) {
        assertThat(accepts("127.0.0.1", port)).as("127.0.0.1:%s", port).isTrue();
        assertThat(accepts("127.0.0.2", port)).as("127.0.0.2:%s", port).isFalse();
      }
    }
  }

  @Test
  void dockerInRuntimeApiModePublishesNoPortAndCoreListensOn127001Only() throws Exception {
    RuntimeConfig hostNetwork = RuntimeConfig.of(Map.of(DockerConfigKeys.NETWORK, "host"));
    Set<Listener> before = listenersOfThisJvm();
    try (LambdaRuntime runtime = Fixtures.runtime("docker").config(hostNetwork).build()) {
      runtime.invoke(Fixtures.function("loopback-docker-api", 30), Fixtures.event("echo", 1));
      WarmInstance instance = runtime.warmInstances().get(0);
      InspectContainerResponse container =
          Fixtures.docker().inspectContainerCmd(instance.details().get("containerId")).exec();
      Set<Listener> opened = listenersOfThisJvm();
      opened.removeAll(before);
      String runtimeApi = instance.details().get("runtimeApi");

      assertThat(container.getHostConfig().getNetworkMode()).isEqualTo("host");
      assertThat(container.getHostConfig().getPortBindings())
          .satisfiesAnyOf(
              bindings -> assertThat(bindings).isNull(),
              bindings -> assertThat(bindings.getBindings()).isEmpty());
      assertThat(runtimeApi).startsWith("127.0.0.1:");
      int port = Integer.parseInt(runtimeApi.substring(runtimeApi.indexOf(':') + 1));
      assertThat(opened).contains(new Listener("127.0.0.1", port));
      assertThat(opened)
          .allSatisfy(listener -> assertThat(listener.address()).isEqualTo("127.0.0.1"));
      assertThat(accepts("127.0.0.2", port)).as("127.0.0.2:%s", port).isFalse();
    }
  }

  @Test
  void localBackendListensOn127001Only() throws Exception {
    Set<Listener> before = listenersOfThisJvm();
    try (LambdaRuntime runtime = Fixtures.runtime("local").build()) {
      runtime.invoke(Fixtures.function("loopback-local-a", 30), Fixtures.event("echo", 1));
      runtime.invoke(Fixtures.function("loopback-local-b", 30), Fixtures.event("echo", 2));
      Set<Listener> opened = listenersOfThisJvm();
      opened.removeAll(before);
      List<Integer> runtimeApiPorts = runtimeApiPortsOfThisJvmsProcesses();

      assertThat(runtime.warmInstances()).hasSize(2);
      assertThat(opened).as("sockets the local backend listens on").isNotEmpty();
      assertThat(opened)
          .allSatisfy(listener -> assertThat(listener.address()).isEqualTo("127.0.0.1"));
      assertThat(runtimeApiPorts).hasSize(2);
      assertThat(opened.stream().map(Listener::port)).containsAll(runtimeApiPorts);
      for (Listener listener : opened) {
        assertThat(accepts("127.0.0.1", listener.port()))
            .as("127.0.0.1:%s", listener.port())
            .isTrue();
        assertThat(accepts("127.0.0.2", listener.port()))
            .as("127.0.0.2:%s", listener.port())
            .isFalse();
      }
    }
  }

  /** A listening TCP socket: its bound address (IPv4 dotted, or IPv6 hex) and port. */
  record Listener(String address, int port) {}

  /** The listening TCP sockets this JVM holds, from /proc/net/tcp{,6} and /proc/self/fd. */
  private static Set<Listener> listenersOfThisJvm() throws IOException {
    Set<String> inodes = new HashSet<>();
    try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
      fds.forEach(
          fd -> {
            try {
              String target = Files.readSymbolicLink(fd).toString();
              if (target.startsWith("socket:[")) {
                inodes.add(target.substring(8, target.length() - 1));
              }
            } catch (IOException e) {
              // closed meanwhile
            }
          });
    }
    Set<Listener> listeners = new HashSet<>();
    for (String table : List.of("/proc/net/tcp", "/proc/net/tcp6")) {
      List<String> lines = Files.readAllLines(Path.of(table), UTF_8);
      for (String line : lines.subList(1, lines.size())) {
        String[] f = line.trim().split("\\s+");
        if (f[3].equals("0A") && inodes.contains(f[9])) {
          String[] local = f[1].split(":");
          listeners.add(new Listener(address(local[0]), Integer.parseInt(local[1], 16)));
        }
      }
    }
    return listeners;
  }

  /** Decodes /proc/net's little-endian hex address; IPv4-mapped IPv6 becomes dotted IPv4. */
  private static String address(String hex) {
    if (hex.length() == 32 && hex.startsWith("0000000000000000FFFF0000")) {
      hex = hex.substring(24);
    }
    if (hex.length() != 8) {
      return hex;
    }
    long value = Long.parseLong(hex, 16);
    return (value & 0xff)
        + "."
        + (value >> 8 & 0xff)
        + "."
        + (value >> 16 & 0xff)
        + "."
        + (value >> 24 & 0xff);
  }

  /**
   * The ports in AWS_LAMBDA_RUNTIME_API of the processes the local backend started for this JVM.
   */
  private static List<Integer> runtimeApiPortsOfThisJvmsProcesses() throws IOException {
    Set<Integer> ports = new HashSet<>();
    for (long pid : Fixtures.localProcessesOfThisJvm()) {
      byte[] environ = Files.readAllBytes(Path.of("/proc", Long.toString(pid), "environ"));
      for (String variable : new String(environ, UTF_8).split("\0")) {
        if (variable.startsWith("AWS_LAMBDA_RUNTIME_API=")) {
          String value = variable.substring("AWS_LAMBDA_RUNTIME_API=".length());
          assertThat(value).startsWith("127.0.0.1:");
          ports.add(Integer.parseInt(value.substring(value.indexOf(':') + 1)));
        }
      }
    }
    return new ArrayList<>(ports);
  }

  private static boolean accepts(String host, int port) throws IOException {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress(host, port), 2000);
      return true;
    } catch (ConnectException e) {
      return false;
    }
  }
}
