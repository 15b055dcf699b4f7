package io.lambdarun.local.javalayer;

/** A class the Java tests ship in a layer's {@code java/lib/salutation.jar}, not in the code. */
public final class Salutation {

  private Salutation() {}

  public static String of(String name) {
    return "Salutations, " + name + ", from a layer";
  }
}
