package io.lambdarun.it.reliability;

import io.lambdarun.core.LambdaRuntime;
import io.lambdarun.core.WarmInstance;
import java.io.IOException;

/**
 * A separate embedding process for {@link OrphanSweepIT}: launches warm instances on a backend,
 * prints one {@code INSTANCE <id> <container id or pid>} line each and then {@code READY}, and
 * keeps them warm until its standard input closes, when it closes its runtime and prints {@code
 * CLOSED}. Killed with {@code SIGKILL}, it leaves its instances behind as orphans.
 */
public final class OrphanOwnerMain {

  private OrphanOwnerMain() {}

  /**
   * Runs the owner.
   *
   * @param args the backend, the number of functions to warm, a function name prefix
   * @throws IOException if standard input fails
   */
  public static void main(String[] args) throws IOException {
    String backend = args[0];
    int count = Integer.parseInt(args[1]);
    String prefix = args[2];
    LambdaRuntime runtime = Fixtures.runtime(backend).sweepOrphansOnStart(false).build();
    for (int i = 0; i < count; i++) {
      runtime.invoke(Fixtures.function(prefix + "-" + i, 30), Fixtures.event("echo", i));
    }
    for (WarmInstance instance : runtime.warmInstances()) {
      String handle = instance.details().getOrDefault("containerId", instance.details().get("pid"));
      System.out.println("INSTANCE " + instance.instanceId() + " " + handle);
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
}
