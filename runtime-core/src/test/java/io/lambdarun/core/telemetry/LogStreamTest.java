package io.lambdarun.core.telemetry;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.lambdarun.api.RuntimeConfig;
import io.lambdarun.core.LambdaRuntime;
import io.lambdarun.core.TestFunctions;
import io.lambdarun.core.model.FunctionError;
import io.lambdarun.core.model.InvocationResult;
import io.lambdarun.core.model.InvokeOptions;
import io.lambdarun.core.model.LambdaFunction;
import io.lambdarun.core.model.LogFormat;
import io.lambdarun.core.model.LogLevel;
import io.lambdarun.core.model.LoggingConfig;
import io.lambdarun.core.testing.LoggingBackend;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.assertj.core.api.InstanceOfAssertFactories;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Core writes each instance's log stream as Lambda does, from a streaming or a polled backend. */
class LogStreamTest {

  private static final Pattern STREAM =
      Pattern.compile("\\d{4}/\\d{2}/\\d{2}/\\[\\$LATEST\\][0-9a-f]{32}");

  private static final InvokeOptions TAIL = InvokeOptions.builder().logTail(true).build();

  private final ConcurrentLinkedQueue<LogRecord> records = new ConcurrentLinkedQueue<>();
  private final List<LambdaRuntime> runtimes = new ArrayList<>();

  @AfterEach
  void close() {
    runtimes.forEach(LambdaRuntime::close);
  }

  private LambdaRuntime runtime(LoggingBackend backend, int cap) {
    LambdaRuntime runtime =
        LambdaRuntime.builder()
            .config(RuntimeConfig.empty())
            .addProvider(backend)
            .backend(backend.name())
            .sweepOrphansOnStart(false)
            .maxInstancesPerFunction(cap)
            .addLogSink(records::add)
            .build();
    runtimes.add(runtime);
    return runtime;
  }

  private static String tail(InvocationResult result) {
    return new String(Base64.getDecoder().decode(result.logResult().orElseThrow()), UTF_8);
  }

  /**
   * Waits until the invocation's REPORT (text or JSON) has reached the sinks, which may be just
   * after the answer, then returns its messages.
   */
  private List<String> settledMessagesOf(String requestId) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    while (messagesOf(requestId).stream()
            .noneMatch(line -> line.startsWith("REPORT ") || line.contains("\"platform.report\""))
        && System.nanoTime() < deadline) {
      Thread.sleep(5);
    }
    return messagesOf(requestId);
  }

  private List<String> messagesOf(String requestId) {
    return records.stream()
        .filter(record -> record.requestId().equals(Optional.of(requestId)))
        .map(LogRecord::message)
        .toList();
  }

  @Test
  @DisplayName(
      "16 concurrent invocations on 4 instances: every line lands in its own invocation's records"
          + " and tail, between its START and its END, on its instance's stream")
  void concurrentInvocationsKeepTheirOwnLines() throws Exception {
    LoggingBackend backend = new LoggingBackend(true);
    LambdaRuntime runtime = runtime(backend, 4);
    LambdaFunction fn = TestFunctions.python("busy").build();
    ExecutorService callers = Executors.newFixedThreadPool(16);
    List<Future<InvocationResult>> futures = new ArrayList<>();
    for (int n = 0; n < 16; n++) {
      String event = "\"log:call" + n + ":5\"";
      futures.add(callers.submit(() -> runtime.invoke(fn, event.getBytes(UTF_8), TAIL)));
    }
    List<InvocationResult> results = new ArrayList<>();
    for (Future<InvocationResult> future : futures) {
      results.add(future.get());
    }
    callers.shutdown();

    assertThat(backend.launched).hasSizeBetween(2, 4);
    for (int n = 0; n < 16; n++) {
      InvocationResult result = results.get(n);
      String id = result.requestId();
      List<String> expected = new ArrayList<>();
      expected.add("START RequestId: " + id + " Version: $LATEST");
      for (int i = 1; i <= 5; i++) {
        expected.add("call" + n + " line " + i);
      }
      expected.add("END RequestId: " + id);
      List<String> mine = messagesOf(id);
      assertThat(mine).hasSize(8);
      assertThat(mine.subList(0, 7)).containsExactlyElementsOf(expected);
      assertThat(mine.get(7)).startsWith("REPORT RequestId: " + id + "\tDuration: ");
      assertThat(tail(result).split("\n")).hasSize(8).startsWith(expected.toArray(String[]::new));
      List<LogRecord> own =
          records.stream().filter(r -> r.requestId().equals(Optional.of(id))).toList();
      assertThat(own.stream().map(LogRecord::logStream).distinct()).hasSize(1);
      assertThat(own)
          .allSatisfy(
              record -> {
                assertThat(record.logGroup()).isEqualTo("/aws/lambda/busy");
                assertThat(record.functionName()).isEqualTo("busy");
                assertThat(record.version()).isEqualTo("$LATEST");
                assertThat(record.logStream()).matches(STREAM);
              });
    }
    Map<String, Long> linesPerStream =
        records.stream()
            .filter(record -> record.message().contains(" line "))
            .collect(Collectors.groupingBy(LogRecord::logStream, Collectors.counting()));
    assertThat(linesPerStream).hasSameSizeAs(backend.launched);
    assertThat(records.stream().filter(r -> r.requestId().isEmpty()).map(LogRecord::message))
        .containsExactlyInAnyOrderElementsOf(
            backend.launched.stream().map(id -> "init " + id).toList());
  }

  @Test
  @DisplayName(
      "REPORT has Lambda's tab-separated fields: Init Duration only on the cold start, billed"
          + " duration covering it, the backend's peak memory rounded up to MB")
  void reportFields() {
    LambdaRuntime runtime = runtime(new LoggingBackend(true), 1);
    LambdaFunction fn = TestFunctions.python("measured").memoryMib(512).build();

    InvocationResult cold = runtime.invoke(fn, "\"hello\"".getBytes(UTF_8), TAIL);
    InvocationResult warm = runtime.invoke(fn, "\"alloc:210\"".getBytes(UTF_8), TAIL);

    Pattern report =
        Pattern.compile(
            "REPORT RequestId: (\\S+)\tDuration: (\\d+\\.\\d{2}) ms\tBilled Duration: (\\d+) ms"
                + "\tMemory Size: 512 MB\tMax Memory Used: (\\d+) MB\t(?:Init Duration:"
                + " (\\d+\\.\\d{2}) ms\t)?");
    Matcher coldReport = report.matcher(lastLine(tail(cold)));
    assertThat(coldReport.matches()).as(tail(cold)).isTrue();
    assertThat(coldReport.group(1)).isEqualTo(cold.requestId());
    assertThat(coldReport.group(4)).isEqualTo("41");
    double duration = Double.parseDouble(coldReport.group(2));
    double init = Double.parseDouble(coldReport.group(5));
    assertThat(init)
        .isPositive()
        .isCloseTo(
            cold.initDuration().orElseThrow().toNanos() / 1e6,
            org.assertj.core.data.Offset.offset(0.01));
    assertThat(Long.parseLong(coldReport.group(3)))
        .isGreaterThanOrEqualTo((long) Math.ceil(duration + init) - 1)
        .isLessThanOrEqualTo((long) Math.ceil(duration + init) + 1);
    assertThat(duration).isPositive().isLessThan(cold.duration().toNanos() / 1e6 + 0.01);

    Matcher warmReport = report.matcher(lastLine(tail(warm)));
    assertThat(warmReport.matches()).as(tail(warm)).isTrue();
    assertThat(warmReport.group(5)).isNull();
    assertThat(Long.parseLong(warmReport.group(4))).isGreaterThan(200);
    assertThat(Long.parseLong(warmReport.group(3)))
        .isEqualTo((long) Math.ceil(Double.parseDouble(warmReport.group(2))));
  }

  @Test
  @DisplayName(
      "the peak memory is asked for only when a sink, a listener or a log tail reads the REPORT")
  void memoryIsMeasuredOnlyForAReader() {
    LoggingBackend backend = new LoggingBackend(true);
    LambdaRuntime unobserved =
        LambdaRuntime.builder()
            .config(RuntimeConfig.empty())
            .addProvider(backend)
            .backend(backend.name())
            .sweepOrphansOnStart(false)
            .build();
    runtimes.add(unobserved);
    LambdaFunction fn = TestFunctions.python("unobserved").build();

    unobserved.invoke(fn, "\"hello\"".getBytes(UTF_8));
    assertThat(backend.memoryQuestions).as("questions without a reader").hasValue(0);

    unobserved.invoke(fn, "\"hello\"".getBytes(UTF_8), TAIL);
    assertThat(backend.memoryQuestions).as("questions for a log tail").hasValue(1);

    LoggingBackend sunk = new LoggingBackend(true);
    runtime(sunk, 1).invoke(fn, "\"hello\"".getBytes(UTF_8));
    assertThat(sunk.memoryQuestions).as("questions for a log sink").hasValue(1);
  }

  private static String lastLine(String tail) {
    String[] lines = tail.split("\n");
    return lines[lines.length - 1];
  }

  @Test
  @DisplayName("a timeout and a runtime exit write Lambda's lines before END, and REPORT's Status")
  void timeoutAndExitLines() {
    LambdaRuntime runtime = runtime(new LoggingBackend(true), 2);
    LambdaFunction fn = TestFunctions.python("failing").timeout(Duration.ofSeconds(1)).build();

    InvocationResult timedOut = runtime.invoke(fn, "\"hang\"".getBytes(UTF_8), TAIL);
    InvocationResult exited = runtime.invoke(fn, "\"exit\"".getBytes(UTF_8), TAIL);

    String[] timeoutLines = tail(timedOut).split("\n");
    String id = timedOut.requestId();
    assertThat(timeoutLines).hasSize(4);
    assertThat(timeoutLines[1])
        .matches(
            "\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}\\.\\d{3}Z "
                + id
                + " Task timed out after 1\\.00 seconds");
    assertThat(timeoutLines[2]).isEqualTo("END RequestId: " + id);
    assertThat(timeoutLines[3])
        .startsWith("REPORT RequestId: " + id)
        .endsWith("\tStatus: timeout\t");

    String exitId = exited.requestId();
    assertThat(exited.functionError()).contains(FunctionError.UNHANDLED);
    assertThat(tail(exited).split("\n"))
        .startsWith(
            "START RequestId: " + exitId + " Version: $LATEST",
            "about to exit",
            "RequestId: " + exitId + " Error: Runtime exited with error: exit status 9",
            "Runtime.ExitError",
            "END RequestId: " + exitId);
    assertThat(lastLine(tail(exited))).endsWith("\tStatus: error\tError Type: Runtime.ExitError\t");
  }

  @Test
  @DisplayName(
      "JSON format: platform records parse as Lambda's, application records below the level and"
          + " platform records below the system level are dropped")
  void jsonFormat() throws Exception {
    LambdaRuntime runtime = runtime(new LoggingBackend(true), 1);
    LambdaFunction fn =
        TestFunctions.python("structured")
            .loggingConfig(
                new LoggingConfig(
                    LogFormat.JSON,
                    Optional.of(LogLevel.WARN),
                    Optional.empty(),
                    Optional.of("/custom/structured")))
            .build();

    InvocationResult quiet =
        runtime.invoke(fn, "\"raw:{'level':'INFO','message':'dropped'}\"".getBytes(UTF_8));
    InvocationResult loud =
        runtime.invoke(fn, "\"raw:{'level':'ERROR','message':'kept'}\"".getBytes(UTF_8));

    ObjectMapper json = new ObjectMapper();
    List<String> quietMessages = messagesOf(quiet.requestId());
    assertThat(quietMessages).hasSize(3).noneMatch(message -> message.contains("dropped"));
    JsonNode start = json.readTree(quietMessages.get(0));
    assertThat(start.path("type").asText()).isEqualTo("platform.start");
    assertThat(start.path("time").asText()).matches("\\d{4}-\\d{2}-\\d{2}T[0-9:.]{12}Z");
    assertThat(start.path("record").path("requestId").asText()).isEqualTo(quiet.requestId());
    assertThat(start.path("record").path("version").asText()).isEqualTo("$LATEST");
    JsonNode done = json.readTree(quietMessages.get(1));
    assertThat(done.path("type").asText()).isEqualTo("platform.runtimeDone");
    assertThat(done.path("record").path("status").asText()).isEqualTo("success");
    JsonNode report = json.readTree(quietMessages.get(2));
    assertThat(report.path("type").asText()).isEqualTo("platform.report");
    JsonNode metrics = report.path("record").path("metrics");
    assertThat(metrics.path("durationMs").isNumber()).isTrue();
    assertThat(metrics.path("billedDurationMs").asLong()).isPositive();
    assertThat(metrics.path("memorySizeMB").asInt()).isEqualTo(128);
    assertThat(metrics.path("maxMemoryUsedMB").asInt()).isEqualTo(41);
    assertThat(metrics.path("initDurationMs").asDouble()).isPositive();
    assertThat(report.path("record").path("status").asText()).isEqualTo("success");

    List<String> loudMessages = settledMessagesOf(loud.requestId());
    assertThat(loudMessages).hasSize(4);
    assertThat(json.readTree(loudMessages.get(1)).path("message").asText()).isEqualTo("kept");
    assertThat(
            json.readTree(loudMessages.get(3)).path("record").path("metrics").has("initDurationMs"))
        .isFalse();
    assertThat(records).allSatisfy(r -> assertThat(r.logGroup()).isEqualTo("/custom/structured"));

    LambdaFunction silent =
        TestFunctions.python("silent")
            .loggingConfig(
                new LoggingConfig(
                    LogFormat.JSON, Optional.empty(), Optional.of(LogLevel.WARN), Optional.empty()))
            .build();
    InvocationResult unreported =
        runtime.invoke(silent, "\"raw:{'level':'WARN','message':'mine'}\"".getBytes(UTF_8));
    assertThat(messagesOf(unreported.requestId()))
        .containsExactly("{\"level\":\"WARN\",\"message\":\"mine\"}");
  }

  @Test
  @DisplayName(
      "a backend that cannot stream is polled: its lines still reach the sink and the tail,"
          + " attributed to the invocation")
  void pollingFallback() {
    LambdaRuntime runtime = runtime(new LoggingBackend(false), 1);
    LambdaFunction fn = TestFunctions.python("polled").build();

    InvocationResult first = runtime.invoke(fn, "\"log:first:2\"".getBytes(UTF_8));
    InvocationResult second = runtime.invoke(fn, "\"log:second:2\"".getBytes(UTF_8), TAIL);

    assertThat(messagesOf(first.requestId()))
        .hasSize(5)
        .contains("first line 1", "first line 2")
        .noneMatch(message -> message.startsWith("second"));
    assertThat(tail(second).split("\n"))
        .startsWith(
            "START RequestId: " + second.requestId() + " Version: $LATEST",
            "second line 1",
            "second line 2",
            "END RequestId: " + second.requestId());
  }

  @Test
  @DisplayName(
      "a line the stream delivers just after the answer still lands in the log tail, before END")
  void lateLineInTheTail() {
    LambdaRuntime runtime = runtime(new LoggingBackend(true), 1);
    LambdaFunction fn = TestFunctions.python("late").build();

    InvocationResult result = runtime.invoke(fn, "\"late:after the answer\"".getBytes(UTF_8), TAIL);

    assertThat(tail(result).split("\n"))
        .startsWith(
            "START RequestId: " + result.requestId() + " Version: $LATEST",
            "after the answer",
            "END RequestId: " + result.requestId());
  }

  @Test
  @DisplayName(
      "without a log tail, a line the stream delivers just after the answer reaches the sinks before"
          + " END, stamped no later than END")
  void lateLineBeforeEndInTheSinks() throws Exception {
    LambdaRuntime runtime = runtime(new LoggingBackend(true), 1);
    LambdaFunction fn = TestFunctions.python("late-sunk").build();

    InvocationResult result = runtime.invoke(fn, "\"late:after the answer\"".getBytes(UTF_8));

    String id = result.requestId();
    assertThat(settledMessagesOf(id))
        .hasSize(4)
        .startsWith("START RequestId: " + id + " Version: $LATEST", "after the answer")
        .element(2)
        .isEqualTo("END RequestId: " + id);
    List<LogRecord> mine =
        records.stream().filter(record -> record.requestId().equals(Optional.of(id))).toList();
    assertThat(mine.get(1).timestamp()).isBeforeOrEqualTo(mine.get(2).timestamp());
  }

  @Test
  @DisplayName(
      "closing the runtime right after an invoke still writes the invocation's END and REPORT")
  void closeWritesHeldLines() {
    LambdaRuntime runtime = runtime(new LoggingBackend(true), 1);
    LambdaFunction fn = TestFunctions.python("closed").build();

    InvocationResult result = runtime.invoke(fn, "\"log:x:1\"".getBytes(UTF_8));
    runtime.close();

    List<String> messages = messagesOf(result.requestId());
    assertThat(messages).hasSize(4).element(2).isEqualTo("END RequestId: " + result.requestId());
    assertThat(messages)
        .last(InstanceOfAssertFactories.STRING)
        .startsWith("REPORT RequestId: " + result.requestId());
  }

  @Test
  @DisplayName("a sink that throws is skipped: the invocation and the other sinks go on")
  void throwingSink() throws Exception {
    LoggingBackend backend = new LoggingBackend(true);
    LambdaRuntime runtime =
        LambdaRuntime.builder()
            .config(RuntimeConfig.empty())
            .addProvider(backend)
            .backend(backend.name())
            .sweepOrphansOnStart(false)
            .addLogSink(
                record -> {
                  throw new IllegalStateException("sink down");
                })
            .addLogSink(records::add)
            .build();
    runtimes.add(runtime);

    InvocationResult result =
        runtime.invoke(TestFunctions.python("sunk").build(), "\"log:x:1\"".getBytes(UTF_8));

    assertThat(result.payloadUtf8()).isEqualTo("\"log:x:1\"");
    assertThat(settledMessagesOf(result.requestId())).hasSize(4).contains("x line 1");
  }
}
