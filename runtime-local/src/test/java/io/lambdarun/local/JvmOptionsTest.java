package io.lambdarun.local;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class JvmOptionsTest {

  @Test
  void theHeapIs85PercentOfTheMemoryInKibAsOnAws() {
    // AWS's java runtimes start a 512 MB function with -XX:MaxHeapSize=445645k
    assertThat(JvmOptions.forFunction(21, 21, 512, "")).startsWith("-XX:MaxHeapSize=445645k");
    assertThat(JvmOptions.forFunction(21, 21, 128, "")).startsWith("-XX:MaxHeapSize=111411k");
    assertThat(JvmOptions.forFunction(21, 21, 10240, "")).startsWith("-XX:MaxHeapSize=8912896k");
  }

  @Test
  void java17AndLaterStopTieredCompilationAtLevelOneAndEarlierKeepTheDefault() {
    assertThat(JvmOptions.forFunction(17, 17, 256, ""))
        .containsExactly(
            "-XX:MaxHeapSize=222822k",
            "-XX:+UseSerialGC",
            "-XX:+TieredCompilation",
            "-XX:TieredStopAtLevel=1",
            "-Djava.net.preferIPv4Stack=true");
    assertThat(JvmOptions.forFunction(25, 25, 256, "")).contains("-XX:TieredStopAtLevel=1");
    assertThat(JvmOptions.forFunction(11, 17, 256, ""))
        .containsExactly(
            "-XX:MaxHeapSize=222822k", "-XX:+UseSerialGC", "-Djava.net.preferIPv4Stack=true");
    assertThat(JvmOptions.forFunction(8, 17, 256, "")).noneMatch(o -> o.contains("Tiered"));
  }

  @Test
  void whatJavaToolOptionsSetsIsLeftToIt() {
    assertThat(JvmOptions.forFunction(21, 21, 256, "-Xmx64m"))
        .noneMatch(option -> option.startsWith("-XX:MaxHeapSize"))
        .contains("-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1");
    assertThat(JvmOptions.forFunction(21, 21, 256, "-XX:MaxRAMPercentage=50"))
        .noneMatch(option -> option.startsWith("-XX:MaxHeapSize"));
    assertThat(JvmOptions.forFunction(21, 21, 256, "-XX:+UseParallelGC"))
        .doesNotContain("-XX:+UseSerialGC")
        .contains("-XX:MaxHeapSize=222822k");
    assertThat(JvmOptions.forFunction(21, 21, 256, "-XX:TieredStopAtLevel=4"))
        .noneMatch(option -> option.contains("Tiered"));
    assertThat(JvmOptions.forFunction(21, 21, 256, "-XX:-TieredCompilation"))
        .noneMatch(option -> option.contains("Tiered"));
  }

  @Test
  void jdk22AndLaterAllowTheClientsNativeAccess() {
    assertThat(JvmOptions.forFunction(21, 25, 256, ""))
        .endsWith("--enable-native-access=ALL-UNNAMED");
    assertThat(JvmOptions.forFunction(21, 21, 256, ""))
        .doesNotContain("--enable-native-access=ALL-UNNAMED");
  }
}
