package io.lambdarun.core.internal.telemetry;

import io.lambdarun.core.telemetry.LogRecord;
import io.lambdarun.core.telemetry.LogSink;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Passes a record to every registered sink, logging and skipping what one throws. */
final class Sinks {

  private static final Logger LOG = LoggerFactory.getLogger(Sinks.class);

  private final List<LogSink> sinks;

  Sinks(List<LogSink> sinks) {
    this.sinks = List.copyOf(sinks);
  }

  boolean isEmpty() {
    return sinks.isEmpty();
  }

  void accept(LogRecord record) {
    for (LogSink sink : sinks) {
      try {
        sink.accept(record);
      } catch (RuntimeException e) {
        LOG.warn(
            "log sink '{}' failed on a record of stream '{}'; skipped",
            sink.getClass().getName(),
            record.logStream(),
            e);
      }
    }
  }
}
