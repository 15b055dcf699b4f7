package io.lambdarun.server;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.lambdarun.api.LambdaRunException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.eventstream.Message;

/** How a response stream's chunks and failures become InvokeWithResponseStream's events. */
class ResponseEventsTest {

  private final List<Message> frames = new ArrayList<>();

  private void write(ResponseStream source) {
    ResponseEvents.write(source, frame -> frames.add(Message.decode(ByteBuffer.wrap(frame))));
  }

  private static String text(Message message) {
    return new String(message.getPayload(), UTF_8);
  }

  @Test
  void eachChunkIsAPayloadChunkThenInvokeCompleteEndsTheStream() {
    write(chunks -> {
      chunks.accept("ab".getBytes(UTF_8));
      chunks.accept("cd".getBytes(UTF_8));
      return new StreamCompletion(Optional.empty(), Optional.empty(), Optional.of("bG9n"));
    });

    assertThat(frames).extracting(f -> f.getHeaders().get(":event-type").getString())
        .containsExactly("PayloadChunk", "PayloadChunk", "InvokeComplete");
    assertThat(frames).extracting(ResponseEventsTest::text)
        .containsExactly("ab", "cd", "{\"LogResult\":\"bG9n\"}");
  }

  @Test
  void aFailureBeforeTheFirstChunkIsThrownForAnErrorAnswer() {
    LambdaRunException launch = new LambdaRunException("the instance did not start");

    LambdaRunException thrown =
        catchThrowableOfType(LambdaRunException.class, () -> write(chunks -> {
          throw launch;
        }));

    assertThat(thrown).isSameAs(launch);
    assertThat(frames).isEmpty();
  }

  @Test
  void aFailureAfterAChunkEndsTheStreamWithServiceException() {
    write(chunks -> {
      chunks.accept("ab".getBytes(UTF_8));
      throw new LambdaRunException("the instance died mid-answer");
    });

    assertThat(frames).extracting(ResponseEventsTest::text)
        .containsExactly(
            "ab",
            "{\"ErrorCode\":\"ServiceException\",\"ErrorDetails\":\"the instance died mid-answer\"}");
  }
}
