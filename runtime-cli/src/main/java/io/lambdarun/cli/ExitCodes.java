package io.lambdarun.cli;

/** The exit codes of the {@code lambdarun} command. */
final class ExitCodes {

  /** The function ran and answered. */
  static final int SUCCESS = 0;

  /** The function ran and failed (Handled or Unhandled error, timeout). */
  static final int FUNCTION_ERROR = 1;

  /** The function could not be run: bad input, no backend, launch or transport failure. */
  static final int INFRASTRUCTURE_ERROR = 2;

  private ExitCodes() {}
}
