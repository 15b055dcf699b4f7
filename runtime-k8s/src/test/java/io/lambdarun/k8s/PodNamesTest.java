package io.lambdarun.k8s;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class PodNamesTest {

  private static void assertDns1123(String name) {
    assertThat(name).matches("[a-z0-9]([-a-z0-9]*[a-z0-9])?");
    assertThat(name.length()).isLessThanOrEqualTo(63);
  }

  @Test
  void podNameIsDns1123Safe() {
    String name = PodNames.podName("My_Awesome_Function", "abc/123+def==");
    assertDns1123(name);
    assertThat(name).startsWith("lambdarun-my-awesome-function-").hasSize(42);
  }

  @Test
  void podNameIsStableForSameInputs() {
    assertThat(PodNames.podName("fn", "deploy")).isEqualTo(PodNames.podName("fn", "deploy"));
  }

  @Test
  void podNameDiffersWhenDeployIdChanges() {
    assertThat(PodNames.podName("fn", "deploy-1")).isNotEqualTo(PodNames.podName("fn", "deploy-2"));
  }

  @Test
  void podNameSuffixIsTheFirstSixBytesOfSha256() {
    assertThat(PodNames.podName("fn", "deploy"))
        .isEqualTo("lambdarun-fn-" + PodNames.hex12("deploy"));
    assertThat(PodNames.hex12("abc")).isEqualTo("ba7816bf8f01");
  }

  @Test
  void podNameHandlesVeryLongSlug() {
    String name = PodNames.podName("x".repeat(200) + "-" + "y".repeat(50), "id");
    assertDns1123(name);
    assertThat(name).hasSize(63).startsWith("lambdarun-xxxx");
  }

  @Test
  void longSlugCutAtADashDoesNotEndInTwoDashes() {
    String name = PodNames.podName("a".repeat(39) + "-b", "id");
    assertDns1123(name);
    assertThat(name).doesNotContain("--");
  }

  @Test
  void podNameHandlesEmptySlug() {
    assertThat(PodNames.podName("___", "id")).isEqualTo("lambdarun-" + PodNames.hex12("id"));
  }

  @Test
  void labelSafeLowercasesDashesAndTrims() {
    assertThat(PodNames.labelSafe("-My_Fn.v2--")).isEqualTo("my-fn-v2");
  }

  @Test
  void uniquePodNameDiffersAcrossCalls() {
    assertThat(PodNames.launchName("fn", "d", "lr-1-1"))
        .isNotEqualTo(PodNames.launchName("fn", "d", "lr-1-2"));
  }

  @Test
  void uniquePodNameIsDns1123SafeAndBounded() {
    Set<String> names = new HashSet<>();
    for (int i = 0; i < 1000; i++) {
      String name =
          PodNames.launchName(
              "-Some_Function.Name-" + "z".repeat(i % 70), "dep/loy+id==", "lr-abc-" + i);
      assertDns1123(name);
      names.add(name);
    }
    assertThat(names).hasSize(1000);
  }
}
