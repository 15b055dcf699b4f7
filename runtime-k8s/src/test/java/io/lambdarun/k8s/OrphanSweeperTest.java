package io.lambdarun.k8s;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.lambdarun.api.Labels;
import io.lambdarun.api.Owner;
import java.net.InetAddress;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The sweep against the CRUD mock API server: which pods and Secrets it deletes, which it keeps.
 */
class OrphanSweeperTest {

  private static final String NAMESPACE = "unit";

  private KubernetesMockServer server;
  private KubernetesClient client;

  @BeforeEach
  void start() throws Exception {
    server =
        new KubernetesMockServer(
            new Context(),
            new MockWebServer(),
            new HashMap<>(),
            new KubernetesCrudDispatcher(),
            false);
    server.init(InetAddress.getByName("127.0.0.1"), 0);
    client = server.createClient();
  }

  @AfterEach
  void stop() {
    client.close();
    server.destroy();
  }

  @Test
  void deletesWhatDeadOwnersOnThisHostLeftAndNothingElse() throws Exception {
    Owner self = Owner.forCurrentProcess();
    Process finished = new ProcessBuilder("true").start();
    finished.waitFor();
    Owner dead = new Owner("lr-dead00000000", finished.pid(), self.host());
    podAndSecret("orphan", dead.labels());
    secret("lone-secret", dead.labels());
    podAndSecret("mine", new Owner(self.id(), finished.pid(), self.host()).labels());
    podAndSecret("live", new Owner("lr-1ive00000000", self.pid(), self.host()).labels());
    podAndSecret("elsewhere", new Owner("lr-e1sewhere000", finished.pid(), "other-host").labels());
    podAndSecret("unowned", Map.of(Labels.MANAGED_BY, Labels.MANAGED_BY_VALUE));

    int removed =
        new OrphanSweeper(client, NAMESPACE, self, new PodResources(client, NAMESPACE)).sweep();

    assertThat(removed).isEqualTo(1);
    List<String> kept = List.of("mine", "live", "elsewhere", "unowned");
    assertThat(names(client.pods().inNamespace(NAMESPACE).list().getItems()))
        .containsExactlyInAnyOrderElementsOf(kept);
    assertThat(names(client.secrets().inNamespace(NAMESPACE).list().getItems()))
        .containsExactlyInAnyOrderElementsOf(kept);
  }

  private void podAndSecret(String name, Map<String, String> labels) {
    client
        .pods()
        .inNamespace(NAMESPACE)
        .resource(
            new PodBuilder()
                .withNewMetadata()
                .withName(name)
                .withLabels(labels)
                .endMetadata()
                .withNewSpec()
                .addNewContainer()
                .withName("lambda")
                .withImage("x:1")
                .endContainer()
                .endSpec()
                .build())
        .create();
    secret(name, labels);
  }

  private void secret(String name, Map<String, String> labels) {
    client
        .secrets()
        .inNamespace(NAMESPACE)
        .resource(
            new SecretBuilder()
                .withNewMetadata()
                .withName(name)
                .withLabels(labels)
                .endMetadata()
                .build())
        .create();
  }

  private static List<String> names(List<? extends HasMetadata> items) {
    return items.stream().map(item -> item.getMetadata().getName()).toList();
  }
}
