package io.lambdarun.core;

import java.util.Objects;
import java.util.Optional;

/**
 * Per-invocation options, as in Lambda's Invoke request.
 *
 * @param logTail whether to return the last 4 KB of the log ({@code LogType=Tail})
 * @param clientContext base64 client context passed to the function ({@code X-Amz-Client-Context})
 */
public record InvokeOptions(boolean logTail, Optional<String> clientContext) {

  /** No log tail, no client context. */
  public static final InvokeOptions DEFAULT = new InvokeOptions(false, Optional.empty());

  /** Validates the components. */
  public InvokeOptions {
    clientContext = Objects.requireNonNull(clientContext, "clientContext").filter(c -> !c.isBlank());
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

    private Builder() {}

    /** @param value whether to return the log tail @return this builder */
    public Builder logTail(boolean value) {
      logTail = value;
      return this;
    }

    /** @param value the base64 client context, {@code null} for none @return this builder */
    public Builder clientContext(String value) {
      clientContext = value;
      return this;
    }

    /**
     * Builds the options.
     *
     * @return the options
     */
    public InvokeOptions build() {
      return new InvokeOptions(logTail, Optional.ofNullable(clientContext));
    }
  }
}
