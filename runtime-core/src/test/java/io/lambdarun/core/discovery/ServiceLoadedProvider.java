package io.lambdarun.core.discovery;

import io.lambdarun.api.Availability;

/** A provider registered through a test {@code META-INF/services} file. */
public class ServiceLoadedProvider extends StubProvider {
  /** Creates the provider, as ServiceLoader does. */
  public ServiceLoadedProvider() {
    super("loaded", 5, Availability.available("found by ServiceLoader"));
  }
}
