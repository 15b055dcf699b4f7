package io.lambdarun.local;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OutputLogTest {

  @TempDir Path folder;

  private static void append(Path file, String text) throws IOException {
    Files.writeString(file, text, StandardCharsets.UTF_8, StandardOpenOption.APPEND);
  }

  private static Instant tick() throws InterruptedException {
    Thread.sleep(5);
    Instant now = Instant.now();
    Thread.sleep(5);
    return now;
  }

  @Test
  @DisplayName("returns what was written after the last mark before the given time")
  void sinceFollowsMarks() throws Exception {
    OutputLog log = new OutputLog(folder.resolve("out.log"), 1024, 1 << 20);
    append(log.file(), "init\n");
    log.mark();
    append(log.file(), "first event\n");
    log.mark();
    Instant betweenEvents = tick();
    log.mark();
    append(log.file(), "second event\n");

    assertThat(log.since(Instant.EPOCH)).isEqualTo("init\nfirst event\nsecond event\n");
    assertThat(log.since(betweenEvents)).isEqualTo("second event\n");
  }

  @Test
  @DisplayName(
      "never drops what was written after the given time: with no mark between the two events,"
          + " the earlier one's output comes too")
  void nothingAfterTheTimeIsDropped() throws Exception {
    OutputLog log = new OutputLog(folder.resolve("out.log"), 1024, 1 << 20);
    log.mark();
    append(log.file(), "first event\n");
    Instant betweenEvents = tick();
    append(log.file(), "second event\n");
    log.mark();

    assertThat(log.since(betweenEvents)).isEqualTo("first event\nsecond event\n");
  }

  @Test
  @DisplayName("keeps an event's output when its marks fall on the very instant asked for")
  void marksOnTheInstantAskedForCountAsAfterIt() throws Exception {
    Instant start = Instant.parse("2026-11-26T07:00:00Z");
    OutputLog log =
        new OutputLog(folder.resolve("tie.log"), 1024, 1 << 20, Clock.fixed(start, ZoneOffset.UTC));
    log.mark();
    append(log.file(), "warm event\n");
    log.mark();

    assertThat(log.since(start)).isEqualTo("warm event\n");
  }

  @Test
  @DisplayName("returns at most the last tail bytes")
  void tailIsBounded() throws Exception {
    OutputLog log = new OutputLog(folder.resolve("out.log"), 8, 1 << 20);
    append(log.file(), "0123456789abcdef");
    assertThat(log.since(Instant.EPOCH)).isEqualTo("89abcdef");
  }

  @Test
  @DisplayName("cuts the file back to its tail once it grew past the rotation size")
  void rotates() throws Exception {
    OutputLog log = new OutputLog(folder.resolve("out.log"), 8, 10);
    append(log.file(), "0123456789abcdef\n");
    log.mark();
    Instant afterRotation = tick();
    append(log.file(), "after\n");

    assertThat(Files.readString(log.file())).isEqualTo("9abcdef\nafter\n");
    assertThat(log.since(afterRotation)).isEqualTo("after\n");
  }

  @Test
  @DisplayName("leaves a file below the rotation size alone")
  void smallFileStays() throws Exception {
    OutputLog log = new OutputLog(folder.resolve("out.log"), 8, 100);
    append(log.file(), "0123456789abcdef\n");
    log.rotateIfLarge();
    assertThat(Files.readString(log.file())).isEqualTo("0123456789abcdef\n");
  }

  @Test
  @DisplayName("reads as empty once the file is gone")
  void goneIsEmpty() throws Exception {
    OutputLog log = new OutputLog(folder.resolve("out.log"), 1024, 1 << 20);
    Files.delete(log.file());
    assertThat(log.since(Instant.EPOCH)).isEmpty();
  }
}
