package io.lambdarun.core.runtimeapi;

import java.util.Map;

/**
 * Receives a streamed request body as it arrives, on the server's loop thread: the chunks' data in
 * order, then the trailer fields. A sink never blocks; it asks for a pause instead, and the
 * connection reads on once its {@link HttpConnection#resumeReading()} is called.
 */
interface BodySink {

  /** A sink that drops what it is given, for a streamed request the handler refused. */
  BodySink DISCARD =
      new BodySink() {
        @Override
        public boolean data(byte[] bytes, int offset, int length) {
          return true;
        }

        @Override
        public void end(Map<String, String> trailers) {}
      };

  /**
   * Takes the next bytes of the body; the array is reused, so a sink copies what it keeps.
   *
   * @param bytes the buffer
   * @param offset where the bytes start
   * @param length how many there are
   * @return false to stop reading the connection until it is resumed
   */
  boolean data(byte[] bytes, int offset, int length);

  /**
   * Ends the body.
   *
   * @param trailers the trailer fields by lower-case name, empty when none were sent
   */
  void end(Map<String, String> trailers);
}
