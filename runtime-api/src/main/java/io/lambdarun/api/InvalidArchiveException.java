package io.lambdarun.api;

/**
 * A code or layer archive is unsafe or unreadable: corrupt, empty where code is required, an entry
 * escaping the extraction folder (zip slip), or expanding beyond the configured limit (zip bomb).
 */
public class InvalidArchiveException extends InvalidFunctionException {

  private static final long serialVersionUID = 1L;

  /**
   * Creates an exception.
   *
   * @param message one sentence naming the archive and the problem, then the remedy
   */
  public InvalidArchiveException(String message) {
    super(message);
  }
}
