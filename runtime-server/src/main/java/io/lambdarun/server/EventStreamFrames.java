package io.lambdarun.server;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.CRC32;

/**
 * AWS's event stream framing ({@code application/vnd.amazon.eventstream}) of the events of
 * InvokeWithResponseStream. A message is a prelude (total length, headers length, both 4-byte
 * big-endian, and the prelude's CRC32), the headers (name length in one byte, the name, value type
 * 7 for a string, value length in two bytes, the value), the payload and the CRC32 of everything
 * before it.
 */
final class EventStreamFrames {

  static final String CONTENT_TYPE = "application/vnd.amazon.eventstream";

  private static final byte STRING_VALUE = 7;
  private static final int PRELUDE_AND_CRCS = 16;

  private EventStreamFrames() {}

  /** A {@code PayloadChunk} event carrying bytes of the function's answer. */
  static byte[] payloadChunk(byte[] chunk) {
    return event("PayloadChunk", "application/octet-stream", chunk);
  }

  /** The {@code InvokeComplete} event that ends the stream. */
  static byte[] invokeComplete(StreamCompletion completion) {
    ObjectNode body = Json.MAPPER.createObjectNode();
    completion.errorCode().ifPresent(code -> body.put("ErrorCode", code));
    completion.errorDetails().ifPresent(details -> body.put("ErrorDetails", details));
    completion.logResult().ifPresent(log -> body.put("LogResult", log));
    return event("InvokeComplete", ApiResponse.JSON, Json.bytes(body));
  }

  private static byte[] event(String eventType, String contentType, byte[] payload) {
    Map<String, String> headers = new LinkedHashMap<>();
    headers.put(":event-type", eventType);
    headers.put(":content-type", contentType);
    headers.put(":message-type", "event");
    return message(headers, payload);
  }

  static byte[] message(Map<String, String> headers, byte[] payload) {
    byte[] encodedHeaders = headers(headers);
    int total = PRELUDE_AND_CRCS + encodedHeaders.length + payload.length;
    ByteBuffer message = ByteBuffer.allocate(total);
    message.putInt(total).putInt(encodedHeaders.length);
    message.putInt((int) crc(message.array(), 8));
    message.put(encodedHeaders).put(payload);
    message.putInt((int) crc(message.array(), total - 4));
    return message.array();
  }

  private static byte[] headers(Map<String, String> headers) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    headers.forEach(
        (name, value) -> {
          byte[] nameBytes = name.getBytes(StandardCharsets.UTF_8);
          byte[] valueBytes = value.getBytes(StandardCharsets.UTF_8);
          out.write(nameBytes.length);
          out.writeBytes(nameBytes);
          out.write(STRING_VALUE);
          out.write(valueBytes.length >>> 8);
          out.write(valueBytes.length);
          out.writeBytes(valueBytes);
        });
    return out.toByteArray();
  }

  private static long crc(byte[] bytes, int length) {
    CRC32 crc = new CRC32();
    crc.update(bytes, 0, length);
    return crc.getValue();
  }
}
