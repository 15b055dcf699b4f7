package io.lambdarun.server;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.lambdarun.api.LambdaRunException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.eventstream.Message;

/** How a response stream's request id, chunks and failures become InvokeWithResponseStream's. */
class ResponseEventsTest {

  private final Map<String, String> headers = new LinkedHashMap<>();
  private final List<Message> frames = new ArrayList<>();

  private void write(ResponseStream source) {
    ResponseEvents.write(
        source,
        new ApiResponse.StreamSink() {
          @Override
          public void header(String name, String value) {
            headers.put(name, value);
          }

          @Override
          public void write(byte[] piece) {
            frames.add(Message.decode(ByteBuffer.wrap(piece)));
          }
        });
  }

  private static String text(Message message) {
    return new String(message.getPayload(), UTF_8);
  }

  @Test
  void eachChunkIsAPayloadChunkThenInvokeCompleteEndsTheStream() {
    write(
        receiver -> {
          receiver.started("id-1");
          receiver.chunk("ab".getBytes(UTF_8));
          receiver.chunk("cd".getBytes(UTF_8));
          return new StreamCompletion(Optional.empty(), Optional.empty(), Optional.of("bG9n"));
        });

    assertThat(headers).containsExactly(Map.entry("x-amzn-RequestId", "id-1"));
    assertThat(frames)
        .extracting(f -> f.getHeaders().get(":event-type").getString())
        .containsExactly("PayloadChunk", "PayloadChunk", "InvokeComplete");
    assertThat(frames)
        .extracting(ResponseEventsTest::text)
        .containsExactly("ab", "cd", "{\"LogResult\":\"bG9n\"}");
  }

  @Test
  void aFailureBeforeTheFirstChunkIsThrownForAnErrorAnswer() {
    LambdaRunException launch = new LambdaRunException("the instance did not start");

    LambdaRunException thrown =
        catchThrowableOfType(
            LambdaRunException.class,
            () ->
                write(
                    receiver -> {
                      throw launch;
                    }));

    assertThat(thrown).isSameAs(launch);
    assertThat(frames).isEmpty();
  }

  @Test
  void aFailureAfterAChunkEndsTheStreamWithServiceException() {
    write(
        receiver -> {
          receiver.started("id-2");
          receiver.chunk("ab".getBytes(UTF_8));
          throw new LambdaRunException("the instance died mid-answer");
        });

    assertThat(frames)
        .extracting(ResponseEventsTest::text)
        .containsExactly(
            "ab",
            "{\"ErrorCode\":\"ServiceException\",\"ErrorDetails\":\"the instance died mid-answer\"}");
  }
}
