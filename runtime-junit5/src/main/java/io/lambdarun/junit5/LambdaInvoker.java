package io.lambdarun.junit5;

import io.lambdarun.core.LambdaRuntime;
import io.lambdarun.core.model.InvocationResult;
import io.lambdarun.core.model.InvokeOptions;
import io.lambdarun.core.model.LambdaFunction;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Invokes functions on the test class's {@link LambdaRuntime} and remembers each result, so that a
 * failing test carries the function's log tail. Take it as a test-method parameter. Calls made
 * directly on the {@code LambdaRuntime} are not remembered.
 */
public final class LambdaInvoker {

  private static final InvokeOptions WITH_LOG_TAIL = InvokeOptions.builder().logTail(true).build();

  private final LambdaRuntime runtime;
  private final DeclaredFunctions functions;
  private final List<Invocation> invocations;

  LambdaInvoker(LambdaRuntime runtime, DeclaredFunctions functions, List<Invocation> invocations) {
    this.runtime = runtime;
    this.functions = functions;
    this.invocations = invocations;
  }

  /**
   * Invokes the class's only declared function.
   *
   * @param payload the event as UTF-8 text, usually JSON
   * @return the result, with its log tail; a function error is a result, not an exception
   * @throws LambdaTestSetupException if the class does not declare exactly one function
   */
  public InvocationResult invoke(String payload) {
    return invoke(functions.only(), payload);
  }

  /**
   * Invokes a function, declared or not.
   *
   * @param function the function
   * @param payload the event as UTF-8 text, usually JSON
   * @return the result, with its log tail; a function error is a result, not an exception
   */
  public InvocationResult invoke(LambdaFunction function, String payload) {
    return invoke(function, payload.getBytes(StandardCharsets.UTF_8));
  }

  /**
   * Invokes a function with a binary payload.
   *
   * @param function the function
   * @param payload the event
   * @return the result, with its log tail; a function error is a result, not an exception
   */
  public InvocationResult invoke(LambdaFunction function, byte[] payload) {
    InvocationResult result = runtime.invoke(function, payload, WITH_LOG_TAIL);
    invocations.add(new Invocation(function.functionName(), result));
    return result;
  }
}
