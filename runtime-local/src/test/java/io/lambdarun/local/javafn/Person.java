package io.lambdarun.local.javafn;

/** A POJO event, deserialized by the runtime client through its setters. */
public class Person {
  private String name;

  public String getName() {
    return name;
  }

  public void setName(String name) {
    this.name = name;
  }
}
