package io.lambdarun.local.javafn;

/** A POJO result, serialized by the runtime client through its getters. */
public class Greeting {
  private final String message;

  public Greeting(String message) {
    this.message = message;
  }

  public String getMessage() {
    return message;
  }
}
