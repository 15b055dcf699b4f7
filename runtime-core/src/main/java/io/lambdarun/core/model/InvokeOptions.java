package io.lambdarun.core.model;

import java.util.Objects;
import java.util.Optional;

/**
 * Per-invocation options, as in Lambda's Invoke request.
 *
 * @param logTail whether to return the last 4 KB of the log ({@code LogType=Tail})
 * @param clientContext base64 client context passed to the function ({@code X-Amz-Client-Context})
 * @param traceId the caller's X-Ray trace header ({@code X-Amzn-Trace-Id}), which the function sees
 *     as {@code _X_AMZN_TRACE_ID}; without it the instance makes one up, as Lambda does
 * @param cognitoIdentity the caller's Cognito identity as JSON, which the function sees in its
 *     context ({@code context.identity})
 */
public record InvokeOptions(
    boolean logTail,
    Optional<String> clientContext,
    Optional<String> traceId,
    Optional<String> cognitoIdentity) {

  /** No log tail, no client context, trace id or identity. */
  public static final InvokeOptions DEFAULT =
      new InvokeOptions(false, Optional.empty(), Optional.empty(), Optional.empty());

  /**
   * Validates the components: blank values count as absent.
   *
   * @param logTail whether to return the last 4 KB of the log ({@code LogType=Tail})
   * @param clientContext base64 client context passed to the function ({@code
   *     X-Amz-Client-Context})
   * @param traceId the caller's X-Ray trace header ({@code X-Amzn-Trace-Id}), which the function
   *     sees as {@code _X_AMZN_TRACE_ID}; without it the instance makes one up, as Lambda does
   * @param cognitoIdentity the caller's Cognito identity as JSON, which the function sees in its
   *     context ({@code context.identity})
   */
  public InvokeOptions {
    clientContext = present(clientContext, "clientContext");
    traceId = present(traceId, "traceId");
    cognitoIdentity = present(cognitoIdentity, "cognitoIdentity");
  }

  private static Optional<String> present(Optional<String> value, String name) {
    return Objects.requireNonNull(value, name).filter(v -> !v.isBlank());
  }

  /**
   * Starts a builder with the defaults.
   *
   * @return a new builder
   */
  public static Builder builder() {
    return new Builder();
  }

  /** Collects invocation options. */
  public static final class Builder {
    private boolean logTail;
    private String clientContext;
    private String traceId;
    private String cognitoIdentity;

    private Builder() {}

    /**
     * Sets whether to return the log tail.
     *
     * @param value whether to return the log tail
     * @return this builder
     */
    public Builder logTail(boolean value) {
      logTail = value;
      return this;
    }

    /**
     * Sets the client context.
     *
     * @param value the base64 client context, {@code null} for none
     * @return this builder
     */
    public Builder clientContext(String value) {
      clientContext = value;
      return this;
    }

    /**
     * Sets the X-Ray trace header.
     *
     * @param value the X-Ray trace header, e.g. {@code Root=1-...;Parent=...;Sampled=1}, {@code
     *     null} for none
     * @return this builder
     */
    public Builder traceId(String value) {
      traceId = value;
      return this;
    }

    /**
     * Sets the Cognito identity.
     *
     * @param value the Cognito identity JSON, {@code null} for none
     * @return this builder
     */
    public Builder cognitoIdentity(String value) {
      cognitoIdentity = value;
      return this;
    }

    /**
     * Builds the options.
     *
     * @return the options
     */
    public InvokeOptions build() {
      return new InvokeOptions(
          logTail,
          Optional.ofNullable(clientContext),
          Optional.ofNullable(traceId),
          Optional.ofNullable(cognitoIdentity));
    }
  }
}
