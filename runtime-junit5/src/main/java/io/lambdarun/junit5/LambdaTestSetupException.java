package io.lambdarun.junit5;

import io.lambdarun.api.LambdaRunException;

/**
 * A {@link LambdaTest} class declares something the extension cannot run: a bad {@link Function}
 * field, a function that cannot be found, or code that cannot be found on the test class path.
 */
public class LambdaTestSetupException extends LambdaRunException {

  private static final long serialVersionUID = 1L;

  /**
   * Creates an exception.
   *
   * @param message one sentence: the problem with the offending value quoted, then the remedy
   */
  public LambdaTestSetupException(String message) {
    super(message);
  }
}
