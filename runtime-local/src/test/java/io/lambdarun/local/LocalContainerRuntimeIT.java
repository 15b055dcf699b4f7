package io.lambdarun.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lambdarun.api.Archive;
import io.lambdarun.api.ContainerRuntime;
import io.lambdarun.api.Instance;
import io.lambdarun.api.InvalidArchiveException;
import io.lambdarun.api.LaunchFailedException;
import io.lambdarun.api.LaunchSpec;
import io.lambdarun.api.Owner;
import io.lambdarun.api.RuntimeConfig;
import io.lambdarun.core.runtimeapi.RuntimeApiAnswer;
import io.lambdarun.local.TestFunctions.Entry;
import io.lambdarun.tck.ArchiveEscapes;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The local backend end to end: real interpreters, real processes, real loopback HTTP. */
class LocalContainerRuntimeIT {

  private static final String PYTHON = "python3.12";
  private static final String NODE = "nodejs20.x";

  private final Invoker invoker = new Invoker();
  private Owner owner;
  private ContainerRuntime runtime;

  @BeforeEach
  void create() {
    owner = Owner.forCurrentProcess();
    runtime = new LocalRuntimeProvider().create(RuntimeConfig.empty(), owner);
  }

  @AfterEach
  void close() {
    runtime.close();
    invoker.close();
  }

  private Instance launchPython(String source) {
    return invoker.launch(runtime, python(source).build());
  }

  private LaunchSpec.Builder python(String source) {
    return TestFunctions.spec(owner, PYTHON, "app.handler", TestFunctions.zip("app.py", source));
  }

  private LaunchSpec.Builder node(String source) {
    return TestFunctions.spec(owner, NODE, "index.handler", TestFunctions.zip("index.js", source));
  }

  @Nested
  @DisplayName("Python")
  class Python {

    @Test
    @DisplayName("the example handler greets by name")
    void exampleGreets() throws IOException {
      Instance instance =
          launchPython(Files.readString(Path.of("../examples/hello-python/app.py")));
      Invoker.Reply reply = invoker.invoke(instance, "{\"name\":\"Ada\"}");
      assertThat(reply.status()).isEqualTo(200);
      assertThat(reply.body()).isEqualTo("{\"message\": \"Hello, Ada!\"}");
      assertThat(reply.functionError()).isEmpty();
    }

    @Test
    @DisplayName("the context carries the function's identity, the request id and the deadline")
    void contextFields() {
      Instance instance =
          invoker.launch(
              runtime,
              python(
                      "def handler(event, context):\n"
                          + "    return '|'.join([context.function_name, context.function_version,"
                          + " context.memory_limit_in_mb, context.invoked_function_arn,"
                          + " context.aws_request_id, context.log_group_name,"
                          + " context.log_stream_name,"
                          + " str(0 < context.get_remaining_time_in_millis() <= 30000)])\n")
                  .version("7")
                  .build());
      String[] fields = unquote(invoker.invoke(instance, "{}").body()).split("\\|");
      assertThat(fields).hasSize(8);
      assertThat(fields[0]).isEqualTo("local-test");
      assertThat(fields[1]).isEqualTo("7");
      assertThat(fields[2]).isEqualTo("256");
      assertThat(fields[3])
          .isEqualTo("arn:aws:lambda:us-east-1:000000000000:function:local-test:7");
      assertThat(fields[4]).matches("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");
      assertThat(fields[5]).isEqualTo("/aws/lambda/local-test");
      assertThat(fields[6]).matches("\\d{4}/\\d{2}/\\d{2}/\\[7\\][0-9a-f]{32}");
      assertThat(fields[7]).isEqualTo("True");
      String secondRequestId = unquote(invoker.invoke(instance, "{}").body()).split("\\|")[4];
      assertThat(secondRequestId).isNotEqualTo(fields[4]);
    }

    @Test
    @DisplayName("the caller's client context, trace id and request id reach the handler")
    void clientContextAndTrace() {
      Instance instance =
          launchPython(
              "import os\n"
                  + "def handler(event, context):\n"
                  + "    return [context.client_context.custom['tenant'],"
                  + " os.environ['_X_AMZN_TRACE_ID'], context.aws_request_id]\n");
      String clientContext =
          java.util.Base64.getEncoder()
              .encodeToString("{\"custom\":{\"tenant\":\"t-9\"}}".getBytes(StandardCharsets.UTF_8));
      String trace = "Root=1-5e1b4151-5ac6c58f3f0b5d1a2c3e4f50;Parent=53995c3f42cd8ad8;Sampled=1";
      String requestId = "0b5f6a2e-4c7d-4e8f-9a1b-2c3d4e5f6a7b";
      Invoker.Reply reply =
          invoker.invoke(
              instance,
              "{}",
              Map.of(
                  "X-Amz-Client-Context", clientContext,
                  "X-Amzn-Trace-Id", trace,
                  "X-Amzn-RequestId", requestId));
      assertThat(reply.body()).isEqualTo("[\"t-9\", \"" + trace + "\", \"" + requestId + "\"]");
    }

    @Test
    @DisplayName(
        "the process gets the spec's environment plus the variables Lambda gives a runtime")
    void environment() {
      Instance instance =
          invoker.launch(
              runtime,
              python(
                      "import os\n"
                          + "def handler(event, context):\n"
                          + "    return {k: os.environ.get(k) for k in event['keys']} | "
                          + "{'cwd': os.getcwd()}\n")
                  .putEnvironment("GREETING", "hi there")
                  .putEnvironment("AWS_SECRET_ACCESS_KEY", "s3cr3t-value")
                  .sensitiveKeys(java.util.Set.of("AWS_SECRET_ACCESS_KEY"))
                  .build());
      String body =
          invoker
              .invoke(
                  instance,
                  "{\"keys\":[\"GREETING\",\"AWS_SECRET_ACCESS_KEY\",\"_HANDLER\","
                      + "\"LAMBDA_TASK_ROOT\",\"LAMBDA_RUNTIME_DIR\",\"AWS_LAMBDA_RUNTIME_API\","
                      + "\"PATH\",\"LD_LIBRARY_PATH\",\"PYTHONPATH\",\"TZ\","
                      + "\"AWS_EXECUTION_ENV\"]}")
              .body();
      String task = instance.details().get("directory") + "/task";
      String opt = instance.details().get("directory") + "/opt";
      assertThat(body)
          .contains("\"GREETING\": \"hi there\"")
          .contains("\"AWS_SECRET_ACCESS_KEY\": \"s3cr3t-value\"")
          .contains("\"_HANDLER\": \"app.handler\"")
          .contains("\"LAMBDA_TASK_ROOT\": \"" + task + "\"")
          .contains("\"cwd\": \"" + task + "\"")
          .contains("\"AWS_LAMBDA_RUNTIME_API\": \"" + invoker.address(instance) + "\"")
          .contains(":" + opt + "/bin\"")
          .contains(":" + opt + "/lib\"")
          .contains("\"PYTHONPATH\": \"" + task + ":" + opt + "/python/lib/python3.")
          .contains("\"TZ\": \":UTC\"")
          .contains("\"AWS_EXECUTION_ENV\": \"AWS_Lambda_python3.12\"");
      assertThat(instance.details().values()).noneMatch(value -> value.contains("s3cr3t-value"));
    }

    @Test
    @DisplayName(
        "Decimals keep their exact decimal text, a NaN Decimal is NaN; other unserializable"
            + " results are a MarshalError")
    void resultSerialization() {
      Instance instance =
          launchPython(
              "from decimal import Decimal\n"
                  + "def handler(event, context):\n"
                  + "    if not event['ok']:\n"
                  + "        return object()\n"
                  + "    return {'price': Decimal('19.90'), 'tiny': Decimal('1E-7'),"
                  + " 'big': Decimal('12345678901234567890.123456789'), 'nan': Decimal('sNaN'),"
                  + " 'float': 0.1}\n");
      assertThat(invoker.invoke(instance, "{\"ok\":true}").body())
          .isEqualTo(
              "{\"price\": 19.90, \"tiny\": 1E-7, \"big\": 12345678901234567890.123456789,"
                  + " \"nan\": NaN, \"float\": 0.1}");
      Invoker.Reply bad = invoker.invoke(instance, "{\"ok\":false}");
      assertThat(bad.functionError()).contains("Unhandled");
      assertThat(bad.body())
          .contains("\"errorType\": \"Runtime.MarshalError\"")
          .contains("Unable to marshal response: Object of type object is not JSON serializable");
    }

    @Test
    @DisplayName(
        "non-ASCII text in results and errors is escaped before python3.12 and written as it is"
            + " from python3.12 on, as AWS's runtime for the declared version does")
    void nonAsciiFollowsTheDeclaredVersion() {
      String source =
          "def handler(event, context):\n"
              + "    if event['fail']:\n"
              + "        raise ValueError('Zürich ☃')\n"
              + "    return {'city': 'Zürich ☃'}\n";
      List<Map.Entry<String, String>> expected =
          List.of(
              Map.entry("python3.11", "Z\\u00fcrich \\u2603"),
              Map.entry("python3.12", "Zürich ☃"),
              Map.entry("python3.13", "Zürich ☃"));
      for (Map.Entry<String, String> runtimeAndText : expected) {
        Instance instance =
            invoker.launch(runtime, python(source).runtime(runtimeAndText.getKey()).build());
        String text = runtimeAndText.getValue();
        assertThat(invoker.invoke(instance, "{\"fail\":false}").body())
            .as(runtimeAndText.getKey())
            .isEqualTo("{\"city\": \"" + text + "\"}");
        assertThat(invoker.invoke(instance, "{\"fail\":true}").body())
            .as(runtimeAndText.getKey())
            .contains("\"errorMessage\": \"" + text + "\"");
      }
    }

    @Test
    @DisplayName("a raised exception is an Unhandled function error in AWS's shape")
    void raiseIsUnhandled() {
      Instance instance =
          launchPython("def handler(event, context):\n    raise ValueError('bad input 42')\n");
      Invoker.Reply reply = invoker.invoke(instance, "{}");
      assertThat(reply.status()).isEqualTo(200);
      assertThat(reply.functionError()).contains("Unhandled");
      assertThat(reply.body())
          .contains("\"errorMessage\": \"bad input 42\"")
          .contains("\"errorType\": \"ValueError\"")
          .contains("\"stackTrace\": [")
          .contains("app.py");
    }

    @Test
    @DisplayName("a syntax error in the handler module is an init error, answered to every event")
    void syntaxErrorIsInitError() {
      Instance instance = launchPython("def handler(event, context)\n    return 1\n");
      for (int i = 0; i < 2; i++) {
        Invoker.Reply reply = invoker.invoke(instance, "{}");
        assertThat(reply.status()).isEqualTo(200);
        assertThat(reply.functionError()).contains("Unhandled");
        assertThat(reply.body())
            .contains("\"errorType\": \"Runtime.UserCodeSyntaxError\"")
            .contains("Syntax error in module 'app'");
      }
    }

    @Test
    @DisplayName("a missing import and a missing handler are init errors with AWS's types")
    void importAndHandlerErrors() {
      Instance missingImport = launchPython("import no_such_module_here\n");
      assertThat(invoker.invoke(missingImport, "{}").body())
          .contains("\"errorType\": \"Runtime.ImportModuleError\"")
          .contains("Unable to import module 'app': No module named 'no_such_module_here'");
      Instance missingHandler = launchPython("def other(event, context):\n    return 1\n");
      assertThat(invoker.invoke(missingHandler, "{}").body())
          .contains("\"errorType\": \"Runtime.HandlerNotFound\"")
          .contains("Handler 'handler' missing on module 'app'");
    }

    @Test
    @DisplayName(
        "a timed-out event is answered as the RIE does, and the next event gets a fresh process")
    void timeoutKillsAndRecovers() {
      Instance instance =
          invoker.launch(
              runtime,
              python(
                      "import os, time\n"
                          + "def handler(event, context):\n"
                          + "    time.sleep(event['sleep'])\n"
                          + "    return os.getpid()\n")
                  .timeout(Duration.ofSeconds(1))
                  .build());
      long firstPid = Long.parseLong(invoker.invoke(instance, "{\"sleep\":0}").body());
      Invoker.Reply timedOut = invoker.invoke(instance, "{\"sleep\":600}");
      assertThat(timedOut.status()).isEqualTo(200);
      assertThat(timedOut.body()).isEqualTo("Task timed out after 1.00 seconds");
      awaitTrue(
          "the timed-out process to be killed",
          () -> ProcessHandle.of(firstPid).map(p -> !p.isAlive()).orElse(true));
      long freshPid = Long.parseLong(invoker.invoke(instance, "{\"sleep\":0}").body());
      assertThat(freshPid).isNotEqualTo(firstPid);
    }

    @Test
    @DisplayName("a process that exits during an event answers it with Runtime.ExitError")
    void exitIsExitError() {
      Instance instance =
          launchPython(
              "import os\n"
                  + "def handler(event, context):\n"
                  + "    if event.get('exit'):\n"
                  + "        os._exit(3)\n"
                  + "    return 'alive'\n");
      Invoker.Reply reply = invoker.invoke(instance, "{\"exit\":true}");
      assertThat(reply.functionError()).contains("Unhandled");
      assertThat(reply.body())
          .contains("\"errorType\":\"Runtime.ExitError\"")
          .contains("Runtime exited with error: exit status 3");
      assertThat(invoker.invoke(instance, "{}").body()).isEqualTo("\"alive\"");
    }

    @Test
    @DisplayName(
        "a response beyond Lambda's 6291556 bytes is refused to the runtime (413) and answered"
            + " as Function.ResponseSizeTooLarge; one of exactly that size passes")
    void oversizedResponse() {
      Instance instance =
          launchPython("def handler(event, context):\n" + "    return 'x' * event['chars']\n");
      int limit = 6 * 1024 * 1024 + 100;

      Invoker.Reply oversized = invoker.invoke(instance, "{\"chars\":" + (limit - 1) + "}");
      assertThat(oversized.functionError()).contains("Unhandled");
      assertThat(oversized.body())
          .isEqualTo(
              "{\"errorMessage\":\"Response payload size ("
                  + (limit + 1)
                  + " bytes) exceeded"
                  + " maximum allowed payload size (6291556 bytes).\","
                  + "\"errorType\":\"Function.ResponseSizeTooLarge\"}");

      Invoker.Reply atTheLimit = invoker.invoke(instance, "{\"chars\":" + (limit - 2) + "}");
      assertThat(atTheLimit.functionError()).isEmpty();
      assertThat(atTheLimit.body()).hasSize(limit);
    }

    @Test
    @DisplayName("events on separate instances run at the same time")
    void concurrentInstances(@TempDir Path meeting) throws Exception {
      int count = 3;
      List<Instance> instances = new ArrayList<>();
      for (int i = 0; i < count; i++) {
        instances.add(
            launchPython(
                "import os, time\n"
                    + "def handler(event, context):\n"
                    + "    folder = event['folder']\n"
                    + "    open(os.path.join(folder, str(os.getpid())), 'w').close()\n"
                    + "    for _ in range(600):\n"
                    + "        if len(os.listdir(folder)) == event['count']:\n"
                    + "            return 'met'\n"
                    + "        time.sleep(0.05)\n"
                    + "    return 'alone'\n"));
      }
      ExecutorService callers = Executors.newFixedThreadPool(count);
      try {
        List<Future<Invoker.Reply>> replies = new ArrayList<>();
        for (Instance instance : instances) {
          replies.add(
              callers.submit(
                  () ->
                      invoker.invoke(
                          instance, "{\"folder\":\"" + meeting + "\",\"count\":" + count + "}")));
        }
        for (Future<Invoker.Reply> reply : replies) {
          assertThat(reply.get().body()).isEqualTo("\"met\"");
        }
      } finally {
        callers.shutdownNow();
      }
    }

    @Test
    @DisplayName("a flood of output is cut back to its tail on disk and in logs")
    void outputIsBounded() throws IOException {
      Instance instance =
          launchPython(
              "def handler(event, context):\n"
                  + "    for i in range(40000):\n"
                  + "        print('x' * 99)\n"
                  + "    print('last-line')\n"
                  + "    return 'done'\n");
      assertThat(invoker.invoke(instance, "{}").body()).isEqualTo("\"done\"");
      Path output = Path.of(instance.details().get("directory"), "output.log");
      String logs = runtime.logs(instance, Instant.EPOCH);
      assertThat(Files.size(output)).isLessThanOrEqualTo(1024 * 1024);
      assertThat(logs).endsWith("x\nlast-line\n");
      assertThat(logs.length()).isLessThanOrEqualTo(64 * 1024);
    }

    @Test
    @DisplayName("the logging module writes AWS's line format with the request id")
    void loggingFormat() {
      Instance instance =
          launchPython(
              "import logging\n"
                  + "logger = logging.getLogger()\n"
                  + "logger.setLevel(logging.INFO)\n"
                  + "def handler(event, context):\n"
                  + "    logger.info('working on it')\n"
                  + "    return context.aws_request_id\n");
      String requestId = unquote(invoker.invoke(instance, "{}").body());
      assertThat(runtime.logs(instance, Instant.EPOCH))
          .containsPattern(
              "\\[INFO\\]\t\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}\\.\\d{3}Z\t"
                  + requestId
                  + "\tworking on it\n");
    }

    @Test
    @DisplayName(
        "logs hold what the handler printed, filtered by time at the marks each read leaves")
    void logsSince() {
      Instance instance =
          launchPython("def handler(event, context):\n    print(event['say'])\n    return 1\n");
      invoker.invoke(instance, "{\"say\":\"first-line\"}");
      assertThat(runtime.logs(instance, Instant.EPOCH)).contains("first-line");
      Instant between = Instant.now();
      invoker.invoke(instance, "{\"say\":\"second-line\"}");
      assertThat(runtime.logs(instance, between))
          .contains("second-line")
          .doesNotContain("first-line");
      assertThat(runtime.logs(instance, Instant.EPOCH)).contains("first-line", "second-line");
    }
  }

  @Nested
  @DisplayName("Node.js")
  class Node {

    @Test
    @DisplayName("the example handler greets by name")
    void exampleGreets() throws IOException {
      Instance instance =
          invoker.launch(
              runtime, node(Files.readString(Path.of("../examples/hello-node/index.js"))).build());
      Invoker.Reply reply = invoker.invoke(instance, "{\"name\":\"Ada\"}");
      assertThat(reply.status()).isEqualTo(200);
      assertThat(reply.body()).isEqualTo("{\"message\":\"Hello, Ada!\"}");
      assertThat(reply.functionError()).isEmpty();
      assertThat(runtime.logs(instance, Instant.EPOCH))
          .containsPattern(
              "\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}\\.\\d{3}Z\t([0-9a-f-]{36})\tINFO\t"
                  + "greeting Ada in request \\1\n");
    }

    @Test
    @DisplayName("the context carries the function's identity and the request id")
    void contextFields() {
      Instance instance =
          invoker.launch(
              runtime,
              node("exports.handler = async (event, context) => [context.functionName,"
                      + " context.functionVersion, context.memoryLimitInMB,"
                      + " context.invokedFunctionArn, context.awsRequestId,"
                      + " context.logGroupName, context.getRemainingTimeInMillis() > 0];\n")
                  .build());
      String body = invoker.invoke(instance, "{}").body();
      assertThat(body)
          .startsWith(
              "[\"local-test\",\"$LATEST\",\"256\","
                  + "\"arn:aws:lambda:us-east-1:000000000000:function:local-test\",\"")
          .endsWith("\",\"/aws/lambda/local-test\",true]");
    }

    @Test
    @DisplayName("a rejected promise is an Unhandled function error in AWS's shape")
    void rejectionIsUnhandled() {
      Instance instance =
          invoker.launch(
              runtime,
              node("exports.handler = async () => { throw new TypeError('no way 7'); };\n")
                  .build());
      Invoker.Reply reply = invoker.invoke(instance, "{}");
      assertThat(reply.functionError()).contains("Unhandled");
      assertThat(reply.body())
          .contains("\"errorType\":\"TypeError\"")
          .contains("\"errorMessage\":\"no way 7\"")
          .contains("\"trace\":[\"TypeError: no way 7\"");
    }

    @Test
    @DisplayName(
        "a streamifyResponse handler's first write reaches the caller while the handler still"
            + " waits for the test's gate file")
    void streamedResponseArrivesAsWritten(@TempDir Path dir) throws Exception {
      Path gate = dir.resolve("gate");
      Instance instance =
          invoker.launch(
              runtime,
              node("const fs = require('fs');\n"
                      + "exports.handler = awslambda.streamifyResponse(async (event, stream) => {\n"
                      + "  stream.setContentType('text/plain');\n"
                      + "  stream.write('first;');\n"
                      + "  while (!fs.existsSync(event.gate)) {\n"
                      + "    await new Promise((resolve) => setTimeout(resolve, 20));\n"
                      + "  }\n"
                      + "  stream.write('second');\n"
                      + "  stream.end();\n"
                      + "});\n")
                  .build());
      BlockingQueue<String> chunks = new LinkedBlockingQueue<>();
      ExecutorService caller = Executors.newSingleThreadExecutor();
      try {
        Future<RuntimeApiAnswer> answer =
            caller.submit(
                () ->
                    invoker.stream(
                        instance,
                        "{\"gate\":\"" + gate + "\"}",
                        bytes -> chunks.add(new String(bytes, StandardCharsets.UTF_8))));
        assertThat(chunks.poll(20, TimeUnit.SECONDS)).isEqualTo("first;");
        assertThat(answer).isNotDone();
        Files.writeString(gate, "open");
        RuntimeApiAnswer done = answer.get(20, TimeUnit.SECONDS);
        assertThat(done.outcome()).isEqualTo(RuntimeApiAnswer.Outcome.SUCCESS);
        assertThat(String.join("", chunks)).isEqualTo("second");
      } finally {
        caller.shutdownNow();
      }
    }

    @Test
    @DisplayName(
        "an error after streamed bytes is the invocation's Unhandled error (trailers); the"
            + " HttpResponseStream prelude precedes the bytes; the instance stays usable")
    void streamedErrorAndHttpPrelude() {
      Instance instance =
          invoker.launch(
              runtime,
              node("exports.handler = awslambda.streamifyResponse(async (event, stream) => {\n"
                      + "  if (event.fail) {\n"
                      + "    stream.write('partial');\n"
                      + "    throw new RangeError('broke 9');\n"
                      + "  }\n"
                      + "  stream = awslambda.HttpResponseStream.from(stream, {statusCode: 201});\n"
                      + "  stream.end('body');\n"
                      + "});\n")
                  .build());
      StringBuilder failed = new StringBuilder();
      RuntimeApiAnswer error =
          invoker.stream(
              instance,
              "{\"fail\":true}",
              bytes -> failed.append(new String(bytes, StandardCharsets.UTF_8)));
      assertThat(failed.toString()).isEqualTo("partial");
      assertThat(error.outcome()).isEqualTo(RuntimeApiAnswer.Outcome.UNHANDLED);
      assertThat(error.bodyText())
          .contains("\"errorType\":\"RangeError\"")
          .contains("\"errorMessage\":\"broke 9\"");

      StringBuilder http = new StringBuilder();
      RuntimeApiAnswer ok =
          invoker.stream(
              instance, "{}", bytes -> http.append(new String(bytes, StandardCharsets.UTF_8)));
      assertThat(ok.outcome()).isEqualTo(RuntimeApiAnswer.Outcome.SUCCESS);
      assertThat(http.toString()).isEqualTo("{\"statusCode\":201}" + "\0".repeat(8) + "body");
    }

    @Test
    @DisplayName("a callback-style handler answers through the callback")
    void callbackHandler() {
      Instance instance =
          invoker.launch(
              runtime,
              node("exports.handler = (event, context, callback) =>"
                      + " setTimeout(() => callback(null, {n: event.n + 1}), 10);\n")
                  .build());
      assertThat(invoker.invoke(instance, "{\"n\":41}").body()).isEqualTo("{\"n\":42}");
    }

    @Test
    @DisplayName(
        "by default a callback's answer waits until the event loop is empty, so work the handler"
            + " left pending still runs before it")
    void callbackWaitsForEmptyEventLoop() {
      Instance instance =
          invoker.launch(
              runtime,
              node("exports.handler = (event, context, callback) => {\n"
                      + "  const result = {waits: context.callbackWaitsForEmptyEventLoop,"
                      + " pendingWorkDone: false};\n"
                      + "  setTimeout(() => { result.pendingWorkDone = true; }, 300);\n"
                      + "  callback(null, result);\n"
                      + "};\n")
                  .build());
      assertThat(invoker.invoke(instance, "{}").body())
          .isEqualTo("{\"waits\":true,\"pendingWorkDone\":true}");
    }

    @Test
    @DisplayName(
        "with callbackWaitsForEmptyEventLoop false the answer goes at the callback and pending"
            + " work stays with the process for the next event; an async handler never waits")
    void callbackDoesNotWaitWhenToldNot() {
      Instance instance =
          invoker.launch(
              runtime,
              node("let timersFired = 0;\n"
                      + "exports.handler = (event, context, callback) => {\n"
                      + "  context.callbackWaitsForEmptyEventLoop = false;\n"
                      + "  const result = {timersFired, pendingWorkDone: false};\n"
                      + "  setTimeout(() => { timersFired++; result.pendingWorkDone = true; },"
                      + " 2000);\n"
                      + "  callback(null, result);\n"
                      + "};\n")
                  .build());
      long started = System.nanoTime();
      assertThat(invoker.invoke(instance, "{}").body())
          .isEqualTo("{\"timersFired\":0,\"pendingWorkDone\":false}");
      assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(2));
      awaitTrue(
          "the first event's timer to fire in the same process",
          () -> invoker.invoke(instance, "{}").body().matches("\\{\"timersFired\":[1-9].*"));

      Instance async =
          invoker.launch(
              runtime,
              node("exports.handler = async (event, context) => {\n"
                      + "  const result = {waits: context.callbackWaitsForEmptyEventLoop,"
                      + " pendingWorkDone: false};\n"
                      + "  setTimeout(() => { result.pendingWorkDone = true; }, 2000);\n"
                      + "  return result;\n"
                      + "};\n")
                  .build());
      started = System.nanoTime();
      assertThat(invoker.invoke(async, "{}").body())
          .isEqualTo("{\"waits\":true,\"pendingWorkDone\":false}");
      assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(2));
    }

    @Test
    @DisplayName("a syntax error in the handler module is an init error")
    void syntaxErrorIsInitError() {
      Instance instance =
          invoker.launch(runtime, node("exports.handler = async () => {;\n").build());
      Invoker.Reply reply = invoker.invoke(instance, "{}");
      assertThat(reply.functionError()).contains("Unhandled");
      assertThat(reply.body()).contains("\"errorType\":\"Runtime.UserCodeSyntaxError\"");
    }

    @Test
    @DisplayName("an ES module handler (.mjs) is imported")
    void esModuleHandler() {
      Instance instance =
          invoker.launch(
              runtime,
              TestFunctions.spec(
                      owner,
                      NODE,
                      "lib/main.handler",
                      TestFunctions.zip(
                          "lib/main.mjs",
                          "export const handler = async (event) => ({ esm: event.n * 2 });\n"))
                  .build());
      assertThat(invoker.invoke(instance, "{\"n\":21}").body()).isEqualTo("{\"esm\":42}");
    }

    @Test
    @DisplayName("a layer's nodejs/node_modules is on NODE_PATH")
    void layersOnNodePath() {
      Map<String, Entry> layer = new LinkedHashMap<>();
      layer.put(
          "nodejs/node_modules/greeter/index.js",
          Entry.file("module.exports = (name) => 'hey ' + name;\n"));
      Instance instance =
          invoker.launch(
              runtime,
              node("const greeter = require('greeter');\n"
                      + "exports.handler = async (event) => greeter(event.name);\n")
                  .layers(List.of(TestFunctions.zip("layer", layer)))
                  .build());
      assertThat(invoker.invoke(instance, "{\"name\":\"Bo\"}").body()).isEqualTo("\"hey Bo\"");
    }
  }

  @Nested
  @DisplayName("provided.* runtimes")
  class Provided {

    private static final String LOOP =
        "#!/bin/sh\n"
            + "set -eu\n"
            + "API=\"http://$AWS_LAMBDA_RUNTIME_API/2018-06-01/runtime\"\n"
            + "while true; do\n"
            + "  HEADERS=\"$(mktemp)\"\n"
            + "  EVENT=\"$(curl -sS -D \"$HEADERS\" \"$API/invocation/next\")\"\n"
            + "  ID=\"$(grep -i '^lambda-runtime-aws-request-id:' \"$HEADERS\" | cut -d' ' -f2"
            + " | tr -d '\\r')\"\n"
            + "  %s\n"
            + "done\n";

    private Instance launchBootstrap(String step) {
      Map<String, Entry> files = new LinkedHashMap<>();
      files.put("bootstrap", Entry.executable(String.format(LOOP, step)));
      return invoker.launch(
          runtime,
          TestFunctions.spec(
                  owner, "provided.al2023", "unused.handler", TestFunctions.zip("code", files))
              .build());
    }

    @Test
    @DisplayName("a shell bootstrap with curl serves events from the Runtime API")
    void shellBootstrap() {
      Instance instance =
          launchBootstrap(
              "curl -sS -o /dev/null -X POST -d \"{\\\"echo\\\":$EVENT}\""
                  + " \"$API/invocation/$ID/response\"");
      for (int i = 0; i < 2; i++) {
        Invoker.Reply reply = invoker.invoke(instance, "{\"n\":" + i + "}");
        assertThat(reply.body()).isEqualTo("{\"echo\":{\"n\":" + i + "}}");
        assertThat(reply.functionError()).isEmpty();
      }
    }

    @Test
    @DisplayName("a bootstrap reporting an init error is killed, and each event gets the error")
    void bootstrapInitError() {
      Map<String, Entry> files = new LinkedHashMap<>();
      files.put(
          "bootstrap",
          Entry.executable(
              "#!/bin/sh\n"
                  + "curl -sS -o /dev/null -X POST -H 'Lambda-Runtime-Function-Error-Type:"
                  + " Runtime.ConfigError' -d 'missing setting'"
                  + " \"http://$AWS_LAMBDA_RUNTIME_API/2018-06-01/runtime/init/error\"\n"
                  + "exec sleep 600\n"));
      Instance instance =
          invoker.launch(
              runtime,
              TestFunctions.spec(owner, "provided.al2023", "x.y", TestFunctions.zip("code", files))
                  .build());
      for (int i = 0; i < 2; i++) {
        Invoker.Reply reply = invoker.invoke(instance, "{}");
        assertThat(reply.functionError()).contains("Unhandled");
        assertThat(reply.body())
            .isEqualTo(
                "{\"errorMessage\":\"missing setting\",\"errorType\":\"Runtime.ConfigError\"}");
      }
      awaitTrue(
          "the reporting process to be killed", () -> LeftoverProcesses.instancesOf(owner) == 0);
    }

    @Test
    @DisplayName("a bootstrap that exits before polling fails the launch with its output")
    void earlyExitFailsLaunch() {
      Map<String, Entry> files = new LinkedHashMap<>();
      files.put(
          "bootstrap",
          Entry.executable("#!/bin/sh\necho \"cannot find config, token $TOKEN\"\nexit 4\n"));
      LaunchSpec spec =
          TestFunctions.spec(owner, "provided.al2", "x.y", TestFunctions.zip("code", files))
              .putEnvironment("TOKEN", "very-secret-token")
              .sensitiveKeys(java.util.Set.of("TOKEN"))
              .build();
      assertThatThrownBy(() -> invoker.launch(runtime, spec))
          .isInstanceOf(LaunchFailedException.class)
          .hasMessageContaining("exited with status 4")
          .hasMessageContaining("cannot find config, token ***")
          .hasMessageNotContaining("very-secret-token");
      assertThat(LeftoverProcesses.instancesOf(owner)).isZero();
    }
  }

  @Nested
  @DisplayName("lifecycle")
  class Lifecycle {

    @Test
    @DisplayName("runtimes the backend cannot run fail the launch with what to do")
    void unsupportedRuntime() {
      LaunchSpec spec =
          TestFunctions.spec(owner, "ruby3.3", "app.handler", TestFunctions.zip("a.txt", "x"))
              .build();
      assertThatThrownBy(() -> invoker.launch(runtime, spec))
          .isInstanceOf(LaunchFailedException.class)
          .hasMessage(
              "function 'local-test' uses runtime 'ruby3.3', which the local backend cannot run;"
                  + " use python3.x, nodejs*.x, java* or provided.*, or a container backend such"
                  + " as 'docker'");
    }

    @Test
    @DisplayName(
        "an unsafe archive fails the launch with InvalidArchiveException and leaves nothing")
    void unsafeArchive() throws IOException {
      LaunchSpec spec = python("").code(TestFunctions.zip("../escape.py", "x = 1\n")).build();
      assertThatThrownBy(() -> invoker.launch(runtime, spec))
          .isInstanceOf(InvalidArchiveException.class)
          .hasMessageContaining("'../escape.py'");
      Path ownerDir = LocalSettings.from(RuntimeConfig.empty()).workDir().resolve(owner.id());
      try (var entries = Files.list(ownerDir)) {
        assertThat(entries.map(entry -> entry.getFileName().toString()))
            .containsExactlyInAnyOrder("runtime", "owner");
      }
      assertThat(LeftoverProcesses.instancesOf(owner)).isZero();
    }

    @Test
    @DisplayName(
        "archives escaping through chains of links fail the launch and write nothing outside the"
            + " instance folder")
    void archiveEscapes(@TempDir Path folder) throws IOException {
      Path workDir = folder.resolve("work");
      RuntimeConfig config =
          key ->
              key.equals(LocalConfigKeys.WORK_DIR)
                  ? Optional.of(workDir.toString())
                  : Optional.empty();
      Owner escapesOwner = Owner.forCurrentProcess();
      try (ContainerRuntime confined = new LocalRuntimeProvider().create(config, escapesOwner)) {
        Archive harmless = TestFunctions.zip("app.py", "def handler(event, ctx):\n  return 1\n");
        for (ArchiveEscapes.Escape escape : ArchiveEscapes.all()) {
          LaunchSpec spec =
              TestFunctions.spec(
                      escapesOwner, PYTHON, "app.handler", escape.code().orElse(harmless))
                  .layers(escape.layers())
                  .build();
          assertThatThrownBy(() -> invoker.launch(confined, spec))
              .as(escape.description())
              .isInstanceOf(InvalidArchiveException.class)
              .hasMessageContaining(escape.refusal());
          try (Stream<Path> paths = Files.walk(folder)) {
            assertThat(
                    paths.filter(
                        path ->
                            Files.isSymbolicLink(path)
                                || path.getFileName()
                                    .toString()
                                    .equals(ArchiveEscapes.ESCAPED_FILE)))
                .as("links and escaped files under %s after: %s", folder, escape.description())
                .isEmpty();
          }
          assertThat(LeftoverProcesses.instancesOf(escapesOwner)).isZero();
        }
      }
    }

    @Test
    @DisplayName("a second event while one is in flight is refused")
    void overlappingEventRefused(@TempDir Path signals) throws Exception {
      Instance instance =
          launchPython(
              "import os, time\n"
                  + "def handler(event, context):\n"
                  + "    open(os.path.join(event['dir'], 'started'), 'w').close()\n"
                  + "    while not os.path.exists(os.path.join(event['dir'], 'release')):\n"
                  + "        time.sleep(0.02)\n"
                  + "    return 'first'\n");
      String event = "{\"dir\":\"" + signals + "\"}";
      ExecutorService caller = Executors.newSingleThreadExecutor();
      try {
        Future<Invoker.Reply> first = caller.submit(() -> invoker.invoke(instance, event));
        awaitTrue(
            "the first event to be in flight", () -> Files.exists(signals.resolve("started")));

        assertThatThrownBy(() -> invoker.invoke(instance, event))
            .isInstanceOf(IllegalStateException.class)
            .hasMessageContaining("send one event at a time");
        Files.createFile(signals.resolve("release"));
        assertThat(first.get().body()).isEqualTo("\"first\"");
      } finally {
        caller.shutdownNow();
      }
    }

    @Test
    @DisplayName(
        "warm instances add no JVM threads: one loop serves every port, no reaper per process")
    void threadsDoNotGrowWithInstances() throws IOException {
      String source = "def handler(event, context):\n    return 'warm'\n";
      assertThat(invoker.invoke(launchPython(source), "{}").body()).endsWith("\"warm\"");
      int before = Thread.getAllStackTraces().size();
      for (int i = 0; i < 20; i++) {
        assertThat(invoker.invoke(launchPython(source), "{}").body()).endsWith("\"warm\"");
      }
      int after = Thread.getAllStackTraces().size();
      // two spare threads at most: the JDK may add a pooled thread while reaping the short-lived sh
      assertThat(after).isLessThanOrEqualTo(before + 2);
    }

    @Test
    @DisplayName("sweeping removes the processes of a dead owner and keeps live ones")
    void sweepRemovesDeadOwners() throws Exception {
      Process finished = new ProcessBuilder("true").start();
      finished.waitFor();
      Owner dead = new Owner("lr-deadbeef0001", finished.pid(), owner.host());
      ContainerRuntime orphaned = new LocalRuntimeProvider().create(RuntimeConfig.empty(), dead);
      try {
        Instance orphan =
            invoker.launch(
                orphaned,
                TestFunctions.spec(
                        dead,
                        PYTHON,
                        "app.handler",
                        TestFunctions.zip("app.py", "def handler(e, c):\n    return 1\n"))
                    .build());
        Instance mine = launchPython("def handler(e, c):\n    return 2\n");
        long orphanPid = Long.parseLong(orphan.details().get("pid"));

        assertThat(runtime.sweepOrphans()).isEqualTo(1);

        awaitTrue(
            "the orphan to be killed",
            () -> ProcessHandle.of(orphanPid).map(p -> !p.isAlive()).orElse(true));
        assertThat(LeftoverProcesses.instancesOf(dead)).isZero();
        assertThat(invoker.invoke(mine, "{}").body()).isEqualTo("2");
      } finally {
        orphaned.close();
      }
    }

    @Test
    @DisplayName("close kills the process trees it started, children included")
    void closeKillsChildren() {
      Instance instance =
          launchPython(
              "import subprocess\n"
                  + "def handler(event, context):\n"
                  + "    return subprocess.Popen(['sleep', '600']).pid\n");
      long child = Long.parseLong(invoker.invoke(instance, "{}").body());
      assertThat(ProcessHandle.of(child)).isPresent();
      runtime.close();
      awaitTrue(
          "the child to be killed",
          () -> ProcessHandle.of(child).map(p -> !p.isAlive()).orElse(true));
      assertThat(LeftoverProcesses.instancesOf(owner)).isZero();
    }
  }

  private static String unquote(String json) {
    assertThat(json).startsWith("\"").endsWith("\"");
    return json.substring(1, json.length() - 1);
  }

  private static void awaitTrue(String what, BooleanSupplier condition) {
    Instant deadline = Instant.now().plusSeconds(30);
    while (!condition.getAsBoolean()) {
      assertThat(Instant.now()).as("waiting for " + what).isBefore(deadline);
      try {
        Thread.sleep(50);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
    }
  }
}
