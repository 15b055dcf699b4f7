package io.lambdarun.server;

import io.lambdarun.core.InvocationResult;
import java.util.Arrays;
import java.util.function.Supplier;

/**
 * The answer of a function that does not stream: the invocation runs to its end, then its payload
 * (or its error document) is delivered in chunks of at most {@value #MAX_CHUNK} bytes, as Lambda
 * answers InvokeWithResponseStream for such a function.
 */
final class BufferedResponse implements ResponseStream {

  static final int MAX_CHUNK = 65_536;

  private final Supplier<InvocationResult> invocation;

  BufferedResponse(Supplier<InvocationResult> invocation) {
    this.invocation = invocation;
  }

  @Override
  public StreamCompletion deliver(Receiver receiver) {
    InvocationResult result = invocation.get();
    receiver.started(result.requestId());
    byte[] payload = result.payload();
    for (int from = 0; from < payload.length; from += MAX_CHUNK) {
      receiver.chunk(Arrays.copyOfRange(payload, from, Math.min(payload.length, from + MAX_CHUNK)));
    }
    return StreamCompletion.of(result);
  }
}
