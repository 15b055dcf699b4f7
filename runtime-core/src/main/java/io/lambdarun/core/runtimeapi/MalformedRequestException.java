package io.lambdarun.core.runtimeapi;

import io.lambdarun.api.LambdaRunException;

/**
 * A request that breaks HTTP/1.1's syntax or framing (RFC 9112); its connection answers it with
 * {@link #status()} and the message, then closes, since the next request's start is unknown.
 */
final class MalformedRequestException extends LambdaRunException {

  private static final long serialVersionUID = 1L;

  private final int status;

  MalformedRequestException(int status, String message) {
    super(message);
    this.status = status;
  }

  /** The status to answer: 400, 413, 431 or 501. */
  int status() {
    return status;
  }
}
