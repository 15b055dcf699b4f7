package io.lambdarun.cli;

import io.lambdarun.core.telemetry.LogRecord;
import io.lambdarun.core.telemetry.LogSink;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code serve}'s log sink: prints every record on stderr as {@code [<function>] <message>} and,
 * with a data folder, appends it to {@code <data-dir>/logs/<function>/<log stream>.log}, one file
 * per log stream (an instance), e.g. {@code logs/hello/2026/12/03/[$LATEST]<32 hex>.log}.
 */
final class ServeLogSink implements LogSink, AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(ServeLogSink.class);

  /** How many stream files stay open; the least recently written is closed beyond that. */
  private static final int OPEN_FILES = 64;

  private final PrintWriter err;
  private final Optional<Path> logsDir;
  private final Map<Path, BufferedWriter> open = new LinkedHashMap<>(16, 0.75f, true);
  private boolean warned;

  ServeLogSink(PrintWriter err, Optional<Path> dataDir) {
    this.err = err;
    this.logsDir = dataDir.map(dir -> dir.resolve("logs"));
  }

  @Override
  public synchronized void accept(LogRecord record) {
    err.println("[" + record.functionName() + "] " + record.message());
    err.flush();
    logsDir.ifPresent(dir -> append(dir, record));
  }

  private void append(Path dir, LogRecord record) {
    Path file = dir.resolve(record.functionName()).resolve(record.logStream() + ".log");
    try {
      BufferedWriter writer = open.get(file);
      if (writer == null) {
        Files.createDirectories(file.getParent());
        writer =
            Files.newBufferedWriter(
                file, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        open.put(file, writer);
        closeBeyondLimit();
      }
      writer.write(record.message());
      writer.write('\n');
      writer.flush();
    } catch (IOException e) {
      if (!warned) {
        warned = true;
        LOG.warn("writing function logs to '{}' failed; only stderr gets them from now", file, e);
      }
    }
  }

  private void closeBeyondLimit() {
    Iterator<BufferedWriter> writers = open.values().iterator();
    while (open.size() > OPEN_FILES && writers.hasNext()) {
      close(writers.next());
      writers.remove();
    }
  }

  @Override
  public synchronized void close() {
    open.values().forEach(ServeLogSink::close);
    open.clear();
  }

  private static void close(BufferedWriter writer) {
    try {
      writer.close();
    } catch (IOException e) {
      LOG.debug("closing a function log file failed", e);
    }
  }
}
