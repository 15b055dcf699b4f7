package io.lambdarun.it;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import io.lambdarun.api.Archive;
import io.lambdarun.core.LambdaRuntime;
import io.lambdarun.core.model.InvocationResult;
import io.lambdarun.core.model.InvokeOptions;
import io.lambdarun.core.model.LambdaFunction;
import io.lambdarun.core.telemetry.LogRecord;
import io.lambdarun.k8s.kubelet.KubeletApiServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Lambda's log lines from real instances: every line a handler prints lands in its own invocation's
 * records and log tail under concurrency, and the {@code REPORT} line carries the instance's
 * measured peak memory (Kubernetes has none, so its line leaves the field out). Needs the backends'
 * {@code followLogs} and {@code maxMemoryUsedBytes} (issue 16); the Kubernetes arm runs pods on the
 * test kubelet, whose front streams the pod log. Closing the runtime shuts the local backend's
 * runtime clients down without an error in the function's log.
 */
class LogStreamsIT {

  private static final String NAMESPACE = "lambdarun-log-streams";
  private static KubeletApiServer cluster;

  @BeforeAll
  static void startCluster() {
    cluster = new KubeletApiServer(NAMESPACE);
  }

  @AfterAll
  static void stopCluster() {
    cluster.close();
  }

  private static final String HANDLER =
      String.join(
          "\n",
          "import time",
          "",
          "def handler(event, context):",
          "    if 'allocate' in event:",
          "        block = bytearray(event['allocate'] * 1024 * 1024)",
          "        for i in range(0, len(block), 4096):",
          "            block[i] = 1",
          "        return len(block)",
          "    for i in range(1, 6):",
          "        print('call%d line %d' % (event['n'], i), flush=True)",
          "        time.sleep(0.005)",
          "    return event['n']",
          "");

  private static final InvokeOptions TAIL = InvokeOptions.builder().logTail(true).build();

  private static final Pattern REPORT =
      Pattern.compile(
          "REPORT RequestId: (\\S+)\tDuration: (\\d+\\.\\d{2}) ms\tBilled Duration: (\\d+) ms"
              + "\tMemory Size: 512 MB(?:\tMax Memory Used: (\\d+) MB)?\t(Init Duration: \\d+\\.\\d{2}"
              + " ms\t)?");

  private static LambdaFunction function(String name) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ZipOutputStream zip = new ZipOutputStream(bytes)) {
      zip.putNextEntry(new ZipEntry("app.py"));
      zip.write(HANDLER.getBytes(UTF_8));
      zip.closeEntry();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return LambdaFunction.builder()
        .functionName(name)
        .runtime("python3.12")
        .handler("app.handler")
        .memoryMib(512)
        .timeoutSeconds(30)
        .code(Archive.ofBytes("logs", bytes.toByteArray()))
        .build();
  }

  private static String tail(InvocationResult result) {
    return new String(Base64.getDecoder().decode(result.logResult().orElseThrow()), UTF_8);
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"local", "docker", "kubernetes"})
  void sixteenConcurrentInvocationsOnFourInstancesKeepEveryLineInItsOwnRecords(String backend)
      throws Exception {
    ConcurrentLinkedQueue<LogRecord> records = new ConcurrentLinkedQueue<>();
    LambdaFunction fn = function("logs-" + backend);
    try (LambdaRuntime runtime =
        Backends.builder(backend, cluster, NAMESPACE)
            .maxInstancesPerFunction(4)
            .addLogSink(records::add)
            .build()) {
      ExecutorService callers = Executors.newFixedThreadPool(16);
      List<Future<InvocationResult>> futures = new ArrayList<>();
      for (int n = 0; n < 16; n++) {
        byte[] event = ("{\"n\": " + n + "}").getBytes(UTF_8);
        futures.add(callers.submit(() -> runtime.invoke(fn, event, TAIL)));
      }
      List<InvocationResult> results = new ArrayList<>();
      for (Future<InvocationResult> future : futures) {
        results.add(future.get());
      }
      callers.shutdown();
      assertThat(runtime.warmInstances()).hasSizeBetween(1, 4);

      for (int n = 0; n < 16; n++) {
        InvocationResult result = results.get(n);
        String id = result.requestId();
        assertThat(result.functionError()).as(result.payloadUtf8()).isEmpty();
        List<String> expected = new ArrayList<>();
        for (int i = 1; i <= 5; i++) {
          expected.add("call" + n + " line " + i);
        }
        List<String> mine =
            records.stream()
                .filter(record -> record.requestId().equals(Optional.of(id)))
                .map(LogRecord::message)
                .toList();
        assertThat(mine.get(0)).isEqualTo("START RequestId: " + id + " Version: $LATEST");
        assertThat(mine.stream().filter(line -> line.contains(" line ")).toList())
            .as("the lines attributed to call %d", n)
            .containsExactlyElementsOf(expected);
        assertThat(mine.get(mine.size() - 2)).isEqualTo("END RequestId: " + id);
        Matcher report = REPORT.matcher(mine.get(mine.size() - 1));
        assertThat(report.matches()).as(mine.get(mine.size() - 1)).isTrue();
        if (backend.equals("kubernetes")) {
          assertThat(report.group(4)).as("Max Memory Used on Kubernetes").isNull();
        } else {
          assertThat(Long.parseLong(report.group(4))).isPositive();
        }
        assertThat(tail(result)).contains(String.join("\n", expected) + "\n");
      }
    }
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"local", "docker"})
  void aHandlerThatAllocates200MegabytesReportsMoreThanThatAsMaxMemoryUsed(String backend) {
    try (LambdaRuntime runtime = Backends.builder(backend, null, null).build()) {
      LambdaFunction fn = function("memory-" + backend);
      InvocationResult small = runtime.invoke(fn, "{\"n\": 0}".getBytes(UTF_8), TAIL);
      InvocationResult big = runtime.invoke(fn, "{\"allocate\": 200}".getBytes(UTF_8), TAIL);

      String[] smallLines = tail(small).split("\n");
      Matcher cold = REPORT.matcher(smallLines[smallLines.length - 1]);
      assertThat(cold.matches()).as(tail(small)).isTrue();
      assertThat(cold.group(5)).as("Init Duration on the cold start").isNotNull();
      assertThat(Long.parseLong(cold.group(4))).isLessThan(200);
      String[] bigLines = tail(big).split("\n");
      Matcher warm = REPORT.matcher(bigLines[bigLines.length - 1]);
      assertThat(warm.matches()).as(tail(big)).isTrue();
      assertThat(warm.group(5)).as("no Init Duration when warm").isNull();
      assertThat(Long.parseLong(warm.group(4))).isGreaterThan(200);
      assertThat(Double.parseDouble(warm.group(2))).isPositive();
      assertThat(Long.parseLong(warm.group(3)))
          .isEqualTo((long) Math.ceil(Double.parseDouble(warm.group(2))));
    }
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"python3.12", "nodejs20.x"})
  void closingTheRuntimeStopsALocalRuntimeClientWithoutAnErrorInTheFunctionsLog(String runtimeId)
      throws Exception {
    boolean python = runtimeId.startsWith("python");
    String file = python ? "app.py" : "index.js";
    String source =
        python
            ? "def handler(event, context):\n    return 1\n"
            : "exports.handler = async () => 1;\n";
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ZipOutputStream zip = new ZipOutputStream(bytes)) {
      zip.putNextEntry(new ZipEntry(file));
      zip.write(source.getBytes(UTF_8));
      zip.closeEntry();
    }
    LambdaFunction fn =
        LambdaFunction.builder()
            .functionName("shutdown-" + (python ? "python" : "node"))
            .runtime(runtimeId)
            .handler(python ? "app.handler" : "index.handler")
            .code(Archive.ofBytes("shutdown", bytes.toByteArray()))
            .build();
    ConcurrentLinkedQueue<LogRecord> records = new ConcurrentLinkedQueue<>();
    LambdaRuntime runtime = Backends.builder("local", null, null).addLogSink(records::add).build();
    try {
      assertThat(runtime.invoke(fn, "{}".getBytes(UTF_8)).payloadUtf8()).isEqualTo("1");
    } finally {
      runtime.close();
    }

    List<String> messages = records.stream().map(LogRecord::message).toList();
    assertThat(messages).anySatisfy(line -> assertThat(line).startsWith("REPORT RequestId: "));
    assertThat(messages)
        .as("what the runtime client wrote while the instance was shut down")
        .noneSatisfy(line -> assertThat(line).containsAnyOf("Traceback", "Error", "ECONNREFUSED"));
  }
}
