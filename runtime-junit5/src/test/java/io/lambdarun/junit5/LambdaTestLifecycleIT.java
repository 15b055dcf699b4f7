package io.lambdarun.junit5;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import io.lambdarun.core.LambdaRuntime;
import io.lambdarun.core.model.LambdaFunction;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.platform.testkit.engine.EngineTestKit;

/** One runtime per test class, shared by its tests and closed after them with nothing left. */
class LambdaTestLifecycleIT {

  private static final Pattern PID = Pattern.compile("\"pid\": (\\d+)");

  @Test
  void theClassesTestsShareOneRuntimeThatIsClosedAfterThemWithNoInstanceLeft() throws IOException {
    TwoTests.runtimes.clear();
    TwoTests.pids.clear();

    EngineTestKit.engine("junit-jupiter")
        .selectors(selectClass(TwoTests.class))
        .execute()
        .testEvents()
        .assertStatistics(stats -> stats.started(2).succeeded(2));

    assertThat(TwoTests.runtimes).hasSize(2);
    LambdaRuntime runtime = TwoTests.runtimes.get(0);
    assertThat(TwoTests.runtimes.get(1)).isSameAs(runtime);
    assertThatThrownBy(runtime::backendName)
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("closed");
    assertThat(TwoTests.pids).hasSize(2).containsOnly(TwoTests.pids.get(0));
    assertThat(isRunning(TwoTests.pids.get(0))).as("process %s", TwoTests.pids.get(0)).isFalse();
  }

  @Test
  void eachRunOfAClassGetsItsOwnRuntime() {
    TwoTests.runtimes.clear();
    for (int run = 0; run < 2; run++) {
      EngineTestKit.engine("junit-jupiter")
          .selectors(selectClass(TwoTests.class))
          .execute()
          .testEvents()
          .assertStatistics(stats -> stats.succeeded(2));
    }

    assertThat(TwoTests.runtimes).hasSize(4);
    assertThat(TwoTests.runtimes.get(2)).isNotSameAs(TwoTests.runtimes.get(0));
  }

  /** Tells whether a process runs, a zombie (the local backend detaches its processes) not. */
  private static boolean isRunning(long pid) throws IOException {
    Path stat = Path.of("/proc", Long.toString(pid), "stat");
    if (!Files.exists(stat)) {
      return false;
    }
    String text = Files.readString(stat);
    return text.charAt(text.lastIndexOf(')') + 2) != 'Z';
  }

  /** Two tests that record the runtime they were given and the process that answered them. */
  @LambdaTest
  static class TwoTests {
    static final List<LambdaRuntime> runtimes = new CopyOnWriteArrayList<>();
    static final List<Long> pids = new CopyOnWriteArrayList<>();

    @Function(
        runtime = "python3.12",
        handler = "app.handler",
        code = "src/test/functions/python-hello")
    static LambdaFunction hello;

    @Test
    void first(LambdaRuntime runtime, LambdaInvoker lambda) {
      record(runtime, lambda);
    }

    @Test
    void second(LambdaRuntime runtime, LambdaInvoker lambda) {
      record(runtime, lambda);
    }

    private static void record(LambdaRuntime runtime, LambdaInvoker lambda) {
      runtimes.add(runtime);
      Matcher pid = PID.matcher(lambda.invoke("{\"name\":\"lifecycle\"}").payloadUtf8());
      assertThat(pid.find()).isTrue();
      pids.add(Long.parseLong(pid.group(1)));
    }
  }
}
