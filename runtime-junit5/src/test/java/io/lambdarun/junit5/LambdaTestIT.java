package io.lambdarun.junit5;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import io.lambdarun.api.Archive;
import io.lambdarun.api.ArchiveEntry;
import io.lambdarun.api.ArchiveLimits;
import io.lambdarun.core.LambdaRuntime;
import io.lambdarun.core.model.InvocationResult;
import io.lambdarun.core.model.LambdaFunction;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/** The extension used as a user uses it: functions on fields, everything else as parameters. */
@LambdaTest
class LambdaTestIT {

  @Function(runtime = "java21", handler = "io.lambdarun.junit5.Greeter::handleRequest")
  static LambdaFunction greeter;

  @Function(
      name = "python-hello",
      runtime = "python3.12",
      handler = "app.handler",
      code = "src/test/functions/python-hello",
      environment = "GREETING_STYLE=plain")
  static LambdaFunction python;

  @Function
  static LambdaFunction built =
      LambdaFunction.builder()
          .functionName("built")
          .runtime("python3.12")
          .handler("app.handler")
          .code(Archive.ofDirectory("python-hello", Path.of("src/test/functions/python-hello")))
          .build();

  @Function(
      runtime = "python3.12",
      handler = "app.handler",
      code = "src/test/functions/python-hello")
  LambdaFunction perInstance;

  private static LambdaRuntime classRuntime;

  @BeforeAll
  static void rememberTheRuntime(LambdaRuntime runtime) {
    classRuntime = runtime;
  }

  @Test
  void aJavaHandlerOfThisModuleRunsFromTheClassPathInAChildJvm(LambdaInvoker lambda) {
    InvocationResult result = lambda.invoke(greeter, "{\"name\":\"junit\"}");

    assertThat(result.functionError()).isEmpty();
    assertThat(result.payloadUtf8()).startsWith("\"Hello, junit from ");
    assertThat(result.payloadUtf8()).doesNotContain(" " + ProcessHandle.current().pid() + "\"");
    List<String> code =
        greeter.code().orElseThrow().entries(ArchiveLimits.AWS).stream()
            .map(ArchiveEntry::path)
            .toList();
    assertThat(code)
        .contains("io/lambdarun/junit5/Greeter.class")
        .anyMatch(path -> path.matches("lib/aws-lambda-java-core-[0-9.]+\\.jar"))
        .noneMatch(path -> path.startsWith("lib/junit-") || path.startsWith("lib/runtime-"))
        .noneMatch(path -> path.startsWith("lib/aws-lambda-java-runtime-interface-client"));
  }

  @Test
  void aPythonHandlerRunsFromAFolderNamedByTheAnnotation(
      @Invoke(function = "python-hello", payload = "{\"name\":\"folder\"}")
          InvocationResult result) {
    assertThat(result.payloadUtf8()).contains("\"message\": \"Hello, folder!\"");
    assertThat(python.environment()).containsEntry("GREETING_STYLE", "plain");
  }

  @Test
  void theRuntimeAndTheDeclaredFunctionsAreParameters(
      LambdaRuntime runtime,
      @Function(name = "built") LambdaFunction byName,
      @Function(name = "perInstance") LambdaFunction instanceField) {
    assertThat(runtime.backendName()).isEqualTo("local");
    assertThat(byName).isSameAs(built);
    assertThat(instanceField).isSameAs(perInstance);
    assertThat(runtime.invoke(byName, "{\"name\":\"built\"}".getBytes(UTF_8)).payloadUtf8())
        .contains("Hello, built!");
  }

  @Nested
  class InANestedClass {
    @Test
    void sharesTheEnclosingClasssRuntimeAndFunctions(LambdaRuntime runtime, LambdaInvoker lambda) {
      assertThat(runtime).isSameAs(classRuntime);
      assertThat(lambda.invoke(python, "{\"name\":\"nested\"}").payloadUtf8())
          .contains("Hello, nested!");
    }
  }
}
