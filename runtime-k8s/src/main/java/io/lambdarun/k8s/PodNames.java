package io.lambdarun.k8s;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Locale;

/** DNS-1123 names for pods and secrets: {@code lambdarun-<slug>-<hex12>}, at most 63 characters. */
public final class PodNames {

  /** The prefix of every pod this backend creates. */
  public static final String PREFIX = "lambdarun";

  /** The longest DNS-1123 label. */
  public static final int MAX_LENGTH = 63;

  private static final int HASH_CHARS = 12;

  private PodNames() {}

  /**
   * Returns a deterministic name for a function and an id: the same inputs always give the same
   * name, a different id gives a different 12-hex-digit suffix.
   *
   * @param functionName the function's name, any characters
   * @param id the identity hashed into the suffix, e.g. a deploy id
   * @return {@code lambdarun-<slug>-<hex12>}, or {@code lambdarun-<hex12>} when the slug is empty
   */
  public static String podName(String functionName, String id) {
    String hash = hex12(id);
    int room = MAX_LENGTH - PREFIX.length() - HASH_CHARS - 2;
    String slug = labelSafe(functionName);
    if (slug.length() > room) {
      slug = trimDashes(slug.substring(0, room));
    }
    return slug.isEmpty() ? PREFIX + "-" + hash : PREFIX + "-" + slug + "-" + hash;
  }

  /**
   * Returns a per-launch name: the function's slug with a hash of the deploy id and a
   * discriminator, so several instances of one function coexist and a still-terminating pod never
   * blocks its replacement.
   *
   * @param functionName the function's name
   * @param deployId the deploy id
   * @param discriminator what makes this launch unique, e.g. the owner id and a counter
   * @return a DNS-1123 name of at most 63 characters
   */
  public static String launchName(String functionName, String deployId, String discriminator) {
    return podName(functionName, deployId + "-" + discriminator);
  }

  /**
   * Lower-cases and replaces anything outside {@code [a-z0-9]} by {@code -}, then trims leading and
   * trailing dashes.
   *
   * @param raw any text
   * @return a DNS-1123-safe fragment, possibly empty, not length-capped
   */
  public static String labelSafe(String raw) {
    StringBuilder out = new StringBuilder(raw.length());
    for (char c : raw.toLowerCase(Locale.ROOT).toCharArray()) {
      out.append((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ? c : '-');
    }
    return trimDashes(out.toString());
  }

  /**
   * Returns the first 6 bytes of the SHA-256 of the text in lower-case hex.
   *
   * @param text any text
   * @return 12 hex characters
   */
  static String hex12(String text) {
    try {
      byte[] digest =
          MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(digest, 0, HASH_CHARS / 2);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JVM", e);
    }
  }

  private static String trimDashes(String value) {
    int start = 0;
    int end = value.length();
    while (start < end && value.charAt(start) == '-') {
      start++;
    }
    while (end > start && value.charAt(end - 1) == '-') {
      end--;
    }
    return value.substring(start, end);
  }
}
