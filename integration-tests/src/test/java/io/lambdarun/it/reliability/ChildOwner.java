package io.lambdarun.it.reliability;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** A child JVM running {@link OrphanOwnerMain}, with the instance handles it printed. */
final class ChildOwner implements AutoCloseable {

  private final Process process;
  private final BufferedReader out;
  private final Path log;
  private final List<String> instanceIds = new ArrayList<>();
  private final List<String> handles = new ArrayList<>();
  private final List<BlockedHandler> blocked = new ArrayList<>();

  /**
   * A handler the child left blocked mid-invocation, and the grandchild it started outside its
   * process tree and session.
   *
   * @param pid the handler's (runtime client's) process id
   * @param grandchildPid the grandchild's process id
   */
  record BlockedHandler(long pid, long grandchildPid) {}

  private ChildOwner(Process process, Path log) {
    this.process = process;
    this.log = log;
    this.out = new BufferedReader(new InputStreamReader(process.getInputStream(), UTF_8));
  }

  /** Starts a child owner and waits until its instances are warm. */
  static ChildOwner start(String backend, int functions, String prefix) throws Exception {
    return start(backend, functions, prefix, Map.of());
  }

  /**
   * Starts a child owner whose instances are each left mid-invocation with a blocked handler and a
   * detached grandchild ({@link OrphanOwnerMain}'s mode {@code blocked}), and waits until they are.
   */
  static ChildOwner startBlocked(String backend, int functions, String prefix) throws Exception {
    ChildOwner child = start(backend, functions, prefix, Map.of(), List.of("blocked"));
    if (child.blocked.size() != functions) {
      throw new AssertionError(
          "child owner '"
              + prefix
              + "' blocked "
              + child.blocked
              + "; log:\n"
              + Files.readString(child.log));
    }
    return child;
  }

  /** Starts a child owner with configuration as system properties and waits until it is ready. */
  static ChildOwner start(
      String backend, int functions, String prefix, Map<String, String> properties)
      throws Exception {
    return start(backend, functions, prefix, properties, List.of());
  }

  private static ChildOwner start(
      String backend,
      int functions,
      String prefix,
      Map<String, String> properties,
      List<String> mode)
      throws Exception {
    Path log = Files.createDirectories(Path.of("target", "reliability")).resolve(prefix + ".log");
    Path java = Path.of(System.getProperty("java.home"), "bin", "java");
    List<String> command =
        new ArrayList<>(List.of(java.toString(), "-cp", System.getProperty("java.class.path")));
    properties.forEach((key, value) -> command.add("-D" + key + "=" + value));
    command.addAll(
        List.of(OrphanOwnerMain.class.getName(), backend, Integer.toString(functions), prefix));
    command.addAll(mode);
    Process process = new ProcessBuilder(command).redirectError(log.toFile()).start();
    ChildOwner child = new ChildOwner(process, log);
    try {
      CompletableFuture.runAsync(child::readUntilReady).get(120, TimeUnit.SECONDS);
    } catch (Exception e) {
      process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      throw new AssertionError(
          "child owner '"
              + prefix
              + "' did not get ready: "
              + e
              + "; its log:\n"
              + Files.readString(log),
          e);
    }
    if (child.handles.size() != functions) {
      throw new AssertionError(
          "child owner '"
              + prefix
              + "' printed "
              + child.handles
              + "; log:\n"
              + Files.readString(log));
    }
    return child;
  }

  private void readUntilReady() {
    try {
      String line;
      while ((line = out.readLine()) != null) {
        if (line.equals("READY")) {
          return;
        }
        String[] parts = line.split(" ");
        if (parts.length == 3 && parts[0].equals("INSTANCE")) {
          instanceIds.add(parts[1]);
          handles.add(parts[2]);
        } else if (parts.length == 3 && parts[0].equals("BLOCKED")) {
          blocked.add(new BlockedHandler(Long.parseLong(parts[1]), Long.parseLong(parts[2])));
        }
      }
      throw new IllegalStateException("the child ended before READY");
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  long pid() {
    return process.pid();
  }

  /** Container ids (docker) or process ids (local) of the child's warm instances. */
  List<String> handles() {
    return handles;
  }

  List<String> instanceIds() {
    return instanceIds;
  }

  /** The handlers left blocked, in a child started with {@link #startBlocked}. */
  List<BlockedHandler> blocked() {
    return blocked;
  }

  /** Kills the child JVM with SIGKILL and waits until it is gone. */
  void kill9() throws InterruptedException {
    process.destroyForcibly();
    if (!process.waitFor(30, TimeUnit.SECONDS)) {
      throw new AssertionError("child " + pid() + " survived SIGKILL");
    }
  }

  /** Closes the child's input, which makes it close its runtime and exit; returns its last line. */
  String closeGracefully() throws Exception {
    process.getOutputStream().close();
    String last = null;
    String line;
    while ((line = out.readLine()) != null) {
      last = line;
    }
    if (!process.waitFor(60, TimeUnit.SECONDS)) {
      throw new AssertionError("child " + pid() + " did not exit; log:\n" + Files.readString(log));
    }
    return last;
  }

  @Override
  public void close() throws InterruptedException {
    if (process.isAlive()) {
      process.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
    }
  }
}
