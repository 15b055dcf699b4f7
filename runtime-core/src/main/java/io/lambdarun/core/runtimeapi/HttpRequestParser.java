package io.lambdarun.core.runtimeapi;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.function.Predicate;

/**
 * Parses the requests arriving on one connection, incrementally and strictly (RFC 9112): each byte
 * is examined once, whatever the number of reads a request arrives in. Lines end with CRLF; a
 * header line needs a token name directly followed by a colon and no control characters; obsolete
 * line folding is refused. The body is framed by {@code Transfer-Encoding: chunked} (with exact
 * CRLF after each chunk's data and hex sizes without sign or prefix) or by {@code Content-Length}
 * (digits; repeated or listed identical values count as one, differing ones are refused); both
 * together, any other transfer coding, and {@code Transfer-Encoding} in HTTP/1.0 are refused.
 *
 * <p>A chunked request the {@code streams} predicate picks is streamed: its head is returned as
 * soon as it has arrived (with {@link HttpRequest#streamed()} set and no body), and its chunks'
 * data and trailer fields then go to the {@link BodySink} given to {@link #streamTo}, with the same
 * framing checks but without the body limit, which is the sink's to enforce.
 *
 * <p>One file on purpose: the parser is one state machine over a byte at a time, and its states
 * share the buffer and the limits; split, its transitions would cross files.
 */
final class HttpRequestParser {

  /** The largest request head, and the largest trailer section. */
  static final int MAX_HEAD_BYTES = 16 * 1024;

  /** Above AWS's 6 MB payload limit, so that core sees and reports oversized payloads itself. */
  static final int MAX_BODY_BYTES = 16 * 1024 * 1024;

  private static final int MAX_CHUNK_LINE_BYTES = 1024;
  private static final byte[] NO_BYTES = new byte[0];
  private static final boolean[] TOKEN = tokenCharacters();

  private enum State {
    HEAD,
    SIZED_BODY,
    CHUNK_SIZE,
    CHUNK_DATA,
    CHUNK_DATA_END,
    TRAILERS
  }

  /** A parsed head whose body is still arriving. */
  private record Head(
      String method,
      String path,
      Map<String, String> headers,
      boolean keepAlive,
      boolean expectsContinue) {}

  private final Predicate<HttpRequest> streams;
  private byte[] input = NO_BYTES;
  private int start;
  private int end;
  private int scanned;
  private State state = State.HEAD;
  private Head head;
  private byte[] body = NO_BYTES;
  private int bodyLength;
  private int remaining;
  private int trailerBytes;
  private boolean streamed;
  private BodySink sink = BodySink.DISCARD;
  private Map<String, String> trailers;

  /** Creates a parser that streams no request body. */
  HttpRequestParser() {
    this(head -> false);
  }

  /**
   * Creates a parser.
   *
   * @param streams picks the chunked requests whose body is streamed, from their head
   */
  HttpRequestParser(Predicate<HttpRequest> streams) {
    this.streams = streams;
  }

  /**
   * Tells whether the body of a streamed request is still arriving; its head has been returned.
   *
   * @return true between a streamed head and the end of its body
   */
  boolean inStreamedBody() {
    return streamed;
  }

  /**
   * Sends the body of the streamed request whose head {@link #next} just returned to {@code
   * target}; without this call it is dropped.
   *
   * @param target the sink
   */
  void streamTo(BodySink target) {
    sink = target;
  }

  /**
   * Adds received bytes.
   *
   * @param data the bytes, consumed completely
   */
  void append(ByteBuffer data) {
    int count = data.remaining();
    if (end + count > input.length) {
      int kept = end - start;
      byte[] target =
          kept + count > input.length
              ? new byte[Math.max(kept + count, Math.max(1024, input.length * 2))]
              : input;
      System.arraycopy(input, start, target, 0, kept);
      input = target;
      start = 0;
      end = kept;
    }
    data.get(input, end, count);
    end += count;
  }

  /**
   * Returns the number of received bytes not yet consumed.
   *
   * @return the buffered byte count
   */
  int buffered() {
    return end - start;
  }

  /**
   * Tells whether the next request's head has arrived with {@code Expect: 100-continue} while its
   * body has not.
   *
   * @return whether the client waits for {@code 100 Continue}
   */
  boolean expectsContinue() {
    return head != null && head.expectsContinue();
  }

  /**
   * Parses as far as the received bytes allow.
   *
   * @return the next complete request, or {@code null} when more bytes are needed
   * @throws MalformedRequestException when the bytes break HTTP/1.1; the parser is then unusable
   */
  HttpRequest next() {
    while (true) {
      switch (state) {
        case HEAD -> {
          if (!parseHead()) {
            return null;
          }
          if (streamed) {
            return new HttpRequest(
                head.method(), head.path(), head.headers(), NO_BYTES, head.keepAlive(), true);
          }
        }
        case SIZED_BODY -> {
          takeBody();
          return remaining > 0 ? null : finish();
        }
        case CHUNK_SIZE -> {
          if (!parseChunkSize()) {
            return null;
          }
        }
        case CHUNK_DATA -> {
          if (streamed) {
            if (!streamBody()) {
              return null;
            }
          } else {
            takeBody();
          }
          if (remaining > 0) {
            return null;
          }
          state = State.CHUNK_DATA_END;
        }
        case CHUNK_DATA_END -> {
          if (end - start < 2) {
            return null;
          }
          if (input[start] != '\r' || input[start + 1] != '\n') {
            throw new MalformedRequestException(
                400, "chunk data is not followed by CRLF; send exactly the announced size");
          }
          start += 2;
          state = State.CHUNK_SIZE;
        }
        case TRAILERS -> {
          int lineFeed = lineFeed();
          if (trailerBytes + (lineFeed < 0 ? scanned : lineFeed - start) > MAX_HEAD_BYTES) {
            throw new MalformedRequestException(
                431, "request trailers exceed " + MAX_HEAD_BYTES + " bytes; send fewer");
          }
          if (lineFeed < 0) {
            return null;
          }
          int lineEnd = lineFeed - 1;
          if (lineEnd > start) {
            String name = fieldName(start, lineEnd);
            if (streamed) {
              trailers.put(name, fieldValue(start + name.length() + 1, lineEnd));
            }
          }
          trailerBytes += lineFeed + 1 - start;
          boolean last = lineEnd == start;
          start = lineFeed + 1;
          if (last && streamed) {
            endStream();
          } else if (last) {
            return finish();
          }
        }
      }
    }
  }

  private boolean parseHead() {
    int headEnd = headEnd();
    if (headEnd < 0) {
      return false;
    }
    int lineEnd = indexOf(start, '\n') - 1;
    RequestLine requestLine = requestLine(start, lineEnd);
    Map<String, String> headers = new LinkedHashMap<>();
    StringBuilder lengths = null;
    StringBuilder codings = null;
    for (int from = lineEnd + 2; from < headEnd + 2; from = lineEnd + 2) {
      lineEnd = indexOf(from, '\n') - 1;
      String name = fieldName(from, lineEnd);
      String value = fieldValue(from + name.length() + 1, lineEnd);
      if (name.equals("content-length")) {
        lengths = join(lengths, value);
      } else if (name.equals("transfer-encoding")) {
        codings = join(codings, value);
      }
      headers.put(name, value);
    }
    start = headEnd + 4;
    scanned = 0;
    boolean http10 = requestLine.version().equals("HTTP/1.0");
    String connection = headers.getOrDefault("connection", "").toLowerCase(Locale.ROOT);
    boolean keepAlive =
        http10 ? hasToken(connection, "keep-alive") : !hasToken(connection, "close");
    head =
        new Head(
            requestLine.method(),
            requestLine.path(),
            headers,
            keepAlive,
            "100-continue".equalsIgnoreCase(headers.get("expect")));
    if (codings != null) {
      if (lengths != null) {
        throw new MalformedRequestException(
            400, "the request has both Transfer-Encoding and Content-Length; send only one");
      }
      if (http10) {
        throw new MalformedRequestException(
            400, "an HTTP/1.0 request cannot use Transfer-Encoding; send Content-Length");
      }
      requireChunkedAlone(codings.toString());
      headers.put("transfer-encoding", codings.toString());
      state = State.CHUNK_SIZE;
      streamed =
          streams.test(
              new HttpRequest(
                  head.method(), head.path(), headers, NO_BYTES, head.keepAlive(), true));
    } else {
      remaining = lengths == null ? 0 : contentLength(lengths.toString());
      if (lengths != null) {
        headers.put("content-length", Integer.toString(remaining));
      }
      state = State.SIZED_BODY;
    }
    return true;
  }

  private record RequestLine(String method, String path, String version) {}

  private RequestLine requestLine(int from, int to) {
    int firstSpace = indexOf(from, to, ' ');
    int secondSpace = firstSpace < 0 ? -1 : indexOf(firstSpace + 1, to, ' ');
    if (secondSpace < 0
        || indexOf(secondSpace + 1, to, ' ') >= 0
        || !isToken(from, firstSpace)
        || !isVisible(firstSpace + 1, secondSpace)
        || !isVersion(secondSpace + 1, to)) {
      throw new MalformedRequestException(
          400,
          "request line '" + quote(from, to) + "' is malformed; send 'METHOD target HTTP/1.1'");
    }
    String target = ascii(firstSpace + 1, secondSpace);
    int query = target.indexOf('?');
    return new RequestLine(
        ascii(from, firstSpace),
        query < 0 ? target : target.substring(0, query),
        ascii(secondSpace + 1, to));
  }

  /** Checks a field line and returns its name in lower case; the colon follows the name. */
  private String fieldName(int from, int to) {
    for (int i = from; i < to; i++) {
      int c = input[i] & 0xff;
      if ((c < 0x20 && c != '\t') || c == 0x7f) {
        throw new MalformedRequestException(
            400,
            "header line '"
                + quote(from, to)
                + "' holds a control character; send visible"
                + " characters only");
      }
    }
    if (input[from] == ' ' || input[from] == '\t') {
      throw new MalformedRequestException(
          400,
          "header line '"
              + quote(from, to)
              + "' continues the previous one (obsolete line"
              + " folding); send each header on one line");
    }
    int colon = indexOf(from, to, ':');
    if (colon < 0) {
      throw new MalformedRequestException(
          400, "header line '" + quote(from, to) + "' has no colon; send 'name: value'");
    }
    if (!isToken(from, colon)) {
      throw new MalformedRequestException(
          400, "header name '" + quote(from, colon) + "' is not a token; send 'name: value'");
    }
    return ascii(from, colon).toLowerCase(Locale.ROOT);
  }

  private String fieldValue(int from, int to) {
    int first = from;
    int last = to;
    while (first < last && isBlank(input[first])) {
      first++;
    }
    while (last > first && isBlank(input[last - 1])) {
      last--;
    }
    return ascii(first, last);
  }

  private static void requireChunkedAlone(String codings) {
    int chunked = 0;
    for (String element : codings.split(",", -1)) {
      String coding = element.strip();
      if (coding.isEmpty()) {
        continue;
      }
      if (!coding.equalsIgnoreCase("chunked")) {
        throw new MalformedRequestException(
            501,
            "transfer coding '" + coding + "' is not supported; send the body with chunked alone");
      }
      chunked++;
    }
    if (chunked != 1) {
      throw new MalformedRequestException(
          400,
          "Transfer-Encoding '"
              + codings
              + "' "
              + (chunked == 0 ? "names no coding" : "applies chunked more than once")
              + "; send chunked once");
    }
  }

  private static int contentLength(String values) {
    long length = -1;
    for (String element : values.split(",", -1)) {
      String digits = element.strip();
      long parsed = digits.isEmpty() ? -1 : 0;
      for (int i = 0; i < digits.length() && parsed >= 0; i++) {
        char c = digits.charAt(i);
        parsed = c < '0' || c > '9' ? -1 : Math.min(parsed * 10 + (c - '0'), MAX_BODY_BYTES + 1L);
      }
      if (parsed < 0) {
        throw new MalformedRequestException(
            400, "Content-Length '" + values + "' is not a decimal length; send plain digits");
      }
      if (length >= 0 && parsed != length) {
        throw new MalformedRequestException(
            400, "Content-Length '" + values + "' holds differing values; send one length");
      }
      length = parsed;
    }
    if (length > MAX_BODY_BYTES) {
      throw tooLarge();
    }
    return (int) length;
  }

  private boolean parseChunkSize() {
    int lineFeed = lineFeed();
    if ((lineFeed < 0 ? scanned : lineFeed - start) > MAX_CHUNK_LINE_BYTES) {
      throw new MalformedRequestException(
          400, "a chunk size line exceeds " + MAX_CHUNK_LINE_BYTES + " bytes; send a shorter one");
    }
    if (lineFeed < 0) {
      return false;
    }
    int lineEnd = lineFeed - 1;
    long cap = streamed ? Integer.MAX_VALUE : MAX_BODY_BYTES + 1L;
    long size = 0;
    int i = start;
    for (; i < lineEnd && hexValue(input[i]) >= 0; i++) {
      size = Math.min(size * 16 + hexValue(input[i]), cap);
    }
    int digitsEnd = i;
    while (i < lineEnd && isBlank(input[i])) {
      i++;
    }
    boolean extension = i < lineEnd && input[i] == ';';
    if (digitsEnd == start || !(digitsEnd == lineEnd || extension)) {
      throw new MalformedRequestException(
          400,
          "chunk size line '"
              + quote(start, lineEnd)
              + "' is not hexadecimal digits; send the"
              + " size in hex");
    }
    for (int j = i; j < lineEnd; j++) {
      int c = input[j] & 0xff;
      if ((c < 0x20 && c != '\t') || c == 0x7f) {
        throw new MalformedRequestException(
            400,
            "chunk size line '"
                + quote(start, lineEnd)
                + "' holds a control character; send"
                + " visible characters only");
      }
    }
    if (streamed ? size >= cap : bodyLength + size > MAX_BODY_BYTES) {
      throw streamed
          ? new MalformedRequestException(
              400, "a chunk of '" + size + "' bytes or more is too large; send smaller chunks")
          : tooLarge();
    }
    start = lineFeed + 1;
    if (size == 0) {
      trailerBytes = 0;
      trailers = streamed ? new LinkedHashMap<>() : null;
      state = State.TRAILERS;
    } else {
      remaining = (int) size;
      state = State.CHUNK_DATA;
    }
    return true;
  }

  /** Moves up to {@code remaining} buffered bytes into the body. */
  private void takeBody() {
    int count = Math.min(remaining, end - start);
    if (count == 0) {
      return;
    }
    if (bodyLength + count > body.length) {
      body =
          Arrays.copyOf(
              body, Math.max(bodyLength + count, Math.min(MAX_BODY_BYTES, body.length * 2)));
    }
    System.arraycopy(input, start, body, bodyLength, count);
    bodyLength += count;
    start += count;
    remaining -= count;
  }

  /** Hands up to {@code remaining} buffered bytes to the sink; false when it asks for a pause. */
  private boolean streamBody() {
    int count = Math.min(remaining, end - start);
    if (count == 0) {
      return true;
    }
    int from = start;
    start += count;
    remaining -= count;
    return sink.data(input, from, count);
  }

  private void endStream() {
    BodySink ended = sink;
    Map<String, String> fields = trailers;
    streamed = false;
    sink = BodySink.DISCARD;
    trailers = null;
    head = null;
    scanned = 0;
    state = State.HEAD;
    ended.end(fields);
  }

  private HttpRequest finish() {
    byte[] complete = bodyLength == body.length ? body : Arrays.copyOf(body, bodyLength);
    HttpRequest request =
        new HttpRequest(
            head.method(), head.path(), head.headers(), complete, head.keepAlive(), false);
    head = null;
    body = NO_BYTES;
    bodyLength = 0;
    scanned = 0;
    state = State.HEAD;
    if (start == end) {
      input = NO_BYTES;
      start = 0;
      end = 0;
    }
    return request;
  }

  /**
   * Finds the CRLF CRLF that ends the head, scanning only bytes not seen before.
   *
   * @return the index of its first CR, or -1 while it has not arrived
   */
  private int headEnd() {
    for (int i = start + scanned; i < end; i++) {
      if (input[i] == '\n') {
        requireCarriageReturn(i);
        if (i - start >= 3 && input[i - 2] == '\n') {
          if (i - 3 - start > MAX_HEAD_BYTES) {
            throw headTooLarge();
          }
          return i - 3;
        }
      }
    }
    scanned = end - start;
    if (scanned > MAX_HEAD_BYTES) {
      throw headTooLarge();
    }
    return -1;
  }

  /**
   * Finds the LF ending the line at {@code start}, scanning only bytes not seen before.
   *
   * @return its index, or -1 while it has not arrived
   */
  private int lineFeed() {
    for (int i = start + scanned; i < end; i++) {
      if (input[i] == '\n') {
        requireCarriageReturn(i);
        scanned = 0;
        return i;
      }
    }
    scanned = end - start;
    return -1;
  }

  private void requireCarriageReturn(int lineFeed) {
    if (lineFeed == start || input[lineFeed - 1] != '\r') {
      int from = lineFeed;
      while (from > start && input[from - 1] != '\n') {
        from--;
      }
      throw new MalformedRequestException(
          400, "line '" + quote(from, lineFeed) + "' ends with a bare LF; end each line with CRLF");
    }
  }

  private static MalformedRequestException headTooLarge() {
    return new MalformedRequestException(
        431, "request headers exceed " + MAX_HEAD_BYTES + " bytes");
  }

  private static MalformedRequestException tooLarge() {
    return new MalformedRequestException(413, "request body exceeds " + MAX_BODY_BYTES + " bytes");
  }

  private static StringBuilder join(StringBuilder list, String value) {
    return list == null ? new StringBuilder(value) : list.append(", ").append(value);
  }

  private static boolean hasToken(String list, String token) {
    for (String element : list.split(",", -1)) {
      if (element.strip().equals(token)) {
        return true;
      }
    }
    return false;
  }

  private boolean isToken(int from, int to) {
    for (int i = from; i < to; i++) {
      if (input[i] < 0 || !TOKEN[input[i]]) {
        return false;
      }
    }
    return to > from;
  }

  private boolean isVisible(int from, int to) {
    for (int i = from; i < to; i++) {
      if (input[i] <= ' ' || input[i] == 0x7f) {
        return false;
      }
    }
    return to > from;
  }

  private boolean isVersion(int from, int to) {
    return to - from == 8
        && ascii(from, from + 7).equals("HTTP/1.")
        && input[from + 7] >= '0'
        && input[from + 7] <= '9';
  }

  private static int hexValue(byte b) {
    if (b >= '0' && b <= '9') {
      return b - '0';
    }
    if (b >= 'a' && b <= 'f') {
      return b - 'a' + 10;
    }
    return b >= 'A' && b <= 'F' ? b - 'A' + 10 : -1;
  }

  private static boolean isBlank(byte b) {
    return b == ' ' || b == '\t';
  }

  private int indexOf(int from, char c) {
    return indexOf(from, end, c);
  }

  private int indexOf(int from, int to, char c) {
    for (int i = from; i < to; i++) {
      if (input[i] == c) {
        return i;
      }
    }
    return -1;
  }

  private String ascii(int from, int to) {
    return new String(input, from, to - from, StandardCharsets.ISO_8859_1);
  }

  /** The bytes as text for a message: control characters as '?', at most 80 characters. */
  private String quote(int from, int to) {
    StringBuilder text = new StringBuilder(Math.min(to - from, 83));
    for (int i = from; i < to && text.length() < 80; i++) {
      int c = input[i] & 0xff;
      text.append(c < 0x20 || c == 0x7f ? '?' : (char) c);
    }
    return to - from > 80 ? text.append("...").toString() : text.toString();
  }

  private static boolean[] tokenCharacters() {
    boolean[] token = new boolean[128];
    for (char c = '0'; c <= '9'; c++) {
      token[c] = true;
    }
    for (char c = 'a'; c <= 'z'; c++) {
      token[c] = true;
      token[Character.toUpperCase(c)] = true;
    }
    for (char c : "!#$%&'*+-.^_`|~".toCharArray()) {
      token[c] = true;
    }
    return token;
  }
}
