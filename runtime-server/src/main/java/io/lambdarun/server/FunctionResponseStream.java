package io.lambdarun.server;

import io.lambdarun.core.model.InvocationResult;
import io.lambdarun.core.model.ResponseStreamListener;
import java.util.Arrays;
import java.util.function.Function;

/**
 * A function's answer as core's {@code invokeStreaming} delivers it: the bytes a streaming function
 * writes are handed on as they come, a buffered answer once the function ends, in chunks of at most
 * {@value #MAX_CHUNK} bytes. An error document is sent as chunks only when nothing was streamed
 * before it (as Invoke's payload is); after streamed bytes the error is told by {@code
 * InvokeComplete} alone.
 */
final class FunctionResponseStream implements ResponseStream {

  static final int MAX_CHUNK = 65_536;

  private final Function<ResponseStreamListener, InvocationResult> invocation;

  /**
   * Creates the stream of one invocation.
   *
   * @param invocation runs the invocation with the listener it is given
   */
  FunctionResponseStream(Function<ResponseStreamListener, InvocationResult> invocation) {
    this.invocation = invocation;
  }

  @Override
  public StreamCompletion deliver(Receiver receiver) {
    boolean[] streamed = {false};
    InvocationResult result =
        invocation.apply(
            new ResponseStreamListener() {
              @Override
              public void started(String requestId) {
                streamed[0] = true;
                receiver.started(requestId);
              }

              @Override
              public void chunk(byte[] bytes) {
                send(bytes, receiver);
              }
            });
    if (!streamed[0]) {
      receiver.started(result.requestId());
      if (result.isFunctionError()) {
        send(result.payload(), receiver);
      }
    }
    return StreamCompletion.of(result);
  }

  private static void send(byte[] bytes, Receiver receiver) {
    if (bytes.length <= MAX_CHUNK) {
      receiver.chunk(bytes);
      return;
    }
    for (int from = 0; from < bytes.length; from += MAX_CHUNK) {
      receiver.chunk(Arrays.copyOfRange(bytes, from, Math.min(bytes.length, from + MAX_CHUNK)));
    }
  }
}
