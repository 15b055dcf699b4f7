package io.lambdarun.core.discovery;

import io.lambdarun.api.Availability;
import io.lambdarun.api.ContainerRuntime;
import io.lambdarun.api.ContainerRuntimeProvider;
import io.lambdarun.api.Owner;
import io.lambdarun.api.RuntimeConfig;

/** A provider with a fixed name, priority and verdict; {@code null} verdict makes it throw. */
class StubProvider implements ContainerRuntimeProvider {

  private final String name;
  private final int priority;
  private final Availability availability;

  StubProvider(String name, int priority, Availability availability) {
    this.name = name;
    this.priority = priority;
    this.availability = availability;
  }

  static StubProvider available(String name, int priority) {
    return new StubProvider(name, priority, Availability.available(name + " is here"));
  }

  static StubProvider unavailable(String name, int priority) {
    return new StubProvider(name, priority, Availability.unavailable(name + " is missing"));
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public int priority() {
    return priority;
  }

  @Override
  public Availability availability(RuntimeConfig config) {
    if (availability == null) {
      throw new IllegalStateException("probe exploded");
    }
    return availability;
  }

  @Override
  public ContainerRuntime create(RuntimeConfig config, Owner owner) {
    throw new UnsupportedOperationException("not needed by selection tests");
  }
}
