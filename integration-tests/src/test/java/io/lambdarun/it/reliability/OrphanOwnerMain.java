package io.lambdarun.it.reliability;

import static java.nio.charset.StandardCharsets.UTF_8;

import io.lambdarun.core.LambdaRuntime;
import io.lambdarun.core.WarmInstance;
import io.lambdarun.core.model.LambdaFunction;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A separate embedding process for {@link OrphanSweepIT}: launches warm instances on a backend,
 * prints one {@code INSTANCE <id> <container id or pid>} line each and then {@code READY}, and
 * keeps them warm until its standard input closes, when it closes its runtime and prints {@code
 * CLOSED}. Killed with {@code SIGKILL}, it leaves its instances behind as orphans.
 *
 * <p>With the mode {@code blocked}, each instance is then left mid-invocation: its handler started
 * a grandchild outside its process tree and session and blocks (see {@link
 * Fixtures#HANDLER_SOURCE}); one {@code BLOCKED <handler pid> <grandchild pid>} line each precedes
 * {@code READY}.
 */
public final class OrphanOwnerMain {

  private static final int BLOCKED_TIMEOUT_SECONDS = 900;

  private OrphanOwnerMain() {}

  /**
   * Runs the owner.
   *
   * @param args the backend, the number of functions to warm, a function name prefix, and
   *     optionally the mode {@code blocked}
   * @throws IOException if standard input fails
   * @throws InterruptedException if interrupted while waiting for a blocked handler
   */
  public static void main(String[] args) throws IOException, InterruptedException {
    String backend = args[0];
    int count = Integer.parseInt(args[1]);
    String prefix = args[2];
    boolean blocked = args.length > 3 && args[3].equals("blocked");
    LambdaRuntime runtime = Fixtures.runtime(backend).sweepOrphansOnStart(false).build();
    List<LambdaFunction> functions = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      functions.add(Fixtures.function(prefix + "-" + i, blocked ? BLOCKED_TIMEOUT_SECONDS : 30));
      runtime.invoke(functions.get(i), Fixtures.event("echo", i));
    }
    for (WarmInstance instance : runtime.warmInstances()) {
      String handle = instance.details().getOrDefault("containerId", instance.details().get("pid"));
      System.out.println("INSTANCE " + instance.instanceId() + " " + handle);
    }
    if (blocked) {
      for (LambdaFunction function : functions) {
        System.out.println("BLOCKED " + block(runtime, function));
      }
    }
    System.out.println("READY");
    System.out.flush();
    while (System.in.read() != -1) {
      // keep the instances warm until the parent closes our input
    }
    runtime.close();
    System.out.println("CLOSED");
    System.out.flush();
  }

  /** Sends the function an event that blocks its handler; returns the pids the handler reported. */
  private static String block(LambdaRuntime runtime, LambdaFunction function)
      throws IOException, InterruptedException {
    Path pids =
        Files.createDirectories(Path.of("target", "reliability"))
            .resolve(function.functionName() + ".pids");
    Files.deleteIfExists(pids);
    Thread caller =
        new Thread(() -> runtime.invoke(function, Fixtures.blockEvent(pids)), "blocked-caller");
    caller.setDaemon(true);
    caller.start();
    for (int wait = 0; !Files.exists(pids); wait++) {
      if (wait == 3000) {
        throw new IllegalStateException("function '" + function.functionName() + "' did not block");
      }
      Thread.sleep(20);
    }
    return Files.readString(pids, UTF_8);
  }
}
