package io.lambdarun.cli;

import io.lambdarun.api.LambdaRunException;
import java.io.UncheckedIOException;
import picocli.CommandLine;
import picocli.CommandLine.IExecutionExceptionHandler;
import picocli.CommandLine.ParseResult;

/**
 * Turns a failure into one line on stderr and exit code 2. lambdarun's own exceptions already carry
 * a one-sentence reason; anything else is unexpected and keeps its stack trace.
 */
final class OneLineErrorHandler implements IExecutionExceptionHandler {

  @Override
  public int handleExecutionException(
      Exception exception, CommandLine commandLine, ParseResult parseResult) {
    if (exception instanceof LambdaRunException || exception instanceof UncheckedIOException) {
      commandLine.getErr().println("lambdarun: " + exception.getMessage());
    } else {
      exception.printStackTrace(commandLine.getErr());
    }
    commandLine.getErr().flush();
    return ExitCodes.INFRASTRUCTURE_ERROR;
  }
}
