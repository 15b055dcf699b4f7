package io.lambdarun.core.discovery;

import io.lambdarun.api.Availability;

/** A second provider class, for duplicate-name tests. */
class OtherStubProvider extends StubProvider {
  OtherStubProvider(String name) {
    super(name, 0, Availability.available("other"));
  }
}
