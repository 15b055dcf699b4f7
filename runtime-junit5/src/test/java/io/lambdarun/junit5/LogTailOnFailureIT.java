package io.lambdarun.junit5;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectMethod;

import io.lambdarun.core.model.InvocationResult;
import io.lambdarun.core.model.LambdaFunction;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.engine.reporting.ReportEntry;
import org.junit.platform.testkit.engine.EngineTestKit;
import org.junit.platform.testkit.engine.Event;
import org.junit.platform.testkit.engine.Events;

/** A failed test carries what the functions it invoked logged. */
class LogTailOnFailureIT {

  @Test
  void aFailedTestCarriesTheLogTailOfEachFunctionItInvoked() {
    Events events =
        EngineTestKit.engine("junit-jupiter")
            .selectors(
                selectMethod(
                    FailingTests.class,
                    "failsAfterInvokingBothFunctions",
                    "io.lambdarun.junit5.LambdaInvoker"))
            .execute()
            .allEvents();

    Throwable failure = onlyFailure(events);
    assertThat(failure).hasMessageContaining("the handler said no");
    List<FunctionLogTail> tails =
        Arrays.stream(failure.getSuppressed()).map(FunctionLogTail.class::cast).toList();
    assertThat(tails)
        .extracting(FunctionLogTail::functionName)
        .containsExactly("python", "greeter");
    assertThat(tails.get(0).tail())
        .contains("python greeting boom in request " + tails.get(0).requestId())
        .contains("ValueError");
    assertThat(tails.get(0))
        .hasMessageStartingWith(
            "function 'python' logged in request '" + tails.get(0).requestId() + "':\n");
    assertThat(tails.get(1).tail())
        .contains("java greeting tail in request " + tails.get(1).requestId());
    List<Map<String, String>> entries =
        events.reportingEntryPublished().stream()
            .map(event -> event.getRequiredPayload(ReportEntry.class).getKeyValuePairs())
            .toList();
    assertThat(entries)
        .anySatisfy(
            entry ->
                assertThat(entry.get("lambdarun.log-tail.python"))
                    .contains("python greeting boom"));
  }

  @Test
  void anInjectedResultsTailIsAttachedToo() {
    Events events =
        EngineTestKit.engine("junit-jupiter")
            .selectors(
                selectMethod(
                    FailingTests.class,
                    "failsOnAnInjectedResult",
                    InvocationResult.class.getName()))
            .execute()
            .allEvents();

    assertThat(onlyFailure(events).getSuppressed())
        .singleElement()
        .satisfies(
            tail -> assertThat(tail).hasMessageContaining("python greeting injected in request"));
  }

  @Test
  void aPassingTestAndAFailureWithoutInvocationsCarryNoTail() {
    Events events =
        EngineTestKit.engine("junit-jupiter")
            .selectors(selectClass(FailingTests.class))
            .execute()
            .testEvents();

    events.assertStatistics(stats -> stats.failed(3).succeeded(2));
    Throwable noInvocation =
        events.failed().stream()
            .filter(
                event ->
                    event.getTestDescriptor().getDisplayName().startsWith("failsWithoutInvoking"))
            .map(LogTailOnFailureIT::throwable)
            .findFirst()
            .orElseThrow();
    assertThat(noInvocation.getSuppressed()).isEmpty();
  }

  private static Throwable onlyFailure(Events events) {
    List<Event> failed = events.failed().list();
    assertThat(failed).hasSize(1);
    return throwable(failed.get(0));
  }

  private static Throwable throwable(Event event) {
    return event.getRequiredPayload(TestExecutionResult.class).getThrowable().orElseThrow();
  }

  /** Tests that fail after their functions logged something. */
  @LambdaTest
  static class FailingTests {
    @Function(
        runtime = "python3.12",
        handler = "app.handler",
        code = "src/test/functions/python-hello")
    static LambdaFunction python;

    @Function(runtime = "java21", handler = "io.lambdarun.junit5.Greeter::handleRequest")
    static LambdaFunction greeter;

    @Test
    void failsAfterInvokingBothFunctions(LambdaInvoker lambda) {
      InvocationResult boom = lambda.invoke(python, "{\"name\":\"boom\"}");
      lambda.invoke(greeter, "{\"name\":\"tail\"}");
      assertThat(boom.functionError()).as("the handler said no").isEmpty();
    }

    @Test
    void failsOnAnInjectedResult(
        @Invoke(function = "python", payload = "{\"name\":\"injected\"}") InvocationResult result) {
      assertThat(result.payloadUtf8()).isEqualTo("something else");
    }

    @Test
    void failsWithoutInvoking() {
      assertThat(1).isEqualTo(2);
    }

    @Test
    void passes(LambdaInvoker lambda) {
      assertThat(lambda.invoke(python, "{}").isFunctionError()).isFalse();
    }

    @Test
    void passesToo() {
      assertThat(python).isNotNull();
    }
  }
}
