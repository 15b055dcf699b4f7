package io.lambdarun.junit5;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import io.lambdarun.core.model.LambdaFunction;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.testkit.engine.EngineTestKit;
import org.junit.platform.testkit.engine.Event;

/** Declarations the extension cannot run fail the class or the test with one typed sentence. */
class LambdaTestSetupErrorsTest {

  static Stream<Arguments> badClasses() {
    return Stream.of(
        Arguments.of(
            WrongFieldType.class,
            "field 'WrongFieldType.hello' is annotated @Function but is a 'String'; declare it as"
                + " a LambdaFunction"),
        Arguments.of(
            NullWithoutAttributes.class,
            "field 'NullWithoutAttributes.hello' is annotated @Function but holds null and sets no"
                + " attributes;"),
        Arguments.of(
            NoRuntime.class,
            "function 'hello' has runtime '' and handler 'app.handler'; set both in @Function"),
        Arguments.of(
            MissingCodeFolder.class,
            "code 'src/test/functions/missing' of function 'hello' does not exist at '"),
        Arguments.of(
            PythonWithoutCode.class,
            "function 'hello' has runtime 'python3.12' but no code; set @Function(code = ...)"),
        Arguments.of(
            HandlerNotOnClassPath.class,
            "handler class 'example.Missing' of handler 'example.Missing::handleRequest' is not on"
                + " the test class path;"),
        Arguments.of(
            BadEnvironment.class,
            "environment entry 'NO_EQUALS' of function 'hello' is not KEY=value;"));
  }

  @ParameterizedTest
  @MethodSource("badClasses")
  void aBadDeclarationFailsTheClassWithOneTypedSentence(Class<?> testClass, String message) {
    Event failed =
        EngineTestKit.engine("junit-jupiter")
            .selectors(selectClass(testClass))
            .execute()
            .containerEvents()
            .failed()
            .list()
            .get(0);

    assertThat(throwable(failed))
        .isInstanceOf(LambdaTestSetupException.class)
        .hasMessageContaining(message);
  }

  @Test
  void aParameterThatNamesNoDeclaredFunctionFailsTheTestNamingTheDeclaredOnes() {
    var events =
        EngineTestKit.engine("junit-jupiter")
            .selectors(selectClass(TwoFunctions.class))
            .execute()
            .testEvents();

    events.assertStatistics(stats -> stats.failed(2));
    assertThat(events.failed().stream().map(LambdaTestSetupErrorsTest::throwable))
        .extracting(Throwable::getCause)
        .allSatisfy(cause -> assertThat(cause).isInstanceOf(LambdaTestSetupException.class))
        .extracting(Throwable::getMessage)
        .containsExactlyInAnyOrder(
            "no function named 'nope' is declared (declared: [first, second]); declare it on a"
                + " field with @Function or use one of those names",
            "the test class declares 2 functions [first, second] but the parameter names none;"
                + " name one with @Function(name = ...) or @Invoke(function = ...)");
  }

  private static Throwable throwable(Event event) {
    return event.getRequiredPayload(TestExecutionResult.class).getThrowable().orElseThrow();
  }

  @LambdaTest
  static class WrongFieldType {
    @Function(
        runtime = "python3.12",
        handler = "app.handler",
        code = "src/test/functions/python-hello")
    static String hello;

    @Test
    void test() {}
  }

  @LambdaTest
  static class NullWithoutAttributes {
    @Function static LambdaFunction hello;

    @Test
    void test() {}
  }

  @LambdaTest
  static class NoRuntime {
    @Function(handler = "app.handler", code = "src/test/functions/python-hello")
    static LambdaFunction hello;

    @Test
    void test() {}
  }

  @LambdaTest
  static class MissingCodeFolder {
    @Function(runtime = "python3.12", handler = "app.handler", code = "src/test/functions/missing")
    static LambdaFunction hello;

    @Test
    void test() {}
  }

  @LambdaTest
  static class PythonWithoutCode {
    @Function(runtime = "python3.12", handler = "app.handler")
    static LambdaFunction hello;

    @Test
    void test() {}
  }

  @LambdaTest
  static class HandlerNotOnClassPath {
    @Function(runtime = "java21", handler = "example.Missing::handleRequest")
    static LambdaFunction hello;

    @Test
    void test() {}
  }

  @LambdaTest
  static class BadEnvironment {
    @Function(
        runtime = "python3.12",
        handler = "app.handler",
        code = "src/test/functions/python-hello",
        environment = "NO_EQUALS")
    static LambdaFunction hello;

    @Test
    void test() {}
  }

  @LambdaTest
  static class TwoFunctions {
    @Function(
        runtime = "python3.12",
        handler = "app.handler",
        code = "src/test/functions/python-hello")
    static LambdaFunction first;

    @Function(
        runtime = "python3.12",
        handler = "app.handler",
        code = "src/test/functions/python-hello")
    static LambdaFunction second;

    @Test
    void unnamed(LambdaFunction function) {
      assertThat(function).isNotNull();
    }

    @Test
    void unknown(@Function(name = "nope") LambdaFunction function) {
      assertThat(function).isNotNull();
    }
  }
}
