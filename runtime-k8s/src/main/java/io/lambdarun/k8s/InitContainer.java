package io.lambdarun.k8s;

import static io.lambdarun.k8s.PodSpecFactory.ARTIFACT_URL_ENV;
import static io.lambdarun.k8s.PodSpecFactory.LAYER_COUNT_ENV;
import static io.lambdarun.k8s.PodSpecFactory.TOKEN_ENV;
import static io.lambdarun.k8s.PodVolumes.STAGING_DIR;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.lambdarun.api.LaunchSpec;
import io.lambdarun.api.PackageType;

/** The init container, which fetches the code and layer zips and unzips them into the volumes. */
final class InitContainer {

  private InitContainer() {}

  /**
   * Builds the container.
   *
   * @param spec the launch
   * @param context where and how; the token comes from the Secret named after the pod
   * @param custom whether the code also goes to {@code /var/runtime}
   * @return the container
   */
  static Container of(LaunchSpec spec, PodContext context, boolean custom) {
    return new ContainerBuilder()
        .withName(PodSpecFactory.INIT_CONTAINER)
        .withImage(context.initImage())
        .withCommand("sh", "-c", script(spec, custom))
        .withEnv(
            new EnvVar(ARTIFACT_URL_ENV, context.artifactUrl(), null),
            PodSpecFactory.secretEnv(TOKEN_ENV, context.podName(), PodSpecFactory.TOKEN_KEY),
            new EnvVar(LAYER_COUNT_ENV, Integer.toString(spec.layers().size()), null))
        .withSecurityContext(PodSandbox.container())
        .withVolumeMounts(PodVolumes.initMounts(spec, custom))
        .build();
  }

  /** Returns the container's shell script; it refers to the token only by variable name. */
  private static String script(LaunchSpec spec, boolean custom) {
    StringBuilder script = new StringBuilder();
    script.append("set -eu\n");
    script.append("fetch() {\n");
    script
        .append("  wget -q -O \"$2\" --header \"Authorization: Bearer $")
        .append(TOKEN_ENV)
        .append("\" \"$")
        .append(ARTIFACT_URL_ENV)
        .append("/$1\"\n");
    script.append("}\n");
    if (spec.packageType() == PackageType.ZIP) {
      script.append("fetch code.zip ").append(STAGING_DIR).append("/code.zip\n");
      script.append("unzip -o -q ").append(STAGING_DIR).append("/code.zip -d /var/task\n");
      if (custom) {
        script.append("unzip -o -q ").append(STAGING_DIR).append("/code.zip -d /var/runtime\n");
      }
      script.append("rm -f ").append(STAGING_DIR).append("/code.zip\n");
    }
    script.append("i=0\n");
    script.append("while [ \"$i\" -lt \"$").append(LAYER_COUNT_ENV).append("\" ]; do\n");
    script.append("  fetch \"layer-$i.zip\" ").append(STAGING_DIR).append("/layer.zip\n");
    script.append("  unzip -o -q ").append(STAGING_DIR).append("/layer.zip -d /opt\n");
    script.append("  rm -f ").append(STAGING_DIR).append("/layer.zip\n");
    script.append("  i=$((i + 1))\n");
    script.append("done\n");
    return script.toString();
  }
}
