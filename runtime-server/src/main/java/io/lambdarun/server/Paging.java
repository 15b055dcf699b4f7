package io.lambdarun.server;

import java.util.Optional;

/** Reads the {@code MaxItems} of a listing. */
final class Paging {

  private Paging() {}

  static int maxItems(Optional<String> value, int defaultValue, int limit) {
    if (value.isEmpty()) {
      return defaultValue;
    }
    int parsed;
    try {
      parsed = Integer.parseInt(value.get());
    } catch (NumberFormatException e) {
      parsed = 0;
    }
    if (parsed < 1 || parsed > limit) {
      throw ApiException.validation(
          "1 validation error detected: Value '"
              + value.get()
              + "' at 'maxItems' failed to"
              + " satisfy constraint: Member must have value between 1 and "
              + limit);
    }
    return parsed;
  }
}
