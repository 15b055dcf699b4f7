package io.lambdarun.server;

import io.lambdarun.api.LambdaRunException;
import java.util.Optional;

/**
 * A request the Lambda API refuses, with the HTTP status and error type AWS answers for it; the
 * message is the one AWS sends where AWS's wording is known.
 */
final class ApiException extends LambdaRunException {

  private static final long serialVersionUID = 1L;

  private final int status;
  private final String errorType;
  private final Optional<String> reason;

  ApiException(int status, String errorType, String message) {
    this(status, errorType, message, Optional.empty());
  }

  /** With the {@code Reason} member some errors carry, such as a throttle's. */
  ApiException(int status, String errorType, String message, Optional<String> reason) {
    super(message);
    this.status = status;
    this.errorType = errorType;
    this.reason = reason;
  }

  static ApiException functionNotFound(String arn) {
    return new ApiException(404, "ResourceNotFoundException", "Function not found: " + arn);
  }

  static ApiException invalidParameter(String message) {
    return new ApiException(400, "InvalidParameterValueException", message);
  }

  static ApiException invalidContent(String message) {
    return new ApiException(400, "InvalidRequestContentException", message);
  }

  static ApiException validation(String message) {
    return new ApiException(400, "ValidationException", message);
  }

  int status() {
    return status;
  }

  String errorType() {
    return errorType;
  }

  Optional<String> reason() {
    return reason;
  }
}
