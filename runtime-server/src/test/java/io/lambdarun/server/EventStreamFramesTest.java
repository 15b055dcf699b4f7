package io.lambdarun.server;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.eventstream.Message;

/** The frames decode with the AWS SDK for Java v2's own event stream codec, CRCs checked. */
class EventStreamFramesTest {

  @Test
  void aPayloadChunkDecodesWithItsHeadersAndBytes() {
    Message message =
        Message.decode(
            ByteBuffer.wrap(EventStreamFrames.payloadChunk("{\"hello\": 1}".getBytes(UTF_8))));

    assertThat(message.getHeaders().get(":event-type").getString()).isEqualTo("PayloadChunk");
    assertThat(message.getHeaders().get(":message-type").getString()).isEqualTo("event");
    assertThat(message.getHeaders().get(":content-type").getString())
        .isEqualTo("application/octet-stream");
    assertThat(new String(message.getPayload(), UTF_8)).isEqualTo("{\"hello\": 1}");
  }

  @Test
  void invokeCompleteCarriesOnlyTheMembersPresent() {
    Message failed =
        Message.decode(
            ByteBuffer.wrap(
                EventStreamFrames.invokeComplete(
                    new StreamCompletion(
                        Optional.of("KeyError"), Optional.of("'missing'"), Optional.of("bG9n")))));
    Message succeeded =
        Message.decode(
            ByteBuffer.wrap(
                EventStreamFrames.invokeComplete(
                    new StreamCompletion(Optional.empty(), Optional.empty(), Optional.empty()))));

    assertThat(failed.getHeaders().get(":event-type").getString()).isEqualTo("InvokeComplete");
    assertThat(failed.getHeaders().get(":content-type").getString()).isEqualTo("application/json");
    assertThat(new String(failed.getPayload(), UTF_8))
        .isEqualTo(
            "{\"ErrorCode\":\"KeyError\",\"ErrorDetails\":\"'missing'\",\"LogResult\":\"bG9n\"}");
    assertThat(new String(succeeded.getPayload(), UTF_8)).isEqualTo("{}");
  }

  @Test
  void aChangedByteBreaksTheMessageChecksum() {
    byte[] frame = EventStreamFrames.payloadChunk("abc".getBytes(UTF_8));
    frame[frame.length - 6] ^= 1;

    assertThatThrownBy(() -> Message.decode(ByteBuffer.wrap(frame)))
        .hasMessageContaining("Message checksum failure");
  }
}
