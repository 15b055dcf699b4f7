package io.lambdarun.server;

import io.lambdarun.api.LambdaRunException;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Turns a {@link ResponseStream} into InvokeWithResponseStream's events: the invocation's request
 * id as {@code x-amzn-RequestId}, a {@code PayloadChunk} frame per chunk, then one {@code
 * InvokeComplete}. A failure before the first chunk is thrown, for an error answer; one after it
 * ends the stream with {@code ErrorCode: ServiceException}.
 */
final class ResponseEvents {

  private ResponseEvents() {}

  static void write(ResponseStream source, ApiResponse.StreamSink sink) {
    AtomicBoolean started = new AtomicBoolean();
    StreamCompletion completion;
    try {
      completion =
          source.deliver(
              new ResponseStream.Receiver() {
                @Override
                public void started(String requestId) {
                  sink.header("x-amzn-RequestId", requestId);
                }

                @Override
                public void chunk(byte[] bytes) {
                  started.set(true);
                  sink.write(EventStreamFrames.payloadChunk(bytes));
                }
              });
    } catch (LambdaRunException e) {
      if (!started.get()) {
        throw e;
      }
      completion = StreamCompletion.failed("ServiceException", e.getMessage());
    }
    sink.write(EventStreamFrames.invokeComplete(completion));
  }
}
