package io.lambdarun.api;

/**
 * Bounds applied while reading an {@link Archive}, so a malicious archive cannot exhaust disk or
 * memory.
 *
 * @param maxExpandedBytes the most bytes all entries may expand to together
 * @param maxEntries the most entries an archive may hold
 */
public record ArchiveLimits(long maxExpandedBytes, int maxEntries) {

  /**
   * AWS's limits: 250 MB unzipped (262,144,000 bytes) and, as a guard against entry floods, 100,000
   * entries.
   */
  public static final ArchiveLimits AWS = new ArchiveLimits(262_144_000L, 100_000);

  /**
   * Validates the limits.
   *
   * @param maxExpandedBytes the most bytes all entries may expand to together
   * @param maxEntries the most entries an archive may hold
   */
  public ArchiveLimits {
    if (maxExpandedBytes <= 0 || maxEntries <= 0) {
      throw new IllegalArgumentException(
          "archive limits must be positive, got "
              + maxExpandedBytes
              + " bytes and "
              + maxEntries
              + " entries");
    }
  }
}
