package io.lambdarun.api;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class LabelsTest {

  @Test
  void keepsSafeValuesAsTheyAre() {
    assertThat(Labels.safeValue("my-function_1.v2")).isEqualTo("my-function_1.v2");
  }

  @Test
  void replacesUnsafeCharactersAndTrimsEnds() {
    assertThat(Labels.safeValue("$LATEST")).isEqualTo("LATEST");
    assertThat(Labels.safeValue("-_a b/c_-")).isEqualTo("a-b-c");
    assertThat(Labels.safeValue("")).isEmpty();
  }

  @Test
  void capsValuesAt63CharactersEndingAlphanumeric() {
    String value = Labels.safeValue("a".repeat(62) + "-bcd");
    assertThat(value).hasSizeLessThanOrEqualTo(63).isEqualTo("a".repeat(62));
    for (int length = 1; length < 200; length++) {
      String safe = Labels.safeValue("x_".repeat(length));
      assertThat(safe)
          .hasSizeLessThanOrEqualTo(63)
          .matches("([A-Za-z0-9]([A-Za-z0-9._-]*[A-Za-z0-9])?)?");
    }
  }
}
