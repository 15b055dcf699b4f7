package io.lambdarun.core.model;

/**
 * Receives a function's response as the function writes it, from {@link
 * io.lambdarun.core.LambdaRuntime#invokeStreaming}. Both methods run on the invoking thread, never
 * on lambdarun's I/O thread, so a slow listener slows only its own invocation (its instance's
 * connection pauses while about 1 MiB waits for it).
 */
public interface ResponseStreamListener {

  /**
   * Called once, before the first chunk.
   *
   * @param requestId the invocation's request id, the one its handler sees
   */
  default void started(String requestId) {}

  /**
   * Takes the next bytes of the response, in order.
   *
   * @param bytes the bytes, never empty; the listener may keep the array
   */
  void chunk(byte[] bytes);
}
