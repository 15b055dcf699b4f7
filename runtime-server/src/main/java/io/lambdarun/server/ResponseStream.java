package io.lambdarun.server;

/**
 * A function's answer as byte chunks, for InvokeWithResponseStream: {@link FunctionResponseStream}
 * hands them on as the function writes them.
 */
interface ResponseStream {

  /**
   * Runs the invocation, tells {@code receiver} its request id, hands it each chunk of the answer
   * in order, and tells how it ended. A failure before the first chunk is thrown, so the caller can
   * still answer an error.
   */
  StreamCompletion deliver(Receiver receiver);

  /** Where a response stream goes. */
  interface Receiver {

    /** The invocation's request id, the one its handler sees; called before the first chunk. */
    void started(String requestId);

    /** The next bytes of the answer. */
    void chunk(byte[] bytes);
  }
}
