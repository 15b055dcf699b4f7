package io.lambdarun.core.telemetry;

import java.time.Instant;
import java.util.Optional;

/**
 * One log event as Lambda writes it to CloudWatch Logs.
 *
 * @param timestamp when the line was read from the instance, or when core wrote a platform line
 * @param functionName the function
 * @param version the function version, e.g. {@code $LATEST}
 * @param logGroup {@code /aws/lambda/<name>} or the function's configured log group
 * @param logStream the instance's stream, {@code YYYY/MM/DD/[<version>]<32 hex>}, one per instance
 * @param requestId the invocation the line belongs to; empty for lines written while the instance
 *     started, before its first event
 * @param message the line without its terminator (a JSON document for platform records in JSON
 *     format)
 */
public record LogRecord(
    Instant timestamp,
    String functionName,
    String version,
    String logGroup,
    String logStream,
    Optional<String> requestId,
    String message) {}
