package io.lambdarun.docker;

import io.lambdarun.api.ContainerRuntimeProvider;
import io.lambdarun.api.Owner;
import io.lambdarun.tck.ContainerRuntimeContract;

class DockerRuntimeContractIT extends ContainerRuntimeContract {

  @Override
  protected ContainerRuntimeProvider provider() {
    return new DockerRuntimeProvider();
  }

  @Override
  protected String pythonImage() {
    return TestEngine.PYTHON_IMAGE;
  }

  @Override
  protected long liveResources(Owner owner) {
    return TestEngine.containersOf(owner);
  }
}
