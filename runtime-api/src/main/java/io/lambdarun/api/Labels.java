package io.lambdarun.api;

import java.util.Locale;

/**
 * Label keys lambdarun puts on everything a backend launches, and the rule that makes a value safe
 * for every backend's label syntax.
 *
 * <p>Keys use the Kubernetes {@code prefix/name} form, which Docker and Podman accept as well, so
 * one set of labels serves every backend. {@link LaunchSpec#labels()} already holds safe values;
 * backends copy them as they are.
 */
public final class Labels {

  /** Marks a resource as launched by lambdarun; its value is {@link #MANAGED_BY_VALUE}. */
  public static final String MANAGED_BY = "lambdarun.io/managed-by";

  /** The value of {@link #MANAGED_BY}. */
  public static final String MANAGED_BY_VALUE = "lambdarun";

  /** The id of the owning {@link Owner}. */
  public static final String OWNER = "lambdarun.io/owner";

  /** The process id of the owning process. */
  public static final String OWNER_PID = "lambdarun.io/owner-pid";

  /** The host name of the owning process, made label-safe. */
  public static final String OWNER_HOST = "lambdarun.io/owner-host";

  /** The function name, made label-safe. */
  public static final String FUNCTION = "lambdarun.io/function";

  /** The function version ({@code $LATEST} becomes {@code latest}). */
  public static final String VERSION = "lambdarun.io/version";

  /** The deploy id, made label-safe. */
  public static final String DEPLOY_ID = "lambdarun.io/deploy-id";

  /** The longest label value Kubernetes accepts. */
  public static final int MAX_VALUE_LENGTH = 63;

  private Labels() {}

  /**
   * Makes a value safe for Kubernetes and Docker labels: characters outside {@code [A-Za-z0-9._-]}
   * become {@code -}, the value is cut to {@value #MAX_VALUE_LENGTH} characters, and it starts and
   * ends with a letter or digit (leading and trailing separators are trimmed).
   *
   * @param raw any string
   * @return a safe label value, possibly empty
   */
  public static String safeValue(String raw) {
    StringBuilder safe = new StringBuilder(raw.length());
    for (char c : raw.toCharArray()) {
      boolean allowed =
          (c >= 'a' && c <= 'z')
              || (c >= 'A' && c <= 'Z')
              || (c >= '0' && c <= '9')
              || c == '.'
              || c == '_'
              || c == '-';
      safe.append(allowed ? c : '-');
    }
    String value = trimSeparators(safe.toString());
    if (value.length() > MAX_VALUE_LENGTH) {
      value = trimSeparators(value.substring(0, MAX_VALUE_LENGTH));
    }
    return value;
  }

  /**
   * Makes a value a safe lower-case label value, for values compared across backends such as host
   * names.
   *
   * @param raw any string
   * @return a safe lower-case label value, possibly empty
   */
  public static String safeLowerValue(String raw) {
    return safeValue(raw.toLowerCase(Locale.ROOT));
  }

  private static String trimSeparators(String value) {
    int start = 0;
    int end = value.length();
    while (start < end && !Character.isLetterOrDigit(value.charAt(start))) {
      start++;
    }
    while (end > start && !Character.isLetterOrDigit(value.charAt(end - 1))) {
      end--;
    }
    return value.substring(start, end);
  }
}
