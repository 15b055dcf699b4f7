package io.lambdarun.k8s;

import com.google.auto.service.AutoService;
import io.fabric8.kubernetes.api.model.ListOptionsBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.lambdarun.api.Availability;
import io.lambdarun.api.ConfigurationException;
import io.lambdarun.api.ContainerRuntime;
import io.lambdarun.api.ContainerRuntimeProvider;
import io.lambdarun.api.Owner;
import io.lambdarun.api.RuntimeConfig;
import io.lambdarun.api.RuntimeUnavailableException;

/**
 * The {@code kubernetes} backend: runs each instance as a pod. Selected only by name ({@link
 * #priority()} is {@link ContainerRuntimeProvider#EXPLICIT_ONLY}), since deploying to a cluster by
 * accident is worse than failing. Configuration keys are in {@link KubernetesConfigKeys}; the
 * client comes from fabric8's ambient configuration (in-cluster service account or kubeconfig)
 * unless {@link KubernetesConfigKeys#MASTER_URL} is set.
 */
@AutoService(ContainerRuntimeProvider.class)
public final class KubernetesRuntimeProvider implements ContainerRuntimeProvider {

  private static final int PROBE_TIMEOUT_MILLIS = 2_000;

  /** Creates the provider; does no I/O. */
  public KubernetesRuntimeProvider() {}

  @Override
  public String name() {
    return KubernetesContainerRuntime.NAME;
  }

  @Override
  public int priority() {
    return EXPLICIT_ONLY;
  }

  @Override
  public Availability availability(RuntimeConfig config) {
    KubernetesSettings settings;
    try {
      settings = KubernetesSettings.from(config);
    } catch (ConfigurationException e) {
      return Availability.unavailable(e.getMessage());
    } catch (RuntimeException e) {
      return Availability.unavailable(
          "the Kubernetes configuration could not be read ("
              + e
              + "); check the "
              + "'lambdarun.kubernetes.*' keys");
    }
    try (KubernetesClient client = client(settings, PROBE_TIMEOUT_MILLIS)) {
      client
          .pods()
          .inNamespace(settings.namespace())
          .list(new ListOptionsBuilder().withLimit(1L).build());
      return Availability.available(
          "the Kubernetes API server at '"
              + client.getMasterUrl()
              + "' lists pods in namespace '"
              + settings.namespace()
              + "'");
    } catch (KubernetesClientException e) {
      return Availability.unavailable(
          "the Kubernetes API server did not list pods in namespace '"
              + settings.namespace()
              + "' ("
              + ApiFailures.describe(e)
              + "); check the kubeconfig or '"
              + KubernetesConfigKeys.MASTER_URL
              + "' and the service account's RBAC");
    } catch (RuntimeException e) {
      return Availability.unavailable(
          "no Kubernetes client could be configured ("
              + e
              + "); check the kubeconfig or '"
              + KubernetesConfigKeys.MASTER_URL
              + "'");
    }
  }

  @Override
  public ContainerRuntime create(RuntimeConfig config, Owner owner) {
    KubernetesSettings settings = KubernetesSettings.from(config);
    KubernetesClient client;
    try {
      client = client(settings, 0);
    } catch (RuntimeException e) {
      throw new RuntimeUnavailableException(
          "no Kubernetes client could be configured ("
              + e.getMessage()
              + "); check the"
              + " kubeconfig or '"
              + KubernetesConfigKeys.MASTER_URL
              + "'",
          e);
    }
    try {
      return new KubernetesContainerRuntime(settings, owner, client, true);
    } catch (RuntimeException e) {
      client.close();
      throw e;
    }
  }

  /** Builds a client from the ambient configuration or the configured master URL. */
  static KubernetesClient client(KubernetesSettings settings, int requestTimeoutMillis) {
    ConfigBuilder builder =
        settings
            .masterUrl()
            .map(
                url ->
                    new ConfigBuilder(Config.empty())
                        .withMasterUrl(url)
                        .withTrustCerts(settings.trustCertificates()))
            .orElseGet(() -> new ConfigBuilder(Config.autoConfigure(null)));
    // fail a launch within about a second when the API server is down (fabric8's default retries
    // for minutes); core decides whether to try again
    builder.withNamespace(settings.namespace()).withRequestRetryBackoffLimit(3);
    if (requestTimeoutMillis > 0) {
      builder
          .withRequestTimeout(requestTimeoutMillis)
          .withConnectionTimeout(requestTimeoutMillis)
          .withRequestRetryBackoffLimit(0);
    }
    return new KubernetesClientBuilder().withConfig(builder.build()).build();
  }
}
