package io.lambdarun.core.model;

import java.util.Optional;

/**
 * Where a function version's provisioned concurrency stands, as Lambda's
 * GetProvisionedConcurrencyConfig reports it.
 *
 * @param requested how many instances were asked for
 * @param available how many of them are launched, initialised and kept (busy ones included)
 * @param status {@link Status#READY} when all are available, {@link Status#FAILED} when a launch
 *     failed, else {@link Status#IN_PROGRESS}
 * @param statusReason why the status is {@link Status#FAILED}
 */
public record ProvisionedConcurrency(
    int requested, int available, Status status, Optional<String> statusReason) {

  /** Lambda's provisioned concurrency states. */
  public enum Status {
    /** Instances are being launched. */
    IN_PROGRESS,
    /** Every requested instance is available. */
    READY,
    /** A launch failed; provisioning again retries. */
    FAILED
  }
}
