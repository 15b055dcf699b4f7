package io.lambdarun.docker;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.model.Container;
import io.lambdarun.api.Labels;
import io.lambdarun.api.Owner;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Removes containers left behind by owners that died on this host. Containers of the current owner,
 * of live owners, of owners on other hosts, and containers whose owner labels do not parse are
 * kept.
 */
final class OrphanSweeper {

  private static final Logger LOG = LoggerFactory.getLogger(OrphanSweeper.class);

  private final DockerClient docker;
  private final Owner self;
  private final Predicate<String> remover;

  /**
   * Creates a sweeper.
   *
   * @param docker the engine
   * @param self the current owner, never swept
   * @param remover removes a container by id and tells whether it did
   */
  OrphanSweeper(DockerClient docker, Owner self, Predicate<String> remover) {
    this.docker = docker;
    this.self = self;
    this.remover = remover;
  }

  /**
   * Sweeps once.
   *
   * @return the number of containers removed
   */
  int sweep() {
    int removed = 0;
    for (Container container :
        docker
            .listContainersCmd()
            .withShowAll(true)
            .withLabelFilter(Map.of(Labels.MANAGED_BY, Labels.MANAGED_BY_VALUE))
            .exec()) {
      Map<String, String> labels = container.getLabels() == null ? Map.of() : container.getLabels();
      Optional<Owner> owner = Owner.fromLabels(labels);
      if (owner.isPresent()
          && !owner.get().id().equals(self.id())
          && owner.get().isDeadOnThisHost()
          && remover.test(container.getId())) {
        LOG.info(
            "removed orphaned container {} of dead owner {} (pid {})",
            container.getId(),
            owner.get().id(),
            owner.get().pid());
        removed++;
      }
    }
    return removed;
  }
}
