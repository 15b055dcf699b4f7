package io.lambdarun.k8s;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.Toleration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PodConfigTest {

  @Test
  void emptyInputGivesAnEmptyMap() {
    assertThat(PodConfig.parseMap("")).isEmpty();
  }

  @Test
  void entriesAreTrimmedAndKeptInOrder() {
    assertThat(PodConfig.parseMap(" a = 1 ,b=2"))
        .containsExactly(Map.entry("a", "1"), Map.entry("b", "2"));
  }

  @Test
  void malformedEntriesAreSkipped() {
    assertThat(PodConfig.parseMap("a=1,,noequals,=nokey, ,b=2"))
        .containsExactly(Map.entry("a", "1"), Map.entry("b", "2"));
  }

  @Test
  void lastDuplicateWinsAndValueMayContainEquals() {
    assertThat(PodConfig.parseMap("a=1,b=x=y,a=3"))
        .containsExactly(Map.entry("b", "x=y"), Map.entry("a", "3"));
  }

  @Test
  void tolerationsParse() {
    List<Toleration> parsed =
        PodConfig.parseTolerations(
            "[{\"key\":\"k\",\"operator\":\"Equal\",\"value\":\"v\",\"effect\":\"NoSchedule\"}]");
    assertThat(parsed).containsExactly(new Toleration("NoSchedule", "k", "Equal", null, "v"));
  }

  @Test
  void tolerationsRejectAnObjectAndGarbage() {
    assertThatThrownBy(() -> PodConfig.parseTolerations("{\"key\":\"k\"}"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("not a JSON array");
    assertThatThrownBy(() -> PodConfig.parseTolerations("[{\"key\":"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("not a JSON array of tolerations");
  }

  @Test
  void mergeLetsTheHigherLevelWinPerKeyAndUnitesTolerations() {
    Toleration a = new Toleration("NoSchedule", "a", "Exists", null, null);
    Toleration b = new Toleration("NoSchedule", "b", "Exists", null, null);
    PodConfig merged =
        new PodConfig(Map.of("zone", "a", "pool", "x"), List.of(a), Map.of("n", "1"))
            .mergedWith(new PodConfig(Map.of("zone", "b"), List.of(a, b), Map.of("m", "2")));
    assertThat(merged.nodeSelector()).containsEntry("zone", "b").containsEntry("pool", "x");
    assertThat(merged.tolerations()).containsExactly(a, b);
    assertThat(merged.annotations()).containsEntry("n", "1").containsEntry("m", "2");
  }

  @Test
  void fromTagsReadsAllThreeFields() {
    PodConfig config =
        PodConfig.fromTags(
            "fn",
            Map.of(
                "lambdarun.io/k8s-node-selector", "zone=b",
                "lambdarun.io/k8s-tolerations", "[{\"key\":\"t\",\"operator\":\"Exists\"}]",
                "lambdarun.io/k8s-annotations", "a=1"));
    assertThat(config.nodeSelector()).containsExactly(Map.entry("zone", "b"));
    assertThat(config.tolerations()).extracting(Toleration::getKey).containsExactly("t");
    assertThat(config.annotations()).containsExactly(Map.entry("a", "1"));
  }

  @Test
  void absentTagsGiveAnEmptyConfig() {
    assertThat(PodConfig.fromTags("fn", Map.of("other", "x")).isEmpty()).isTrue();
  }

  @Test
  void malformedTolerationsTagIsIgnoredWhileOtherFieldsApply() {
    PodConfig config =
        PodConfig.fromTags(
            "fn",
            Map.of(
                "lambdarun.io/k8s-node-selector", "zone=b",
                "lambdarun.io/k8s-tolerations", "{not json"));
    assertThat(config.tolerations()).isEmpty();
    assertThat(config.nodeSelector()).containsExactly(Map.entry("zone", "b"));
  }
}
