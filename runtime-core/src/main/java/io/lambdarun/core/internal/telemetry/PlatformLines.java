package io.lambdarun.core.internal.telemetry;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.lambdarun.core.model.LogFormat;
import io.lambdarun.core.telemetry.InvocationReport;
import io.lambdarun.core.telemetry.InvocationStatus;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;

/**
 * Lambda's platform lines in its Text format ({@code START RequestId: <id> Version: <version>},
 * {@code END …}, the tab-separated {@code REPORT …}, {@code Task timed out after …}, {@code
 * Runtime.ExitError}) and its JSON format ({@code {"time":…,"type":"platform.start",
 * "record":{…}}}, {@code platform.runtimeDone}, {@code platform.report}).
 */
final class PlatformLines {

  private static final ObjectMapper JSON = new ObjectMapper();

  private static final DateTimeFormatter TIME =
      DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);

  private PlatformLines() {}

  static String start(LogFormat format, Instant time, String requestId, String version) {
    if (format == LogFormat.TEXT) {
      return "START RequestId: " + requestId + " Version: " + version;
    }
    ObjectNode record = JSON.createObjectNode().put("requestId", requestId).put("version", version);
    return json(time, "platform.start", record);
  }

  /** The lines before {@code END} that say why an invocation failed (Text format only). */
  static List<String> failure(
      LogFormat format,
      Instant time,
      InvocationReport report,
      Duration timeout,
      String errorMessage) {
    if (format != LogFormat.TEXT) {
      return List.of();
    }
    if (report.status() == InvocationStatus.TIMEOUT) {
      return List.of(
          TIME.format(time)
              + " "
              + report.requestId()
              + " "
              + String.format(
                  Locale.ROOT, "Task timed out after %.2f seconds", timeout.toMillis() / 1000.0));
    }
    if (report.errorType().filter("Runtime.ExitError"::equals).isPresent()) {
      String prefix = "RequestId: " + report.requestId() + " Error: ";
      return List.of(
          errorMessage.startsWith(prefix) ? errorMessage : prefix + errorMessage,
          "Runtime.ExitError");
    }
    return List.of();
  }

  static String end(LogFormat format, Instant time, InvocationReport report) {
    if (format == LogFormat.TEXT) {
      return "END RequestId: " + report.requestId();
    }
    ObjectNode record =
        JSON.createObjectNode()
            .put("requestId", report.requestId())
            .put("status", report.status().awsName());
    report.errorType().ifPresent(type -> record.put("errorType", type));
    return json(time, "platform.runtimeDone", record);
  }

  static String report(LogFormat format, Instant time, InvocationReport report) {
    if (format == LogFormat.TEXT) {
      return textReport(report);
    }
    ObjectNode record = JSON.createObjectNode().put("requestId", report.requestId());
    ObjectNode metrics = record.putObject("metrics");
    metrics.put("durationMs", millis(report.duration()));
    metrics.put("billedDurationMs", report.billedDuration().toMillis());
    metrics.put("memorySizeMB", report.memorySizeMib());
    report.maxMemoryUsedMib().ifPresent(mib -> metrics.put("maxMemoryUsedMB", mib));
    report.initDuration().ifPresent(init -> metrics.put("initDurationMs", millis(init)));
    record.put("status", report.status().awsName());
    report.errorType().ifPresent(type -> record.put("errorType", type));
    return json(time, "platform.report", record);
  }

  private static String textReport(InvocationReport report) {
    StringBuilder line = new StringBuilder("REPORT RequestId: ").append(report.requestId());
    line.append("\tDuration: ").append(millis(report.duration()).toPlainString()).append(" ms");
    line.append("\tBilled Duration: ").append(report.billedDuration().toMillis()).append(" ms");
    line.append("\tMemory Size: ").append(report.memorySizeMib()).append(" MB");
    report
        .maxMemoryUsedMib()
        .ifPresent(mib -> line.append("\tMax Memory Used: ").append(mib).append(" MB"));
    report
        .initDuration()
        .ifPresent(
            init ->
                line.append("\tInit Duration: ")
                    .append(millis(init).toPlainString())
                    .append(" ms"));
    if (report.status() == InvocationStatus.TIMEOUT) {
      line.append("\tStatus: timeout");
    } else if (report.errorType().filter(type -> type.startsWith("Runtime.")).isPresent()) {
      line.append("\tStatus: error\tError Type: ").append(report.errorType().get());
    }
    return line.append('\t').toString();
  }

  private static BigDecimal millis(Duration duration) {
    return BigDecimal.valueOf(duration.toNanos(), 6).setScale(2, RoundingMode.HALF_UP);
  }

  private static String json(Instant time, String type, ObjectNode record) {
    ObjectNode node = JSON.createObjectNode().put("time", TIME.format(time)).put("type", type);
    node.set("record", record);
    return node.toString();
  }
}
