package io.lambdarun.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class LogLineSplitterTest {

  private final List<String> lines = new ArrayList<>();

  private void add(LogLineSplitter splitter, String text) {
    byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
    splitter.add(bytes, 0, bytes.length, Instant.EPOCH, line -> lines.add(line.text()));
  }

  @Test
  @DisplayName("joins a line split across reads, drops CR before LF and keeps empty lines")
  void joinsAcrossReads() {
    LogLineSplitter splitter = new LogLineSplitter(1024);
    add(splitter, "fir");
    add(splitter, "st\r\n\nsec");
    assertThat(lines).containsExactly("first", "");
    add(splitter, "ond\n");
    assertThat(lines).containsExactly("first", "", "second");
  }

  @Test
  @DisplayName("delivers the last line without newline only when finished")
  void partialLineOnFinish() {
    LogLineSplitter splitter = new LogLineSplitter(1024);
    add(splitter, "done\nno newline");
    assertThat(lines).containsExactly("done");
    List<LogLine> last = new ArrayList<>();
    splitter.finish(Instant.ofEpochSecond(7), last::add);
    assertThat(last).containsExactly(new LogLine(Instant.ofEpochSecond(7), "no newline"));
    splitter.finish(Instant.ofEpochSecond(8), last::add);
    assertThat(last).hasSize(1);
  }

  @Test
  @DisplayName("cuts a line longer than the limit into lines of the limit")
  void cutsLongLines() {
    LogLineSplitter splitter = new LogLineSplitter(4);
    add(splitter, "abcdefghij\n");
    assertThat(lines).containsExactly("abcd", "efgh", "ij");
  }

  @Test
  @DisplayName("adds only the given slice of the buffer")
  void addsTheSlice() {
    LogLineSplitter splitter = new LogLineSplitter(1024);
    byte[] bytes = "skip:kept\nrest".getBytes(StandardCharsets.UTF_8);
    splitter.add(bytes, 5, 5, Instant.EPOCH, line -> lines.add(line.text()));
    assertThat(lines).containsExactly("kept");
  }

  @Test
  @DisplayName("refuses a maximum line length below one byte, naming the value")
  void refusesANonPositiveMaximum() {
    assertThatThrownBy(() -> new LogLineSplitter(0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("maxLineBytes is 0; use at least 1 byte");
  }
}
