package io.lambdarun.local;

import io.lambdarun.api.ContainerRuntimeProvider;
import io.lambdarun.tck.ProviderContract;

class LocalProviderContractTest extends ProviderContract {

  @Override
  protected ContainerRuntimeProvider provider() {
    return new LocalRuntimeProvider();
  }
}
