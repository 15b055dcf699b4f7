package io.lambdarun.cli;

import java.util.Locale;

/** A Java handler {@link CliTest} packs into a jar and passes as {@code --code}. */
public class JarHandler {
  public String shout(String text) {
    return text.toUpperCase(Locale.ROOT) + "!";
  }
}
