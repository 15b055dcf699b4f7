package io.lambdarun.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.lambdarun.api.ConfigurationException;
import io.lambdarun.api.ContainerRuntime;
import io.lambdarun.api.Instance;
import io.lambdarun.api.LaunchFailedException;
import io.lambdarun.api.LaunchSpec;
import io.lambdarun.api.Owner;
import io.lambdarun.api.RuntimeConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code java*} functions on the local backend: child JVMs running AWS's runtime interface client
 * against the instance's Runtime API, with the handlers of {@code io.lambdarun.local.javafn}.
 */
class LocalJavaRuntimeIT {

  private static final String PACKAGE = "io.lambdarun.local.javafn.";
  private static final ObjectMapper JSON = new ObjectMapper();

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
    assertThat(LeftoverProcesses.instancesOf(owner)).isZero();
  }

  private LaunchSpec.Builder java(String handler) {
    return TestFunctions.spec(owner, "java21", PACKAGE + handler, JavaFunctions.codeZip());
  }

  private Invoker.Reply invoke(LaunchSpec.Builder spec, String event) {
    return invoker.invoke(invoker.launch(runtime, spec.build()), event);
  }

  private static JsonNode json(String text) throws Exception {
    return JSON.readTree(text);
  }

  private static List<String> strings(JsonNode array) {
    List<String> values = new ArrayList<>();
    array.forEach(value -> values.add(value.asText()));
    return values;
  }

  @Nested
  @DisplayName("handler forms")
  class HandlerForms {

    @Test
    @DisplayName("a RequestHandler of POJOs")
    void pojo() {
      Invoker.Reply reply = invoke(java("PojoHandler"), "{\"name\":\"Ada\"}");
      assertThat(reply.status()).isEqualTo(200);
      assertThat(reply.body()).isEqualTo("{\"message\":\"Hello, Ada!\"}");
      assertThat(reply.functionError()).isEmpty();
    }

    @Test
    @DisplayName("a RequestHandler of Maps")
    void map() {
      assertThat(invoke(java("MapHandler"), "{\"b\":1,\"a\":{\"x\":[true,2]}}").body())
          .isEqualTo("{\"a\":{\"x\":[true,2]},\"keys\":[\"a\",\"b\"]}");
    }

    @Test
    @DisplayName("a RequestHandler of Strings")
    void string() {
      assertThat(invoke(java("StringHandler"), "\"quiet\"").body()).isEqualTo("\"QUIET\"");
    }

    @Test
    @DisplayName("a RequestHandler of aws-lambda-java-events types, from a jar in the code's lib/")
    void events() {
      Invoker.Reply reply =
          invoke(
              java("ApiGatewayHandler"),
              "{\"httpMethod\":\"PUT\",\"path\":\"/items/7\",\"pathParameters\":{\"id\":\"7\"}}");
      assertThat(reply.body())
          .isEqualTo(
              "{\"statusCode\":201,\"headers\":{\"X-Method\":\"PUT\"},"
                  + "\"body\":\"path /items/7 id 7\"}");
    }

    @Test
    @DisplayName("a RequestStreamHandler gets the raw event and answers raw bytes")
    void stream() {
      assertThat(invoke(java("StreamHandler"), "{\"raw\": true}").body())
          .isEqualTo("raw:{\"raw\": true}");
    }

    @Test
    @DisplayName("package.Class::method names a method of a class that implements nothing")
    void classAndMethod() {
      assertThat(invoke(java("Methods::shout"), "\"hey\"").body()).isEqualTo("\"HEY!\"");
    }

    @Test
    @DisplayName(
        "the Context carries the request id, ARN, memory, log group and remaining time, and"
            + " LambdaLogger writes to the function's log")
    void contextAndLogger() throws Exception {
      Instance instance = invoker.launch(runtime, java("Methods::context").version("3").build());
      Instant before = Instant.now();
      String requestId = "6f1c2a3b-4d5e-4f60-8a7b-9c0d1e2f3a4b";
      Invoker.Reply reply = invoker.invoke(instance, "{}", Map.of("X-Amzn-RequestId", requestId));
      JsonNode fields = json(reply.body());
      assertThat(fields.get("requestId").asText()).isEqualTo(requestId);
      assertThat(fields.get("arn").asText())
          .isEqualTo("arn:aws:lambda:us-east-1:000000000000:function:local-test:3");
      assertThat(fields.get("functionName").asText()).isEqualTo("local-test");
      assertThat(fields.get("functionVersion").asText()).isEqualTo("3");
      assertThat(fields.get("memory").asInt()).isEqualTo(256);
      assertThat(fields.get("logGroup").asText()).isEqualTo("/aws/lambda/local-test");
      assertThat(fields.get("logStream").asText())
          .matches("\\d{4}/\\d{2}/\\d{2}/\\[3\\][0-9a-f]{32}");
      assertThat(fields.get("remaining").asInt()).isBetween(1, 30_000);
      assertThat(runtime.logs(instance, before))
          .contains("logged through LambdaLogger for " + requestId);
    }

    @Test
    @DisplayName("a layer's java/lib/*.jar is on the class path")
    void layerJars() {
      assertThat(
              invoke(
                      java("LayerHandler::greet").layers(List.of(JavaFunctions.layer())),
                      "\"Grace\"")
                  .body())
          .isEqualTo("\"Salutations, Grace, from a layer\"");
    }

    @Test
    @DisplayName("a jar given as the code runs as Lambda runs it")
    void jarAsCode() {
      LaunchSpec.Builder spec =
          TestFunctions.spec(owner, "java17", PACKAGE + "StringHandler", JavaFunctions.jar());
      assertThat(invoke(spec, "\"jar\"").body()).isEqualTo("\"JAR\"");
    }
  }

  @Nested
  @DisplayName("outcomes")
  class Outcomes {

    @Test
    @DisplayName("a thrown exception is Unhandled with its Java type, message and stack trace")
    void unhandled() throws Exception {
      Invoker.Reply reply = invoke(java("Failing"), "{\"what\":\"table\"}");
      assertThat(reply.functionError()).contains("Unhandled");
      JsonNode error = json(reply.body());
      assertThat(error.get("errorType").asText()).isEqualTo("java.lang.IllegalStateException");
      assertThat(error.get("errorMessage").asText()).isEqualTo("no table");
      assertThat(strings(error.get("stackTrace")))
          .startsWith("io.lambdarun.local.javafn.Failing.handleRequest(Failing.java:11)");
    }

    @Test
    @DisplayName("a constructor that throws is an init error, reported again by a fresh JVM")
    void constructorThrows() {
      Instance instance = invoker.launch(runtime, java("BrokenConstructor").build());
      String expected =
          "{\"errorMessage\":\"missing setting TABLE\","
              + "\"errorType\":\"java.lang.IllegalArgumentException\"}";
      for (int attempt = 0; attempt < 2; attempt++) {
        Invoker.Reply reply = invoker.invoke(instance, "\"x\"");
        assertThat(reply.body()).isEqualTo(expected);
        assertThat(reply.functionError()).contains("Unhandled");
      }
    }

    @Test
    @DisplayName("a missing handler class is reported as AWS's client reports it")
    void missingClass() {
      Invoker.Reply reply = invoke(java("Missing"), "\"x\"");
      assertThat(reply.body())
          .isEqualTo(
              "{\"errorMessage\":\"Class not found: io.lambdarun.local.javafn.Missing\","
                  + "\"errorType\":\"java.lang.ClassNotFoundException\"}");
      assertThat(reply.functionError()).contains("Unhandled");
    }

    @Test
    @DisplayName(
        "a handler past its timeout gets the timeout answer; the next event gets a new JVM")
    void timeout() {
      Instance instance =
          invoker.launch(runtime, java("Behaviours::sleep").timeout(Duration.ofSeconds(2)).build());
      long start = System.nanoTime();
      Invoker.Reply reply = invoker.invoke(instance, "{\"millis\":20000}");
      Duration took = Duration.ofNanos(System.nanoTime() - start);
      assertThat(reply.body()).isEqualTo("Task timed out after 2.00 seconds");
      assertThat(took).isBetween(Duration.ofSeconds(2), Duration.ofSeconds(15));
      assertThat(invoker.invoke(instance, "{\"millis\":0}").body()).isEqualTo("\"slept\"");
    }

    @Test
    @DisplayName(
        "a JVM that exits is Runtime.ExitError with its status; the next event gets a new JVM")
    void jvmExits() {
      Instance instance = invoker.launch(runtime, java("Behaviours::halt").build());
      Invoker.Reply reply = invoker.invoke(instance, "\"x\"");
      assertThat(reply.functionError()).contains("Unhandled");
      assertThat(reply.body())
          .startsWith("{\"errorMessage\":\"RequestId: ")
          .endsWith(
              " Error: Runtime exited with error: exit status 7\","
                  + "\"errorType\":\"Runtime.ExitError\"}");
      assertThat(invoker.invoke(instance, "\"x\"").body())
          .endsWith("exit status 7\",\"errorType\":\"Runtime.ExitError\"}");
    }

    @Test
    @DisplayName(
        "exhausting the heap sized from 128 MB is an OutOfMemoryError; with"
            + " -XX:+ExitOnOutOfMemoryError in JAVA_TOOL_OPTIONS the JVM dies: Runtime.ExitError")
    void outOfMemory() throws Exception {
      Invoker.Reply thrown = invoke(java("Behaviours::exhaustHeap").memoryMib(128), "\"x\"");
      JsonNode error = json(thrown.body());
      assertThat(error.get("errorType").asText()).isEqualTo("java.lang.OutOfMemoryError");
      assertThat(error.get("errorMessage").asText()).isEqualTo("Java heap space");
      Invoker.Reply died =
          invoke(
              java("Behaviours::exhaustHeap")
                  .memoryMib(128)
                  .putEnvironment("JAVA_TOOL_OPTIONS", "-XX:+ExitOnOutOfMemoryError"),
              "\"x\"");
      assertThat(died.functionError()).contains("Unhandled");
      assertThat(died.body())
          .endsWith(
              "Runtime exited with error: exit status 3\",\"errorType\":\"Runtime.ExitError\"}");
    }
  }

  @Nested
  @DisplayName("the JVM")
  class Jvm {

    @Test
    @DisplayName(
        "java21 starts with Lambda's options, the client's jars only, then the code and layers in"
            + " Lambda's order, in the code folder")
    void lambdaOptionsAndClassPath() throws Exception {
      Instance instance =
          invoker.launch(
              runtime, java("Behaviours::jvm").layers(List.of(JavaFunctions.layer())).build());
      JsonNode facts = json(invoker.invoke(instance, "\"x\"").body());
      String folder = instance.details().get("directory");
      List<String> arguments = strings(facts.get("arguments"));
      assertThat(arguments)
          .startsWith(
              "-XX:MaxHeapSize=222822k",
              "-XX:+UseSerialGC",
              "-XX:+TieredCompilation",
              "-XX:TieredStopAtLevel=1",
              "-Djava.net.preferIPv4Stack=true");
      String ownerFolder = Path.of(folder).getParent().toString();
      // loaded from the runtime's own copy, not the client's shared /tmp/.libaws-lambda-jni.so
      assertThat(strings(facts.get("nativeLibraries")))
          .containsExactly(ownerFolder + "/runtime/libaws-lambda-jni.so");
      assertThat(arguments.get(arguments.size() - 1))
          .isEqualTo(
              "-D"
                  + JavaRuntimeClient.NATIVE_LIBRARY_PROPERTY
                  + "="
                  + ownerFolder
                  + "/runtime/libaws-lambda-jni.so");
      assertThat(Integer.parseInt(facts.get("specification").asText())).isGreaterThanOrEqualTo(21);
      List<String> classPath = List.of(facts.get("classPath").asText().split(":"));
      assertThat(classPath).hasSize(8);
      assertThat(Path.of(classPath.get(0)).getFileName().toString())
          .startsWith("aws-lambda-java-runtime-interface-client-");
      assertThat(classPath.subList(0, 4))
          .allMatch(entry -> entry.endsWith(".jar"))
          .noneMatch(entry -> entry.contains("runtime-local") || entry.contains("runtime-api"));
      assertThat(classPath.subList(4, 8))
          .containsExactly(
              folder + "/task",
              folder + "/task/lib/aws-lambda-java-events.jar",
              folder + "/task/lib/joda-time.jar",
              folder + "/opt/java/lib/salutation.jar");
      assertThat(facts.get("workingDirectory").asText()).isEqualTo(folder + "/task");
      assertThat(facts.get("executionEnv").asText()).isEqualTo("AWS_Lambda_java21");
      assertThat(facts.get("handler").asText()).isEqualTo(PACKAGE + "Behaviours::jvm");
      assertThat(instance.details().get("interpreter")).startsWith("JDK ");
    }

    @Test
    @DisplayName("JAVA_TOOL_OPTIONS reaches the JVM and overrides the heap and tiered compilation")
    void javaToolOptionsOverride() throws Exception {
      JsonNode facts =
          json(
              invoke(
                      java("Behaviours::jvm")
                          .putEnvironment("JAVA_TOOL_OPTIONS", "-Xmx64m -XX:TieredStopAtLevel=4"),
                      "\"x\"")
                  .body());
      List<String> arguments = strings(facts.get("arguments"));
      assertThat(arguments).contains("-Xmx64m", "-XX:TieredStopAtLevel=4", "-XX:+UseSerialGC");
      assertThat(arguments)
          .noneMatch(argument -> argument.startsWith("-XX:MaxHeapSize"))
          .doesNotContain("-XX:TieredStopAtLevel=1");
    }

    @ParameterizedTest
    @ValueSource(strings = {"java8.al2", "java11"})
    @DisplayName("java8.al2 and java11 run on a JDK of their version or newer, JVM default tiering")
    void beforeJava17(String runtimeId) throws Exception {
      LaunchSpec.Builder spec =
          TestFunctions.spec(owner, runtimeId, PACKAGE + "Behaviours::jvm", JavaFunctions.codeZip())
              .memoryMib(512);
      JsonNode facts = json(invoke(spec, "\"x\"").body());
      assertThat(strings(facts.get("arguments")))
          .contains("-XX:MaxHeapSize=445645k")
          .noneMatch(argument -> argument.contains("Tiered"));
      assertThat(Integer.parseInt(facts.get("specification").asText()))
          .isGreaterThanOrEqualTo(JavaLauncher.major(runtimeId));
      assertThat(facts.get("executionEnv").asText()).isEqualTo("AWS_Lambda_" + runtimeId);
    }

    @Test
    @DisplayName("a runtime no JDK here can run fails the launch naming the JDKs found")
    void noJdkFits() throws Exception {
      String running = Path.of(System.getProperty("java.home")).toRealPath().toString();
      LaunchSpec spec =
          TestFunctions.spec(owner, "java99", PACKAGE + "StringHandler", JavaFunctions.jar())
              .build();
      assertThatThrownBy(() -> invoker.launch(runtime, spec))
          .isInstanceOf(LaunchFailedException.class)
          .hasMessageStartingWith(
              "function 'local-test' uses runtime 'java99', which needs a JDK 99 or newer, but the"
                  + " local backend found only JDK ")
          .hasMessageContaining(" at " + running)
          .hasMessageEndingWith(
              "; install one or set lambdarun.local.java-home.99 to its home folder");
    }

    @Test
    @DisplayName("lambdarun.local.java-home.<major> chooses the JDK; one that is no JDK is refused")
    void javaHomeOverride() throws Exception {
      runtime.close();
      Path home = Path.of(System.getProperty("java.home")).toRealPath();
      runtime =
          new LocalRuntimeProvider()
              .create(
                  RuntimeConfig.of(
                      Map.of(
                          "lambdarun.local.java-home.11",
                          home.toString(),
                          "lambdarun.local.java-home.17",
                          "/no/such/jdk")),
                  owner);
      LaunchSpec.Builder java11 =
          TestFunctions.spec(owner, "java11", PACKAGE + "Behaviours::jvm", JavaFunctions.codeZip());
      Instance instance = invoker.launch(runtime, java11.build());
      assertThat(instance.details().get("interpreter")).endsWith(" at " + home);
      assertThat(json(invoker.invoke(instance, "\"x\"").body()).get("specification").asText())
          .isEqualTo(System.getProperty("java.specification.version"));
      LaunchSpec java17 =
          TestFunctions.spec(owner, "java17", PACKAGE + "StringHandler", JavaFunctions.jar())
              .build();
      assertThatThrownBy(() -> invoker.launch(runtime, java17))
          .isInstanceOf(ConfigurationException.class)
          .hasMessage(
              "configuration key 'lambdarun.local.java-home.17' has value '/no/such/jdk', which is"
                  + " not a JDK home (no bin/java and release file there); set it to the home"
                  + " folder of a JDK 17 or newer");
    }
  }
}
