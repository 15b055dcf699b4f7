package io.lambdarun.k8s;

import io.fabric8.kubernetes.api.model.PodSecurityContext;
import io.fabric8.kubernetes.api.model.PodSecurityContextBuilder;
import io.fabric8.kubernetes.api.model.SecurityContext;
import io.fabric8.kubernetes.api.model.SecurityContextBuilder;

/** The security contexts of Lambda's sandbox, which the "restricted" Pod Security Standard asks. */
final class PodSandbox {

  private PodSandbox() {}

  /**
   * The pod's part of the sandbox: a non-root user and group (also the {@code fsGroup}, so the
   * volumes are the group's) and the container runtime's default seccomp profile.
   */
  static PodSecurityContext pod(PodUser user) {
    return new PodSecurityContextBuilder()
        .withRunAsNonRoot(true)
        .withRunAsUser(user.uid())
        .withRunAsGroup(user.gid())
        .withFsGroup(user.gid())
        .withNewSeccompProfile()
        .withType("RuntimeDefault")
        .endSeccompProfile()
        .build();
  }

  /** Each container's part: no privilege escalation, no capability, a read-only root. */
  static SecurityContext container() {
    return new SecurityContextBuilder()
        .withAllowPrivilegeEscalation(false)
        .withNewCapabilities()
        .withDrop("ALL")
        .endCapabilities()
        .withReadOnlyRootFilesystem(true)
        .build();
  }
}
