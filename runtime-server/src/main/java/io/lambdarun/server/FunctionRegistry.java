package io.lambdarun.server;

import io.lambdarun.core.model.LambdaFunction;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.function.BiFunction;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;

/**
 * The functions the server holds, in memory, sorted by name: each one's {@code $LATEST} and its
 * published versions. Thread-safe; every change of a function is atomic.
 */
final class FunctionRegistry {

  private final ConcurrentSkipListMap<String, Versions> functions = new ConcurrentSkipListMap<>();

  /**
   * One function's versions.
   *
   * @param latest the {@code $LATEST} version, the one updates change
   * @param published the published versions by number, immutable
   * @param lastNumber the number of the last version published, 0 for none; never reused
   * @param publishedFrom the revision of {@code $LATEST} the last version was published from
   */
  record Versions(
      StoredFunction latest,
      NavigableMap<Integer, StoredFunction> published,
      int lastNumber,
      String publishedFrom) {

    Versions withLatest(StoredFunction value) {
      return new Versions(value, published, lastNumber, publishedFrom);
    }
  }

  /** Returns a function's versions as they are now, to persist them. */
  Optional<Versions> snapshot(String name) {
    return Optional.ofNullable(functions.get(name));
  }

  /** Puts back a function read from a data directory. */
  void restore(Versions versions) {
    functions.put(versions.latest().name(), versions);
  }

  void create(StoredFunction function) {
    Versions versions = new Versions(function, Collections.emptyNavigableMap(), 0, "");
    if (functions.putIfAbsent(function.name(), versions) != null) {
      throw new ApiException(
          409, "ResourceConflictException", "Function already exist: " + function.name());
    }
  }

  /** Returns the version the reference names: {@code $LATEST} unless qualified with a number. */
  StoredFunction get(FunctionRef ref) {
    return find(ref).orElseThrow(() -> ApiException.functionNotFound(ref.arn()));
  }

  Optional<StoredFunction> find(FunctionRef ref) {
    Versions versions = functions.get(ref.name());
    if (versions == null) {
      return Optional.empty();
    }
    if (ref.qualifier().isEmpty() || ref.qualifier().get().equals(LambdaFunction.LATEST)) {
      return Optional.of(versions.latest());
    }
    try {
      return Optional.ofNullable(versions.published().get(Integer.parseInt(ref.qualifier().get())));
    } catch (NumberFormatException e) {
      return Optional.empty(); // an alias: none exist yet
    }
  }

  /** Replaces {@code $LATEST} atomically with what {@code change} derives from it. */
  StoredFunction update(FunctionRef ref, UnaryOperator<StoredFunction> change) {
    Versions updated =
        functions.computeIfPresent(
            ref.name(), (name, old) -> old.withLatest(change.apply(old.latest())));
    if (updated == null) {
      throw ApiException.functionNotFound(ref.arn());
    }
    return updated.latest();
  }

  /**
   * Publishes {@code $LATEST} as the next version, or returns the last version when {@code $LATEST}
   * has not changed since it was published, as AWS does.
   *
   * @param precondition checks {@code $LATEST} first, throwing to refuse
   * @param create builds the version from {@code $LATEST} and its number
   */
  StoredFunction publish(
      FunctionRef ref,
      Consumer<StoredFunction> precondition,
      BiFunction<StoredFunction, Integer, StoredFunction> create) {
    StoredFunction[] result = new StoredFunction[1];
    Versions updated =
        functions.computeIfPresent(
            ref.name(),
            (name, old) -> {
              precondition.accept(old.latest());
              if (old.lastNumber() > 0
                  && old.publishedFrom().equals(old.latest().revisionId())
                  && old.published().containsKey(old.lastNumber())) {
                result[0] = old.published().get(old.lastNumber());
                return old;
              }
              int number = old.lastNumber() + 1;
              result[0] = create.apply(old.latest(), number);
              NavigableMap<Integer, StoredFunction> published = new TreeMap<>(old.published());
              published.put(number, result[0]);
              return new Versions(
                  old.latest(),
                  Collections.unmodifiableNavigableMap(published),
                  number,
                  old.latest().revisionId());
            });
    if (updated == null) {
      throw ApiException.functionNotFound(ref.arn());
    }
    return result[0];
  }

  /**
   * Deletes a function with every version, or only the numbered version the reference names.
   *
   * @throws ApiException 400 for {@code $LATEST}, which goes only with the function
   */
  void delete(FunctionRef ref) {
    if (ref.qualifier().isEmpty()) {
      if (functions.remove(ref.name()) == null) {
        throw ApiException.functionNotFound(ref.arn());
      }
      return;
    }
    if (ref.qualifier().get().equals(LambdaFunction.LATEST)) {
      throw ApiException.invalidParameter(
          "$LATEST version cannot be deleted without deleting the function.");
    }
    get(ref);
    int number = Integer.parseInt(ref.qualifier().get());
    functions.computeIfPresent(
        ref.name(),
        (name, old) -> {
          NavigableMap<Integer, StoredFunction> published = new TreeMap<>(old.published());
          published.remove(number);
          return new Versions(
              old.latest(),
              Collections.unmodifiableNavigableMap(published),
              old.lastNumber(),
              old.publishedFrom());
        });
  }

  /**
   * Returns up to {@code maxItems} functions' {@code $LATEST} after the marker, and the marker of
   * the next page.
   *
   * @param marker the name of the last function of the previous page, empty for the first page
   */
  Page<StoredFunction> page(Optional<String> marker, int maxItems) {
    Map<String, Versions> rest =
        marker.isPresent() ? functions.tailMap(marker.get(), false) : functions;
    List<StoredFunction> items =
        rest.values().stream().limit(maxItems).map(Versions::latest).toList();
    boolean more = rest.size() > items.size();
    return new Page<>(
        items, more ? Optional.of(items.get(items.size() - 1).name()) : Optional.empty());
  }

  /**
   * Returns up to {@code maxItems} versions of a function, {@code $LATEST} first, after the marker.
   *
   * @param marker the version that ended the previous page, empty for the first page
   */
  Page<StoredFunction> versions(FunctionRef ref, Optional<String> marker, int maxItems) {
    Versions versions = functions.get(ref.name());
    if (versions == null) {
      throw ApiException.functionNotFound(ref.arn());
    }
    List<StoredFunction> all = new ArrayList<>();
    all.add(versions.latest());
    all.addAll(versions.published().values());
    int start = 0;
    if (marker.isPresent()) {
      for (int i = 0; i < all.size(); i++) {
        if (all.get(i).function().version().equals(marker.get())) {
          start = i + 1;
        }
      }
    }
    List<StoredFunction> items = all.subList(start, Math.min(all.size(), start + maxItems));
    boolean more = start + items.size() < all.size();
    return new Page<>(
        List.copyOf(items),
        more ? Optional.of(items.get(items.size() - 1).function().version()) : Optional.empty());
  }

  /** One page of a listing and the marker of the next one. */
  record Page<T>(List<T> items, Optional<String> nextMarker) {}
}
