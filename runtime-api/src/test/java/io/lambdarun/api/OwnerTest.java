package io.lambdarun.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

class OwnerTest {

  @Test
  void roundTripsThroughLabels() {
    Owner owner = Owner.forCurrentProcess();
    Map<String, String> labels = owner.labels();
    assertThat(labels).containsEntry(Labels.MANAGED_BY, "lambdarun");
    assertThat(labels.values()).allMatch(value -> value.equals(Labels.safeValue(value)));
    assertThat(Owner.fromLabels(labels)).contains(owner);
  }

  @Test
  void theCurrentProcessIsAlive() {
    assertThat(Owner.forCurrentProcess().isDeadOnThisHost()).isFalse();
  }

  @Test
  void anOwnerWhoseProcessEndedIsDead() throws Exception {
    Process process = new ProcessBuilder("true").start();
    process.waitFor();
    Owner live = Owner.forCurrentProcess();
    Owner ended = new Owner("lr-ended", process.pid(), live.host());
    assertThat(ended.isDeadOnThisHost()).isTrue();
  }

  @Test
  void ownersOnOtherHostsAreNeverConsideredDead() {
    Owner elsewhere = new Owner("lr-remote", Long.MAX_VALUE, "some-other-host");
    assertThat(elsewhere.isDeadOnThisHost()).isFalse();
  }

  @Test
  void malformedLabelsGiveNoOwner() {
    assertThat(Owner.fromLabels(Map.of(Labels.OWNER, "x"))).isEmpty();
    assertThat(
            Owner.fromLabels(
                Map.of(Labels.OWNER, "lr-1", Labels.OWNER_PID, "abc", Labels.OWNER_HOST, "h")))
        .isEmpty();
  }
}
