package io.lambdarun.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class RecentLogLinesTest {

  private static final Instant T0 = Instant.parse("2026-12-03T02:00:00.100Z");

  @Test
  @DisplayName("filters by the lines' own timestamps, exactly, within the same second")
  void sinceIsExact() {
    RecentLogLines recent = new RecentLogLines(1024);
    recent.add(new LogLine(T0, "first"));
    recent.add(new LogLine(T0.plusMillis(5), "second"));
    recent.add(new LogLine(T0.plusMillis(9), "third"));
    assertThat(recent.since(Instant.EPOCH)).isEqualTo("first\nsecond\nthird\n");
    assertThat(recent.since(T0.plusMillis(5))).isEqualTo("second\nthird\n");
    assertThat(recent.since(T0.plusMillis(10))).isEmpty();
  }

  @Test
  @DisplayName("keeps and returns at most the last tail bytes, newlines counted")
  void boundedToTail() {
    RecentLogLines recent = new RecentLogLines(10);
    recent.add(new LogLine(T0, "aaaa"));
    recent.add(new LogLine(T0, "bbbb"));
    recent.add(new LogLine(T0, "cccc"));
    assertThat(recent.since(Instant.EPOCH)).isEqualTo("bbbb\ncccc\n");
  }
}
