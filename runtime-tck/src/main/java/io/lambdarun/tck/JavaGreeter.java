package io.lambdarun.tck;

import java.util.Map;

/**
 * The Java handler {@link RuntimeApiImageContract} runs on a backend's Java image, whose runtime
 * client is AWS's Java runtime interface client: a plain class (the client takes any public method
 * of one or two arguments), so that it needs no AWS library on the class path. The contract zips
 * its class file, or bakes it into an image, at {@code io/lambdarun/tck/JavaGreeter.class}.
 */
public final class JavaGreeter {

  /** The handler string of {@link #handleRequest}, as a function names it. */
  public static final String HANDLER = JavaGreeter.class.getName() + "::handleRequest";

  /** Creates the handler; the runtime interface client calls this once per instance. */
  public JavaGreeter() {}

  /**
   * Greets the event's {@code name}.
   *
   * @param event the event
   * @return {@code Hello from Java, <name>!}
   */
  public String handleRequest(Map<String, Object> event) {
    return "Hello from Java, " + event.get("name") + "!";
  }
}
