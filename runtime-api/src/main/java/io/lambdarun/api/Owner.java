package io.lambdarun.api;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The identity of a process that launches instances: a random id, its process id and its host.
 *
 * <p>Every instance carries its owner's {@link #labels()}. After a crash (even {@code SIGKILL}),
 * the next runtime on the same host finds the instances whose owner process is gone and removes
 * them ({@link ContainerRuntime#sweepOrphans()}); instances of live owners, including other
 * processes sharing the same Docker engine or cluster, are never touched.
 *
 * @param id a random id, unique per runtime, label-safe
 * @param pid the owning process's id
 * @param host the owning process's host name, label-safe and lower-case
 */
public record Owner(String id, long pid, String host) {

  private static final SecureRandom RANDOM = new SecureRandom();

  /**
   * Validates the components.
   *
   * @param id a random id, unique per runtime, label-safe
   * @param pid the owning process's id
   * @param host the owning process's host name, label-safe and lower-case
   */
  public Owner {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(host, "host");
    if (!id.equals(Labels.safeValue(id)) || id.isEmpty()) {
      throw new IllegalArgumentException("owner id '" + id + "' is not a safe label value");
    }
  }

  /**
   * Creates a new owner for the current process with a fresh random id.
   *
   * @return the owner
   */
  public static Owner forCurrentProcess() {
    byte[] bytes = new byte[6];
    RANDOM.nextBytes(bytes);
    return new Owner(
        "lr-" + HexFormat.of().formatHex(bytes), ProcessHandle.current().pid(), localHost());
  }

  /**
   * Returns the owner labels every launched instance carries: {@link Labels#MANAGED_BY}, {@link
   * Labels#OWNER}, {@link Labels#OWNER_PID} and {@link Labels#OWNER_HOST}, in that order.
   *
   * @return an ordered, modifiable copy
   */
  public Map<String, String> labels() {
    Map<String, String> labels = new LinkedHashMap<>();
    labels.put(Labels.MANAGED_BY, Labels.MANAGED_BY_VALUE);
    labels.put(Labels.OWNER, id);
    labels.put(Labels.OWNER_PID, Long.toString(pid));
    labels.put(Labels.OWNER_HOST, host);
    return labels;
  }

  /**
   * Reads the owner back from a launched resource's labels.
   *
   * @param labels the resource's labels
   * @return the owner, or empty when the labels lack an owner or hold malformed values
   */
  public static Optional<Owner> fromLabels(Map<String, String> labels) {
    String id = labels.get(Labels.OWNER);
    String pid = labels.get(Labels.OWNER_PID);
    String host = labels.get(Labels.OWNER_HOST);
    if (id == null
        || pid == null
        || host == null
        || id.isEmpty()
        || !id.equals(Labels.safeValue(id))) {
      return Optional.empty();
    }
    try {
      return Optional.of(new Owner(id, Long.parseLong(pid), host));
    } catch (NumberFormatException e) {
      return Optional.empty();
    }
  }

  /**
   * Tells whether this owner provably no longer exists: it ran on this host and its process is
   * gone. Owners on other hosts are never considered dead, since their liveness cannot be checked
   * from here.
   *
   * @return true when the owning process ran on this host and is not alive
   */
  public boolean isDeadOnThisHost() {
    return host.equals(localHost())
        && ProcessHandle.of(pid).map(handle -> !handle.isAlive()).orElse(true);
  }

  private static String localHost() {
    return LocalHost.NAME;
  }

  /** Resolves the host name once, on first use, since a lookup may be slow. */
  private static final class LocalHost {
    private static final String NAME = resolve();

    private static String resolve() {
      String name;
      try {
        name = InetAddress.getLocalHost().getHostName();
      } catch (UnknownHostException e) {
        name = "localhost";
      }
      String safe = Labels.safeLowerValue(name);
      return safe.isEmpty() ? "localhost" : safe;
    }
  }
}
