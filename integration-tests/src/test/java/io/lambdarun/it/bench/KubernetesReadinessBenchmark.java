package io.lambdarun.it.bench;

import static java.nio.charset.StandardCharsets.UTF_8;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import io.lambdarun.api.RuntimeConfig;
import io.lambdarun.core.LambdaRuntime;
import io.lambdarun.core.model.InvocationResult;
import io.lambdarun.it.bench.Bench.Report;
import io.lambdarun.it.bench.Bench.Stats;
import io.lambdarun.k8s.kubelet.TestKubelet;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Figure 4: the time from the test kubelet reporting a pod Running and Ready with a podIP (the
 * moment its status write reaches the mock API server, stamped by the server's dispatcher) to the
 * backend's {@code launch} returning (stamped by a delegating backend around the real one), inside
 * a cold {@code LambdaRuntime.invoke} on the {@code kubernetes} backend.
 */
final class KubernetesReadinessBenchmark {

  private static final String NAMESPACE = "lambdarun-bench";
  private static final Pattern STATUS_PATH =
      Pattern.compile("/api/v1/namespaces/[^/]+/pods/([^/?]+)/status.*");
  private static final byte[] EVENT = "{\"name\":\"world\"}".getBytes(UTF_8);

  private KubernetesReadinessBenchmark() {}

  /** The CRUD dispatcher, stamping each pod's first Running-with-podIP status write. */
  private static final class StampingDispatcher extends KubernetesCrudDispatcher {
    final Map<String, Long> readyAt = new ConcurrentHashMap<>();

    @Override
    public MockResponse dispatch(RecordedRequest request) {
      long now = System.nanoTime();
      String method = request.getMethod();
      if (method.equals("PUT") || method.equals("PATCH")) {
        Matcher status = STATUS_PATH.matcher(request.getPath());
        if (status.matches()) {
          String body = new String(request.getBody().getBytes(), UTF_8); // does not consume
          if (body.contains("\"Running\"")
              && body.contains("\"podIP\"")
              && body.contains("\"Ready\"")) {
            readyAt.putIfAbsent(status.group(1), now);
          }
        }
      }
      return super.dispatch(request);
    }
  }

  static void run(Report report) throws Exception {
    String arms = System.getProperty("bench.k8s.arms", "kubernetes-rie,kubernetes");
    for (String arm : arms.split(",")) {
      runOn(report, arm.trim());
    }
    report.note(
        "modes: kubernetes-rie = lambdarun.kubernetes.instance-protocol=rie (launch()"
            + " returns after Ready and a probe of the pod's RIE port); kubernetes = Runtime API mode,"
            + " the default (launch() returns once the pod runs with its container started; the test"
            + " kubelet runs such pods in host network mode against core's Runtime API on 127.0.0.1,"
            + " and core then waits for the runtime client's first /next, inside the cold invoke)");
    report.note(
        "start: the kubelet's status write (Running, Ready, podIP) arriving at fabric8's"
            + " CRUD mock API server (stamped in its dispatcher before it is applied); end: the"
            + " backend's launch() returning (stamped by a delegating backend); same JVM, nanoTime");
  }

  private static void runOn(Report report, String arm) throws Exception {
    int warmup = Bench.setting("warmup", 2);
    int rounds = Bench.setting("k8s.rounds", 15);
    StampingDispatcher dispatcher = new StampingDispatcher();
    KubernetesMockServer server =
        new KubernetesMockServer(
            new Context(), new MockWebServer(), new HashMap<>(), dispatcher, false);
    server.init(InetAddress.getByName("127.0.0.1"), 0);
    KubernetesClient kubeletClient = server.createClient();
    List<Long> gaps = new ArrayList<>();
    List<Long> colds = new ArrayList<>();
    try (TestKubelet kubelet = new TestKubelet(kubeletClient, NAMESPACE).start()) {
      RuntimeConfig config =
          RuntimeConfig.of(
              Map.of(
                  "lambdarun.kubernetes.master-url",
                  "http://127.0.0.1:" + server.getPort(),
                  "lambdarun.kubernetes.namespace",
                  NAMESPACE,
                  "lambdarun.kubernetes.artifact-url",
                  "http://127.0.0.1",
                  "lambdarun.kubernetes.artifact-bind-address",
                  "127.0.0.1",
                  "lambdarun.kubernetes.instance-protocol",
                  Bench.modeOf(arm).startsWith("RIE") ? "rie" : "runtime-api"));
      Bench.TapProvider tap = new Bench.TapProvider("kubernetes");
      try (LambdaRuntime runtime =
          LambdaRuntime.builder()
              .addProvider(tap)
              .backend(tap.backendName())
              .config(config)
              .imageMappings(Bench.IMAGE_MAPPINGS)
              .maxInstancesPerFunction(1)
              .build()) {
        for (int i = 0; i < warmup + rounds; i++) {
          String name = "bench-k8s-" + i;
          long start = System.nanoTime();
          InvocationResult result = runtime.invoke(Bench.hello(name), EVENT);
          long cold = System.nanoTime() - start;
          if (!result.payloadUtf8().contains("Hello, world!") || !result.coldStart()) {
            throw new IllegalStateException("answered '" + result.payloadUtf8() + "'");
          }
          String pod = tap.launched.get(tap.launched.size() - 1).id();
          Long ready = dispatcher.readyAt.get(pod);
          if (ready == null) {
            throw new IllegalStateException(
                "no Running+Ready status write seen for pod "
                    + pod
                    + " (seen: "
                    + dispatcher.readyAt.keySet()
                    + ")");
          }
          long gap = tap.lastLaunchEnd - ready;
          System.out.printf(
              "  %s %d: Ready->launch returned %.1f ms, cold invoke %.0f ms%n",
              i < warmup ? "warmup" : "round", i, gap / 1e6, cold / 1e6);
          if (i >= warmup) {
            gaps.add(gap);
            colds.add(cold);
          }
          runtime.evict(name);
        }
      }
    } finally {
      kubeletClient.close();
      server.destroy();
    }
    Stats g = Stats.ofNanos(gaps);
    Stats c = Stats.ofNanos(colds);
    report.row(
        Bench.describe(arm) + ", Ready+podIP reported -> launch returned (ms), " + rounds + " pods",
        "fakecloud: polls every 1000 ms",
        g.mmm(),
        "median " + Bench.fmt(g.median()) + " ms",
        "median <= 50 ms",
        g.median() <= 50);
    report.note(
        Bench.describe(arm)
            + ": cold invoke for reference (ms, min / median / max): "
            + c.mmm()
            + (Bench.modeOf(arm).startsWith("RIE")
                ? "; the test kubelet itself checks the container's port every 100 ms before it"
                    + " reports Ready, which is outside this figure"
                : ""));
  }
}
