package io.lambdarun.core.runtimeapi;

import io.lambdarun.core.model.FunctionError;
import java.nio.charset.StandardCharsets;
import java.util.Objects;
import java.util.Optional;

/**
 * How one event ended on an instance in Runtime API mode.
 *
 * @param outcome what happened
 * @param body the function's response, AWS's error JSON, the plain-text timeout message, or for
 *     {@link Outcome#NOT_DELIVERED} the reason as text
 */
public record RuntimeApiAnswer(Outcome outcome, byte[] body) {

  /** What happened to an event. */
  public enum Outcome {
    /** The runtime posted a response ({@code /response}), whatever it contains. */
    SUCCESS,
    /**
     * The runtime posted {@code /error} with {@code Lambda-Runtime-Function-Error-Type: Handled}.
     */
    HANDLED,
    /** The runtime posted {@code /error} otherwise, or a response above Lambda's limit. */
    UNHANDLED,
    /** The runtime posted {@code /init/error}; the body is its error JSON. */
    INIT_ERROR,
    /** The function did not answer within its timeout; the instance must be replaced. */
    TIMEOUT,
    /** The runtime's process exited while the event was in flight ({@code Runtime.ExitError}). */
    EXIT_ERROR,
    /** The event never reached a runtime client: the instance had exited or was closed. */
    NOT_DELIVERED,
    /** The instance was stopped by lambdarun after a runtime client took the event. */
    LOST
  }

  /** Validates the components. */
  public RuntimeApiAnswer {
    Objects.requireNonNull(outcome, "outcome");
    Objects.requireNonNull(body, "body");
  }

  static RuntimeApiAnswer notDelivered(String reason) {
    return new RuntimeApiAnswer(Outcome.NOT_DELIVERED, reason.getBytes(StandardCharsets.UTF_8));
  }

  /**
   * Returns the function error Lambda reports for this outcome.
   *
   * @return {@code Handled}, {@code Unhandled}, or empty for a success
   */
  public Optional<FunctionError> functionError() {
    return switch (outcome) {
      case SUCCESS -> Optional.empty();
      case HANDLED -> Optional.of(FunctionError.HANDLED);
      default -> Optional.of(FunctionError.UNHANDLED);
    };
  }

  /**
   * Tells whether the instance may serve another event after this one.
   *
   * @return true after a response or a function error the runtime reported itself
   */
  public boolean instanceReusable() {
    return outcome == Outcome.SUCCESS || outcome == Outcome.HANDLED || outcome == Outcome.UNHANDLED;
  }

  /**
   * Returns the body as UTF-8 text.
   *
   * @return the text
   */
  public String bodyText() {
    return new String(body, StandardCharsets.UTF_8);
  }
}
