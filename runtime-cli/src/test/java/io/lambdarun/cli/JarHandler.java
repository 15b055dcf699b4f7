package io.lambdarun.cli;

import java.util.Locale;

/** A Java handler the CLI's tests pack into a jar and pass as {@code --code}. */
public class JarHandler {
  public String shout(String text) {
    return text.toUpperCase(Locale.ROOT) + "!";
  }

  public String classPath(String ignored) {
    return System.getProperty("java.class.path");
  }
}
