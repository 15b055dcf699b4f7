package io.lambdarun.api;

import java.math.BigInteger;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Parses the duration syntax of {@link RuntimeConfig#getDuration}. */
final class DurationSyntax {
  private static final Pattern SIMPLE = Pattern.compile("(\\d+)\\s*(ms|s|m|h)");

  private DurationSyntax() {}

  /**
   * Parses {@code 250ms}, {@code 10s}, {@code 5m}, {@code 1h} or ISO-8601.
   *
   * @param text the trimmed value
   * @return the duration, or empty when the text is neither syntax
   * @throws ArithmeticException when the text is a duration too long for {@link Duration}
   */
  static Optional<Duration> parse(String text) {
    Matcher matcher = SIMPLE.matcher(text.toLowerCase(Locale.ROOT));
    if (matcher.matches()) {
      long amount = new BigInteger(matcher.group(1)).longValueExact();
      return Optional.of(
          switch (matcher.group(2)) {
            case "ms" -> Duration.ofMillis(amount);
            case "s" -> Duration.ofSeconds(amount);
            case "m" -> Duration.ofMinutes(amount);
            default -> Duration.ofHours(amount);
          });
    }
    try {
      return Optional.of(Duration.parse(text));
    } catch (DateTimeParseException e) {
      // digits the ISO parser could read but not hold in a long (NumberFormatException) or in a
      // Duration (ArithmeticException)
      if (e.getCause() instanceof ArithmeticException
          || e.getCause() instanceof NumberFormatException) {
        throw new ArithmeticException("duration '" + text + "' is too long");
      }
      return Optional.empty();
    }
  }
}
