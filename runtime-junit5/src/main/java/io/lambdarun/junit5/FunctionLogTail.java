package io.lambdarun.junit5;

import io.lambdarun.api.LambdaRunException;

/**
 * What a function logged during a failed test, attached to the test's failure as a suppressed
 * exception: its message is the function's name, the request id, then the log tail (the last 4 KB
 * of the instance's log) on the following lines. It has no stack trace of its own.
 */
public final class FunctionLogTail extends LambdaRunException {

  private static final long serialVersionUID = 1L;

  private final String functionName;
  private final String requestId;
  private final String tail;

  FunctionLogTail(String functionName, String requestId, String tail) {
    super("function '" + functionName + "' logged in request '" + requestId + "':\n" + tail);
    this.functionName = functionName;
    this.requestId = requestId;
    this.tail = tail;
    setStackTrace(new StackTraceElement[0]);
  }

  /**
   * Returns the function's name.
   *
   * @return the name of the invoked function
   */
  public String functionName() {
    return functionName;
  }

  /**
   * Returns the invocation's request id.
   *
   * @return the request id lambdarun assigned
   */
  public String requestId() {
    return requestId;
  }

  /**
   * Returns the log tail.
   *
   * @return the last 4 KB of the instance's log, as UTF-8 text
   */
  public String tail() {
    return tail;
  }
}
