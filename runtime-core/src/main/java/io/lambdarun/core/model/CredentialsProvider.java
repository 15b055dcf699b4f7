package io.lambdarun.core.model;

/**
 * Issues execution-role credentials to the instances lambdarun launches; implemented by embedders
 * (an AWS emulator mints a session for {@link LambdaFunction#role()}).
 *
 * <p>{@link #issue} is called once for every instance launched, before the launch; the credentials
 * stay with that instance while it is warm. {@link #revoke} is called when the instance is torn
 * down or its launch fails. Both may be called from any thread.
 */
public interface CredentialsProvider {

  /**
   * Issues credentials for a new instance of a function.
   *
   * @param function the function being launched; {@link LambdaFunction#roleInFunctionAccount()}
   *     names the role to assume and {@link LambdaFunction#functionName()} makes a fitting session
   *     name
   * @return the credentials, never {@code null}
   */
  SessionCredentials issue(LambdaFunction function);

  /**
   * Revokes credentials issued earlier; the default does nothing.
   *
   * @param credentials credentials returned by {@link #issue}
   */
  default void revoke(SessionCredentials credentials) {}
}
