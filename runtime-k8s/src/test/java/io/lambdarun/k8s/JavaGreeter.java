package io.lambdarun.k8s;

import java.util.Map;

/**
 * A Java handler for the Java test image, whose runtime client is AWS's Java runtime interface
 * client: a plain class (the client takes any public method of one or two arguments), so that it
 * needs no AWS library on this module's class path. Zipped or baked into an image by {@link
 * KubernetesRuntimeApiIT}.
 */
public class JavaGreeter {

  /** The handler string of {@link #handleRequest}, as a function names it. */
  static final String HANDLER = JavaGreeter.class.getName() + "::handleRequest";

  /**
   * Greets the event's {@code name}.
   *
   * @param event the event
   * @return the greeting
   */
  public String handleRequest(Map<String, Object> event) {
    return "Hello from Java, " + event.get("name") + "!";
  }
}
