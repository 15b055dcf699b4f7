package io.lambdarun.server;

import io.lambdarun.api.LambdaRunException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

/**
 * Turns a {@link ResponseStream} into InvokeWithResponseStream's events: a {@code PayloadChunk}
 * frame per chunk, then one {@code InvokeComplete}. A failure before the first chunk is thrown,
 * for an error answer; one after it ends the stream with {@code ErrorCode: ServiceException}.
 */
final class ResponseEvents {

  private ResponseEvents() {}

  static void write(ResponseStream source, Consumer<byte[]> frames) {
    AtomicBoolean started = new AtomicBoolean();
    StreamCompletion completion;
    try {
      completion =
          source.deliver(
              chunk -> {
                started.set(true);
                frames.accept(EventStreamFrames.payloadChunk(chunk));
              });
    } catch (LambdaRunException e) {
      if (!started.get()) {
        throw e;
      }
      completion = StreamCompletion.failed("ServiceException", e.getMessage());
    }
    frames.accept(EventStreamFrames.invokeComplete(completion));
  }
}
