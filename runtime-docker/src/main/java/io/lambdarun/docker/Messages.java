package io.lambdarun.docker;

/** Short forms of container ids and exceptions for log lines and error messages. */
final class Messages {

  private Messages() {}

  /** Returns the 12-character form of a container id, as the engine's CLI shows it. */
  static String shortId(String id) {
    return id.length() > 12 ? id.substring(0, 12) : id;
  }

  /** Returns an exception's message, or its class name when it has none. */
  static String of(Throwable e) {
    String message = e.getMessage();
    return message == null ? e.getClass().getSimpleName() : message.strip();
  }
}
