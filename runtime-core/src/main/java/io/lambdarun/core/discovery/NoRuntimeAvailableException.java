package io.lambdarun.core.discovery;

import io.lambdarun.api.RuntimeUnavailableException;
import java.util.List;

/** No backend could be selected automatically; the message lists every candidate and the fix. */
public class NoRuntimeAvailableException extends RuntimeUnavailableException {

  private static final long serialVersionUID = 1L;

  private final transient List<BackendReport> report;

  /**
   * Creates an exception.
   *
   * @param message the multi-line explanation
   * @param report one entry per candidate, in the order tried
   */
  public NoRuntimeAvailableException(String message, List<BackendReport> report) {
    super(message);
    this.report = List.copyOf(report);
  }

  /**
   * Returns what was found out about each candidate.
   *
   * @return the candidates in the order tried
   */
  public List<BackendReport> report() {
    return report;
  }
}
