package io.lambdarun.server;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.function.UnaryOperator;

/** The functions the server holds, in memory, sorted by name. Thread-safe. */
final class FunctionRegistry {

  private final ConcurrentSkipListMap<String, StoredFunction> functions =
      new ConcurrentSkipListMap<>();

  void create(StoredFunction function) {
    if (functions.putIfAbsent(function.name(), function) != null) {
      throw new ApiException(
          409, "ResourceConflictException", "Function already exist: " + function.name());
    }
  }

  StoredFunction get(FunctionRef ref) {
    StoredFunction function = functions.get(ref.name());
    if (function == null) {
      throw ApiException.functionNotFound(ref.arn());
    }
    return function;
  }

  Optional<StoredFunction> find(String name) {
    return Optional.ofNullable(functions.get(name));
  }

  /** Replaces a function atomically with what {@code change} derives from the current one. */
  StoredFunction update(FunctionRef ref, UnaryOperator<StoredFunction> change) {
    StoredFunction updated = functions.computeIfPresent(ref.name(), (name, old) -> change.apply(old));
    if (updated == null) {
      throw ApiException.functionNotFound(ref.arn());
    }
    return updated;
  }

  void delete(FunctionRef ref) {
    if (functions.remove(ref.name()) == null) {
      throw ApiException.functionNotFound(ref.arn());
    }
  }

  /**
   * Returns up to {@code maxItems} functions after the marker, and the marker of the next page.
   *
   * @param marker the name of the last function of the previous page, empty for the first page
   */
  Page<StoredFunction> page(Optional<String> marker, int maxItems) {
    Map<String, StoredFunction> rest =
        marker.isPresent() ? functions.tailMap(marker.get(), false) : functions;
    List<StoredFunction> items = rest.values().stream().limit(maxItems).toList();
    boolean more = rest.size() > items.size();
    return new Page<>(
        items, more ? Optional.of(items.get(items.size() - 1).name()) : Optional.empty());
  }

  /** One page of a listing and the marker of the next one. */
  record Page<T>(List<T> items, Optional<String> nextMarker) {}
}
