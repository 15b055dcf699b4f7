package io.lambdarun.it.bench;

import io.lambdarun.core.LambdaRuntime;
import io.lambdarun.core.model.InvocationResult;
import io.lambdarun.core.model.InvokeOptions;
import io.lambdarun.core.model.LambdaFunction;
import io.lambdarun.core.model.ProvisionedConcurrency;
import io.lambdarun.core.runtimeapi.RuntimeApiAnswer;
import io.lambdarun.core.runtimeapi.RuntimeApiHost;
import io.lambdarun.core.runtimeapi.RuntimeApiInstance;
import io.lambdarun.it.bench.Bench.Report;
import io.lambdarun.it.bench.Bench.Stats;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * Figure: the first invocation of a provisioned function version (issue 14 target 1) against the
 * warm floor. Each round provisions a function never invoked ({@code LambdaRuntime.provision(fn,
 * 1)}, waited for until {@code READY}), then times its first {@code invoke} (1 KB), interleaved
 * with the raw Runtime API round trip of the warm figure ({@link RawRuntimeApi} on an instance of
 * the same spec), the first event of an instance started ahead on a raw Runtime API (what the
 * runtime's first event costs by itself) and, as a reference, the first {@code invoke} of a
 * function that was not provisioned (an on-demand cold start).
 */
final class ProvisionedInvokeBenchmark {

  private ProvisionedInvokeBenchmark() {}

  static void run(Report report) throws Exception {
    String backends = System.getProperty("bench.backends", "local,docker");
    for (String backend : backends.split(",")) {
      runOn(report, backend.trim());
    }
    report.note(
        "floor: the raw Runtime API round trip of the warm figure (a RawRuntimeApi in the"
            + " harness driving a second instance of the same spec, 1 KB); subject: the first"
            + " LambdaRuntime.invoke of a function version provisioned with provision(fn, 1) and"
            + " waited for until READY, a new function every round; diagnosis arms: the first event of"
            + " an instance of the same spec launched ahead on a RawRuntimeApi of its own, and on"
            + " core's RuntimeApiHost alone (RuntimeApiInstance.invoke), a new one of each every round,"
            + " and the provisioned version's second invoke right after its first; reference: the first"
            + " invoke of a function that was not provisioned (on-demand cold start); the arms run in a"
            + " random order every round");
  }

  private static void runOn(Report report, String backend) throws Exception {
    Bench.TapProvider tap = new Bench.TapProvider(Bench.backendOf(backend));
    int rounds = Bench.setting("provisioned.rounds", 15);
    byte[] payload = Bench.payload(1024);
    String expected = "{\"size\": " + (1024 - 11) + "}";
    try (LambdaRuntime runtime = Bench.runtime(tap, backend).maxInstancesPerFunction(1).build();
        RuntimeApiHost host = RuntimeApiHost.start("bench-host")) {
      LambdaFunction first = Bench.benchFunction("bench-prov-floor", "echo");
      runtime.invoke(first, payload);
      try (RawRuntimeApi raw =
          RawRuntimeApi.launch(tap.backend, tap.specs.get(0), Duration.ofSeconds(60))) {
        List<Long> floor = new ArrayList<>();
        List<Long> subject = new ArrayList<>();
        List<Long> onDemand = new ArrayList<>();
        List<Long> fresh = new ArrayList<>();
        List<Long> second = new ArrayList<>();
        List<Long> hostFirst = new ArrayList<>();
        List<Integer> order = new ArrayList<>(List.of(0, 1, 2, 3, 4));
        java.util.Random shuffle = new java.util.Random(42);
        // compile the paths every arm takes, as in a JVM that has served traffic: the rounds then
        // time an instance's first event, not the JIT's first look at core's code
        int warmup = Bench.setting("provisioned.warmup", 2000);
        try (RuntimeApiInstance warming =
            host.launch(tap.backend, tap.specs.get(0), Duration.ofSeconds(60))) {
          try {
            for (int i = 0; i < warmup; i++) {
              raw.time(raw.event(payload), expected);
              runtime.invoke(first, payload);
              timeHost(warming, payload, expected);
            }
          } finally {
            tap.backend.terminate(warming.instance());
          }
        }
        for (int i = 0; i < rounds; i++) {
          LambdaFunction provisioned = Bench.benchFunction("bench-prov-" + i, "echo");
          LambdaFunction cold = Bench.benchFunction("bench-cold-" + i, "echo");
          try (RawRuntimeApi ahead =
                  RawRuntimeApi.launch(tap.backend, tap.specs.get(0), Duration.ofSeconds(60));
              RuntimeApiInstance alone =
                  host.launch(tap.backend, tap.specs.get(0), Duration.ofSeconds(60))) {
            try {
              // provisioned last, so that it has not idled longer than the instances started ahead
              ProvisionedConcurrency state = runtime.provision(provisioned, 1).get();
              if (state.status() != ProvisionedConcurrency.Status.READY) {
                throw new IllegalStateException("provisioning ended " + state);
              }
              java.util.Collections.shuffle(order, shuffle);
              for (int k : order) {
                switch (k) {
                  case 0 -> floor.add(raw.time(raw.event(payload), expected));
                  case 1 -> {
                    subject.add(timeFirst(runtime, provisioned, payload, expected, false));
                    second.add(timeFirst(runtime, provisioned, payload, expected, false));
                  }
                  case 2 -> fresh.add(ahead.time(ahead.event(payload), expected));
                  case 3 -> hostFirst.add(timeHost(alone, payload, expected));
                  default -> onDemand.add(timeFirst(runtime, cold, payload, expected, true));
                }
              }
            } finally {
              tap.backend.terminate(alone.instance());
            }
          }
          runtime.deprovision(provisioned);
          runtime.evict(provisioned.functionName());
          runtime.evict(cold.functionName());
        }
        Stats f = Stats.ofNanos(floor);
        Stats s = Stats.ofNanos(subject);
        Stats c = Stats.ofNanos(onDemand);
        String label = Bench.describe(backend) + ", 1 KB, " + rounds + " rounds";
        double median = s.median() / f.median();
        report.row(
            label + ": first invoke of a provisioned version, median (ms)",
            f.mmm(),
            s.mmm(),
            Bench.fmt(median),
            "<= 1.10",
            median <= 1.10);
        Stats r = Stats.ofNanos(fresh);
        report.reference(
            label
                + ": diagnosis, the first event of an instance started ahead on"
                + " the raw Runtime API (the runtime's own first-event cost)",
            f.mmm(),
            r.mmm(),
            Bench.fmt(r.median() / f.median())
                + "; lambdarun / this "
                + Bench.fmt(s.median() / r.median()));
        Stats h = Stats.ofNanos(hostFirst);
        report.reference(
            label
                + ": diagnosis, the first event of an instance started ahead on"
                + " core's RuntimeApiHost alone (no pool, no FunctionInvoker)",
            f.mmm(),
            h.mmm(),
            Bench.fmt(h.median() / f.median()));
        Stats n = Stats.ofNanos(second);
        report.reference(
            label
                + ": diagnosis, the second invoke of the provisioned version, right"
                + " after its first",
            f.mmm(),
            n.mmm(),
            Bench.fmt(n.median() / f.median()));
        report.reference(
            label + ": first invoke of a function not provisioned (cold start)",
            f.mmm(),
            c.mmm(),
            Bench.fmt(c.median() / f.median()));
      }
    }
  }

  private static long timeHost(RuntimeApiInstance alone, byte[] payload, String expected) {
    long start = System.nanoTime();
    RuntimeApiAnswer answer =
        alone.invoke(UUID.randomUUID().toString(), payload, InvokeOptions.DEFAULT);
    long elapsed = System.nanoTime() - start;
    if (answer.outcome() != RuntimeApiAnswer.Outcome.SUCCESS
        || !expected.equals(answer.bodyText())) {
      throw new IllegalStateException(
          "RuntimeApiHost answered " + answer.outcome() + " '" + answer.bodyText() + "'");
    }
    return elapsed;
  }

  private static long timeFirst(
      LambdaRuntime runtime, LambdaFunction fn, byte[] payload, String expected, boolean cold) {
    long start = System.nanoTime();
    InvocationResult result = runtime.invoke(fn, payload);
    long elapsed = System.nanoTime() - start;
    if (!expected.equals(result.payloadUtf8()) || result.coldStart() != cold) {
      throw new IllegalStateException(
          "lambdarun answered '"
              + result.payloadUtf8()
              + "', cold"
              + " start "
              + result.coldStart()
              + " where "
              + cold
              + " was expected");
    }
    return elapsed;
  }
}
