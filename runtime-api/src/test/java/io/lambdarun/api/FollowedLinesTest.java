package io.lambdarun.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class FollowedLinesTest {

  private static final Instant T0 = Instant.parse("2026-12-03T09:00:00Z");

  @Test
  @DisplayName("hands every line to the listener and keeps it for since")
  void deliversAndKeeps() {
    List<String> received = new ArrayList<>();
    FollowedLines lines = new FollowedLines(line -> received.add(line.text()), 1024);

    assertThat(lines.deliver(new LogLine(T0, "one"))).isEmpty();
    assertThat(lines.deliver(new LogLine(T0.plusMillis(1), "two"))).isEmpty();

    assertThat(received).containsExactly("one", "two");
    assertThat(lines.since(T0.plusMillis(1))).isEqualTo("two\n");
  }

  @Test
  @DisplayName("returns a throwing listener's failure once, and keeps the lines it failed on")
  void reportsTheFirstFailureOnly() {
    RuntimeException broken = new IllegalStateException("broken listener");
    FollowedLines lines =
        new FollowedLines(
            line -> {
              throw broken;
            },
            1024);

    assertThat(lines.deliver(new LogLine(T0, "one"))).containsSame(broken);
    assertThat(lines.deliver(new LogLine(T0, "two"))).isEmpty();

    assertThat(lines.since(T0)).isEqualTo("one\ntwo\n");
  }
}
