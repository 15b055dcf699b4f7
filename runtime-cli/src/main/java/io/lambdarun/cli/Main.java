package io.lambdarun.cli;

import picocli.CommandLine;

/** Entry point of the {@code lambdarun} command. */
public final class Main {

  private Main() {}

  /**
   * Runs the command and exits with its code: 0 on success, 1 on a function error, 2 on an
   * infrastructure or usage error.
   *
   * @param args command-line arguments
   */
  public static void main(String[] args) {
    System.exit(commandLine().execute(args));
  }

  /** Builds the command line with lambdarun's exit-code and error conventions. */
  static CommandLine commandLine() {
    CommandLine commandLine = new CommandLine(new LambdarunCommand());
    commandLine.setExecutionExceptionHandler(new OneLineErrorHandler());
    commandLine.setExitCodeExceptionMapper(exception -> ExitCodes.INFRASTRUCTURE_ERROR);
    return commandLine;
  }
}
