package io.lambdarun.core.pool;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.net.ProtocolException;
import java.net.http.HttpHeaders;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * Reads one HTTP/1.1 response: status line, headers, and a body delimited by {@code
 * Content-Length}, {@code Transfer-Encoding: chunked}, or the end of the stream. A body above the
 * size limit is not read. Framing is strict (RFC 9112 section 6): both {@code Transfer-Encoding}
 * and {@code Content-Length}, a transfer coding other than chunked, a length or chunk size that is
 * not plain digits, or chunk data without CRLF fail the read; bytes received after the body make
 * the connection unusable, since the peer's framing then differs from ours.
 *
 * <p>One file on purpose: the three body framings share the stream position and the limits.
 */
final class HttpResponseReader {

  private static final int BUFFER_BYTES = 4096;
  private static final int MAX_LINE_BYTES = 8192;
  private static final int MAX_HEADER_BYTES = 65_536;

  private final InputStream in;
  private final int maxBodyBytes;
  private final byte[] buffer = new byte[BUFFER_BYTES];
  private int position;
  private int limit;
  private boolean reusable;

  /**
   * Creates a reader.
   *
   * @param in the connection's input
   * @param maxBodyBytes the largest body read; a longer one makes the response oversized
   */
  HttpResponseReader(InputStream in, int maxBodyBytes) {
    this.in = in;
    this.maxBodyBytes = maxBodyBytes;
  }

  /**
   * Reads the response, skipping interim 1xx answers.
   *
   * @return the response
   * @throws IOException on a transport failure, a premature end, or a malformed response
   */
  InstanceResponse read() throws IOException {
    while (true) {
      String statusLine = readLine();
      if (statusLine == null) {
        throw new EOFException("the instance closed the connection before answering");
      }
      int status = statusCode(statusLine);
      boolean http11 = statusLine.startsWith("HTTP/1.1");
      HttpHeaders headers = readHeaders();
      if (status / 100 == 1 && status != 101) {
        continue;
      }
      return readBody(status, http11, headers);
    }
  }

  /**
   * Tells whether the connection may carry the next event: the last body was delimited and read
   * completely and neither side asked to close.
   *
   * @return whether to keep the connection
   */
  boolean reusable() {
    return reusable;
  }

  private InstanceResponse readBody(int status, boolean http11, HttpHeaders headers)
      throws IOException {
    String connection = String.join(",", headers.allValues("Connection")).toLowerCase(Locale.ROOT);
    boolean keepAlive =
        http11 ? !hasToken(connection, "close") : hasToken(connection, "keep-alive");
    List<String> encodings = headers.allValues("Transfer-Encoding");
    List<String> lengths = headers.allValues("Content-Length");
    if (status == 204 || status == 304) {
      reusable = keepAlive && nothingLeft();
      return new InstanceResponse(status, headers, new byte[0], false);
    }
    if (!encodings.isEmpty()) {
      if (!lengths.isEmpty()) {
        throw new ProtocolException("the answer has both Transfer-Encoding and Content-Length");
      }
      requireChunkedAlone(encodings);
      return chunked(status, headers, keepAlive);
    }
    if (!lengths.isEmpty()) {
      return sized(status, headers, contentLength(lengths), keepAlive);
    }
    return untilEnd(status, headers);
  }

  private InstanceResponse sized(int status, HttpHeaders headers, long length, boolean keepAlive)
      throws IOException {
    if (length > maxBodyBytes) {
      return new InstanceResponse(status, headers, new byte[0], true);
    }
    byte[] body = new byte[(int) length];
    readFully(body, 0, body.length);
    reusable = keepAlive && nothingLeft();
    return new InstanceResponse(status, headers, body, false);
  }

  private InstanceResponse chunked(int status, HttpHeaders headers, boolean keepAlive)
      throws IOException {
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    while (true) {
      long size = chunkSize(requireLine());
      if (size == 0) {
        break;
      }
      if (body.size() + size > maxBodyBytes) {
        return new InstanceResponse(status, headers, new byte[0], true);
      }
      byte[] chunk = new byte[(int) size];
      readFully(chunk, 0, chunk.length);
      body.write(chunk);
      if (!requireLine().isEmpty()) {
        throw new ProtocolException("a chunk of the answer does not end with CRLF");
      }
    }
    readHeaders();
    reusable = keepAlive && nothingLeft();
    return new InstanceResponse(status, headers, body.toByteArray(), false);
  }

  private InstanceResponse untilEnd(int status, HttpHeaders headers) throws IOException {
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    byte[] scratch = new byte[BUFFER_BYTES];
    int n;
    while ((n = readSome(scratch)) != -1) {
      if (body.size() + n > maxBodyBytes) {
        return new InstanceResponse(status, headers, new byte[0], true);
      }
      body.write(scratch, 0, n);
    }
    return new InstanceResponse(status, headers, body.toByteArray(), false);
  }

  private HttpHeaders readHeaders() throws IOException {
    Map<String, List<String>> headers = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
    int total = 0;
    String line;
    while (!(line = requireLine()).isEmpty()) {
      total += line.length();
      if (total > MAX_HEADER_BYTES) {
        throw new ProtocolException("the answer's headers exceed " + MAX_HEADER_BYTES + " bytes");
      }
      int colon = line.indexOf(':');
      if (colon <= 0) {
        throw new ProtocolException(
            "malformed header line '" + abbreviate(line) + "' in the answer");
      }
      headers
          .computeIfAbsent(line.substring(0, colon).trim(), name -> new ArrayList<>(1))
          .add(line.substring(colon + 1).trim());
    }
    return HttpHeaders.of(headers, (name, value) -> true);
  }

  private static int statusCode(String line) throws ProtocolException {
    if (line.startsWith("HTTP/1.") && line.length() >= 12 && line.charAt(8) == ' ') {
      try {
        return Integer.parseInt(line.substring(9, 12));
      } catch (NumberFormatException e) {
        // reported below
      }
    }
    throw new ProtocolException("malformed status line '" + abbreviate(line) + "' in the answer");
  }

  /**
   * Whether no byte after the body has arrived in the buffer (later ones fail the next connect).
   */
  private boolean nothingLeft() {
    return position == limit;
  }

  private static void requireChunkedAlone(List<String> values) throws ProtocolException {
    int chunked = 0;
    for (String value : values) {
      for (String part : value.split(",", -1)) {
        String coding = part.trim();
        if (coding.equalsIgnoreCase("chunked")) {
          chunked++;
        } else if (!coding.isEmpty()) {
          throw new ProtocolException(
              "unsupported transfer coding '" + abbreviate(coding) + "' in the answer");
        }
      }
    }
    if (chunked != 1) {
      throw new ProtocolException(
          "invalid Transfer-Encoding '"
              + abbreviate(String.join(", ", values))
              + "' in the answer");
    }
  }

  private static long contentLength(List<String> values) throws ProtocolException {
    long length = -1;
    for (String value : values) {
      for (String part : value.split(",", -1)) {
        long parsed = digits(part.trim(), 10);
        if (parsed < 0 || (length != -1 && parsed != length)) {
          throw new ProtocolException(
              "invalid Content-Length '" + abbreviate(value) + "' in the answer");
        }
        length = parsed;
      }
    }
    return length;
  }

  private static long chunkSize(String line) throws ProtocolException {
    int end = line.indexOf(';');
    String hex = end < 0 ? line : line.substring(0, end).stripTrailing();
    long size = digits(hex, 16);
    if (size < 0) {
      throw new ProtocolException("invalid chunk size '" + abbreviate(line) + "' in the answer");
    }
    return size;
  }

  /**
   * Parses 1 to 15 digits of the radix (no sign, space or prefix), so the value fits a long.
   *
   * @return the value, or -1 when the text is not such digits
   */
  private static long digits(String text, int radix) {
    if (text.isEmpty() || text.length() > 15) {
      return -1;
    }
    long value = 0;
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      int digit = c < 0x80 ? Character.digit(c, radix) : -1;
      if (digit < 0) {
        return -1;
      }
      value = value * radix + digit;
    }
    return value;
  }

  private static boolean hasToken(String list, String token) {
    return Arrays.stream(list.split(",")).anyMatch(part -> part.trim().equals(token));
  }

  private String requireLine() throws IOException {
    String line = readLine();
    if (line == null) {
      throw new EOFException("the instance closed the connection in the middle of its answer");
    }
    return line;
  }

  /** Reads a line without its CRLF (or LF); null at the end of the stream before any byte. */
  private String readLine() throws IOException {
    ByteArrayOutputStream line = null;
    while (true) {
      if (position == limit && !fill()) {
        if (line == null) {
          return null;
        }
        throw new EOFException("the instance closed the connection in the middle of a line");
      }
      int start = position;
      while (position < limit && buffer[position] != '\n') {
        position++;
      }
      boolean complete = position < limit;
      int end = position;
      if (complete) {
        position++;
      }
      if (line == null && complete) {
        return ascii(buffer, start, end);
      }
      if (line == null) {
        line = new ByteArrayOutputStream();
      }
      line.write(buffer, start, end - start);
      if (line.size() > MAX_LINE_BYTES) {
        throw new ProtocolException("a line of the answer exceeds " + MAX_LINE_BYTES + " bytes");
      }
      if (complete) {
        byte[] bytes = line.toByteArray();
        return ascii(bytes, 0, bytes.length);
      }
    }
  }

  private static String ascii(byte[] bytes, int start, int end) {
    int stop = end > start && bytes[end - 1] == '\r' ? end - 1 : end;
    return new String(bytes, start, stop - start, StandardCharsets.ISO_8859_1);
  }

  private void readFully(byte[] target, int offset, int length) throws IOException {
    int done = 0;
    while (done < length) {
      int n;
      if (position < limit) {
        n = Math.min(limit - position, length - done);
        System.arraycopy(buffer, position, target, offset + done, n);
        position += n;
      } else {
        n = in.read(target, offset + done, length - done);
        if (n == -1) {
          throw new EOFException(
              "the instance closed the connection after " + done + " of " + length + " body bytes");
        }
      }
      done += n;
    }
  }

  private int readSome(byte[] target) throws IOException {
    if (position < limit) {
      int n = Math.min(limit - position, target.length);
      System.arraycopy(buffer, position, target, 0, n);
      position += n;
      return n;
    }
    return in.read(target, 0, target.length);
  }

  private boolean fill() throws IOException {
    int n = in.read(buffer, 0, buffer.length);
    if (n <= 0) {
      return false;
    }
    position = 0;
    limit = n;
    return true;
  }

  private static String abbreviate(String text) {
    return text.length() > 80 ? text.substring(0, 80) + "..." : text;
  }
}
