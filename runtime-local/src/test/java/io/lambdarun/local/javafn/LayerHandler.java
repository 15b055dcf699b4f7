package io.lambdarun.local.javafn;

import io.lambdarun.local.javalayer.Salutation;

/** Uses a class that only a layer's {@code java/lib/*.jar} holds. */
public class LayerHandler {
  public String greet(String name) {
    return Salutation.of(name);
  }
}
