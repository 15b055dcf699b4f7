package io.lambdarun.docker;

import io.lambdarun.api.ContainerRuntimeProvider;
import io.lambdarun.tck.ProviderContract;

class DockerProviderContractTest extends ProviderContract {

  @Override
  protected ContainerRuntimeProvider provider() {
    return new DockerRuntimeProvider();
  }
}
