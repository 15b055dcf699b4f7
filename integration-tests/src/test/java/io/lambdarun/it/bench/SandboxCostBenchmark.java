package io.lambdarun.it.bench;

import static java.nio.charset.StandardCharsets.UTF_8;

import io.lambdarun.core.LambdaRuntime;
import io.lambdarun.core.model.InvocationResult;
import io.lambdarun.core.model.LambdaFunction;
import io.lambdarun.it.bench.Bench.Report;
import io.lambdarun.it.bench.Bench.Stats;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Figure {@code sandbox}: what Lambda's sandbox costs on Docker (issue 15). The same cold and warm
 * invokes of the hello function with {@code lambdarun.docker.sandbox=false} (the floor: the
 * container as before, code copied in, root, writable root file system) and with the sandbox (the
 * subject: code bind-mounted read-only from a staged folder, read-only root, uid 993, no
 * capabilities, {@code no-new-privileges}, nofile and nproc 1,024), in each instance mode, the two
 * runtimes alternating which goes first every round.
 */
final class SandboxCostBenchmark {

  private static final byte[] EVENT = "{\"name\":\"world\"}".getBytes(UTF_8);
  private static final String ANSWER = "{\"message\": \"Hello, world!\"}";

  private SandboxCostBenchmark() {}

  static void run(Report report) throws Exception {
    String arms = System.getProperty("bench.sandbox.arms", "docker,docker-rie");
    for (String arm : arms.split(",")) {
      runOn(report, arm.trim());
    }
    report.note(
        "floor = the same runtime with lambdarun.docker.sandbox=false; lambdarun = the"
            + " default, the sandbox on; cold: a new function each round, evicted after it answered,"
            + " outside the timing; warm: one warm instance per runtime, batches of 20 invokes"
            + " alternating between the two runtimes");
  }

  private static void runOn(Report report, String arm) throws Exception {
    int warmup = Bench.setting("warmup", 2);
    int rounds = Bench.setting("sandbox.rounds", 15);
    int warmInvokes = Bench.setting("sandbox.warm", 1000);
    Map<String, String> base =
        arm.equals("docker-rie") ? Bench.DOCKER_RIE : Bench.DOCKER_RUNTIME_API;
    Map<String, String> off = new HashMap<>(base);
    off.put("lambdarun.docker.sandbox", "false");
    List<Long> coldOff = new ArrayList<>();
    List<Long> coldOn = new ArrayList<>();
    List<Long> warmOff = new ArrayList<>();
    List<Long> warmOn = new ArrayList<>();
    try (LambdaRuntime withoutSandbox = runtime(off);
        LambdaRuntime withSandbox = runtime(base)) {
      for (int i = 0; i < warmup + rounds; i++) {
        long a;
        long b;
        if (i % 2 == 0) {
          a = coldOnce(withoutSandbox, "bench-sandbox-off-" + i);
          b = coldOnce(withSandbox, "bench-sandbox-on-" + i);
        } else {
          b = coldOnce(withSandbox, "bench-sandbox-on-" + i);
          a = coldOnce(withoutSandbox, "bench-sandbox-off-" + i);
        }
        System.out.printf(
            "  %s cold %d: sandbox off %.1f ms, on %.1f ms%n", arm, i, a / 1e6, b / 1e6);
        if (i >= warmup) {
          coldOff.add(a);
          coldOn.add(b);
        }
      }
      LambdaFunction warmOffFunction = Bench.hello("bench-sandbox-warm-off");
      LambdaFunction warmOnFunction = Bench.hello("bench-sandbox-warm-on");
      for (int i = 0; i < 200; i++) {
        warmOnce(withoutSandbox, warmOffFunction);
        warmOnce(withSandbox, warmOnFunction);
      }
      for (int batch = 0; batch * 20 < warmInvokes; batch++) {
        boolean offFirst = batch % 2 == 0;
        for (int pass = 0; pass < 2; pass++) {
          boolean sandboxOff = (pass == 0) == offFirst;
          for (int j = 0; j < 20; j++) {
            if (sandboxOff) {
              warmOff.add(warmOnce(withoutSandbox, warmOffFunction));
            } else {
              warmOn.add(warmOnce(withSandbox, warmOnFunction));
            }
          }
        }
      }
    }
    row(
        report,
        Bench.describe(arm) + ", cold invoke until response (ms), " + rounds + " pairs",
        coldOff,
        coldOn);
    row(
        report,
        Bench.describe(arm) + ", warm invoke of 16 bytes (ms), " + warmOn.size() + " each",
        warmOff,
        warmOn);
  }

  private static void row(Report report, String what, List<Long> off, List<Long> on) {
    Stats floor = Stats.ofNanos(off);
    Stats subject = Stats.ofNanos(on);
    double ratio = subject.median() / floor.median();
    report.row(what, floor.mmm(), subject.mmm(), Bench.fmt(ratio), "median <= 1.10", ratio <= 1.10);
  }

  private static LambdaRuntime runtime(Map<String, String> overrides) {
    return LambdaRuntime.builder()
        .config(Bench.config(overrides))
        .backend("docker")
        .imageMappings(Bench.IMAGE_MAPPINGS)
        .maxInstancesPerFunction(1)
        .build();
  }

  /** One cold invoke on a function name never used before; removes the instance afterwards. */
  private static long coldOnce(LambdaRuntime runtime, String name) {
    long start = System.nanoTime();
    InvocationResult result = runtime.invoke(Bench.hello(name), EVENT);
    long elapsed = System.nanoTime() - start;
    check(result);
    if (!result.coldStart()) {
      throw new IllegalStateException("expected a cold start for " + name);
    }
    runtime.evict(name);
    return elapsed;
  }

  private static long warmOnce(LambdaRuntime runtime, LambdaFunction function) {
    long start = System.nanoTime();
    InvocationResult result = runtime.invoke(function, EVENT);
    long elapsed = System.nanoTime() - start;
    check(result);
    return elapsed;
  }

  private static void check(InvocationResult result) {
    if (!result.payloadUtf8().equals(ANSWER)) {
      throw new IllegalStateException("unexpected answer " + result.payloadUtf8());
    }
  }
}
