package io.lambdarun.server;

import java.util.function.Consumer;

/**
 * A function's answer as byte chunks, for InvokeWithResponseStream. {@link BufferedResponse}
 * delivers a finished invocation's answer; a streaming invoke of core can deliver chunks as the
 * function writes them through the same interface.
 */
interface ResponseStream {

  /**
   * Runs the invocation, hands each chunk of the answer to {@code chunks} in order, and tells how
   * it ended. A failure before the first chunk is thrown, so the caller can still answer an error.
   */
  StreamCompletion deliver(Consumer<byte[]> chunks);
}
