package io.lambdarun.local;

import io.lambdarun.api.ContainerRuntimeProvider;
import io.lambdarun.api.LaunchSpec;
import io.lambdarun.api.Owner;
import io.lambdarun.tck.ContainerRuntimeContract;

class LocalRuntimeContractIT extends ContainerRuntimeContract {

  @Override
  protected ContainerRuntimeProvider provider() {
    return new LocalRuntimeProvider();
  }

  /** The local backend runs no images; the TCK's python3.12 function runs on the local python3. */
  @Override
  protected String pythonImage() {
    return "unused-by-the-local-backend";
  }

  /** Counted from /proc, independently of the backend's own {@link MarkedProcesses}. */
  @Override
  protected long liveResources(Owner owner) {
    return LeftoverProcesses.instancesOf(owner);
  }

  /** A custom runtime without a bootstrap cannot start. */
  @Override
  protected LaunchSpec.Builder unlaunchable(LaunchSpec.Builder valid) {
    return valid.runtime("provided.al2023").handler("bootstrap");
  }
}
