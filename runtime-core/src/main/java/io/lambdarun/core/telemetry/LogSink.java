package io.lambdarun.core.telemetry;

/**
 * Receives every log record of every function a {@link io.lambdarun.core.LambdaRuntime} runs: the
 * lines instances write and the platform lines core writes ({@code START}, {@code END}, {@code
 * REPORT}, timeouts, runtime exits), named as Lambda names them, for forwarding to an emulator's
 * CloudWatch Logs.
 *
 * <p>Records of one instance (one log stream) arrive in order from one thread at a time; records of
 * different instances arrive concurrently. A sink must return quickly (queue the record if it
 * forwards it over a network): the instance's next line waits for it. A sink that throws is logged
 * and skipped for that record.
 *
 * <p>Unless the caller asked for a log tail, an invocation's {@code END} and {@code REPORT} may
 * arrive up to about half a second after {@code invoke} has returned: core writes them once the
 * instance's output stream has been quiet for 30 ms, so that lines the engine delivers just after
 * the answer come before them, as on Lambda. Closing the runtime writes the held ones.
 */
@FunctionalInterface
public interface LogSink {

  /**
   * Receives one record.
   *
   * @param record the record
   */
  void accept(LogRecord record);
}
