package io.lambdarun.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.lambdarun.core.telemetry.LogRecord;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ServeLogSinkTest {

  private static final String ONE = "2026/12/03/[$LATEST]0123456789abcdef0123456789abcdef";
  private static final String TWO = "2026/12/03/[$LATEST]fedcba9876543210fedcba9876543210";

  @TempDir Path temp;

  private static LogRecord record(String function, String stream, String message) {
    return new LogRecord(
        Instant.EPOCH,
        function,
        "$LATEST",
        "/aws/lambda/" + function,
        stream,
        Optional.of("r-1"),
        message);
  }

  @Test
  void printsEveryRecordWithItsFunctionAndKeepsOneFilePerStream() throws IOException {
    StringWriter err = new StringWriter();
    try (ServeLogSink sink = new ServeLogSink(new PrintWriter(err), Optional.of(temp))) {
      sink.accept(record("hello", ONE, "START RequestId: r-1 Version: $LATEST"));
      sink.accept(record("hello", TWO, "another instance"));
      sink.accept(record("other", ONE, "other function"));
      sink.accept(record("hello", ONE, "END RequestId: r-1"));
    }

    assertThat(err.toString())
        .isEqualTo(
            String.join(
                System.lineSeparator(),
                "[hello] START RequestId: r-1 Version: $LATEST",
                "[hello] another instance",
                "[other] other function",
                "[hello] END RequestId: r-1",
                ""));
    assertThat(temp.resolve("logs/hello/" + ONE + ".log"))
        .hasContent("START RequestId: r-1 Version: $LATEST\nEND RequestId: r-1");
    assertThat(temp.resolve("logs/hello/" + TWO + ".log")).hasContent("another instance");
    assertThat(temp.resolve("logs/other/" + ONE + ".log")).hasContent("other function");
  }

  @Test
  void withoutADataFolderOnlyStderrGetsTheRecords() throws IOException {
    StringWriter err = new StringWriter();
    try (ServeLogSink sink = new ServeLogSink(new PrintWriter(err), Optional.empty())) {
      sink.accept(record("hello", ONE, "a line"));
    }

    assertThat(err.toString()).isEqualTo("[hello] a line" + System.lineSeparator());
    try (var files = Files.list(temp)) {
      assertThat(files).isEmpty();
    }
  }
}
