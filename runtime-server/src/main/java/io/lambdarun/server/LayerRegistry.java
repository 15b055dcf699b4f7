package io.lambdarun.server;

import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.IntFunction;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The published layer versions, in memory. Thread-safe. */
final class LayerRegistry {

  private static final Pattern NAME =
      Pattern.compile(
          "(?:arn:aws[a-zA-Z-]*:lambda:[a-z0-9-]+:\\d{12}:layer:)?([a-zA-Z0-9_-]{1,140})");
  private static final Pattern VERSION_ARN =
      Pattern.compile(
          "arn:aws[a-zA-Z-]*:lambda:[a-z0-9-]+:\\d{12}:layer:([a-zA-Z0-9_-]{1,140}):(\\d{1,9})");

  private final Map<String, Layer> layers = new ConcurrentHashMap<>();

  /** Every version of one layer and the number the next one gets. */
  private static final class Layer {
    private final NavigableMap<Integer, LayerVersion> versions = new TreeMap<>();
    private int lastVersion;
  }

  /**
   * A layer's versions as they are now, to persist them.
   *
   * @param name the layer name
   * @param lastVersion the number of the last version published
   * @param versions the versions not deleted, oldest first
   */
  record Snapshot(String name, int lastVersion, List<LayerVersion> versions) {}

  Optional<Snapshot> snapshot(String name) {
    Layer layer = layers.get(name);
    if (layer == null) {
      return Optional.empty();
    }
    synchronized (layer) {
      return Optional.of(
          new Snapshot(name, layer.lastVersion, List.copyOf(layer.versions.values())));
    }
  }

  /** Puts back a layer read from a data directory. */
  void restore(Snapshot snapshot) {
    Layer layer = new Layer();
    layer.lastVersion = snapshot.lastVersion();
    snapshot.versions().forEach(version -> layer.versions.put(version.version(), version));
    layers.put(snapshot.name(), layer);
  }

  /** Returns the layer name a path names by name or ARN. */
  static String name(String value) {
    Matcher matcher = NAME.matcher(value);
    if (!matcher.matches()) {
      throw ApiException.validation(
          "1 validation error detected: Value '"
              + value
              + "' at 'layerName' failed to satisfy"
              + " constraint: Member must satisfy regular expression pattern: a layer name or ARN");
    }
    return matcher.group(1);
  }

  static int versionNumber(String value) {
    try {
      return Integer.parseInt(value);
    } catch (NumberFormatException e) {
      throw ApiException.validation(
          "1 validation error detected: Value '"
              + value
              + "' at 'versionNumber' failed to satisfy"
              + " constraint: Member must be a number");
    }
  }

  /** Publishes the next version of a layer, built by {@code create} from its number. */
  LayerVersion publish(String name, IntFunction<LayerVersion> create) {
    Layer layer = layers.computeIfAbsent(name, key -> new Layer());
    synchronized (layer) {
      LayerVersion version = create.apply(layer.lastVersion + 1);
      layer.lastVersion = version.version();
      layer.versions.put(version.version(), version);
      return version;
    }
  }

  LayerVersion get(String name, int version) {
    Layer layer = layers.get(name);
    if (layer != null) {
      synchronized (layer) {
        LayerVersion found = layer.versions.get(version);
        if (found != null) {
          return found;
        }
      }
    }
    throw new ApiException(
        404, "ResourceNotFoundException", "The resource you requested does not exist.");
  }

  /** Finds a version by its ARN, for a function's {@code Layers}. */
  Optional<LayerVersion> find(String versionArn) {
    Matcher matcher = VERSION_ARN.matcher(versionArn);
    if (!matcher.matches()) {
      return Optional.empty();
    }
    Layer layer = layers.get(matcher.group(1));
    if (layer == null) {
      return Optional.empty();
    }
    synchronized (layer) {
      return Optional.ofNullable(layer.versions.get(Integer.parseInt(matcher.group(2))));
    }
  }

  /**
   * Lists versions newest first, after the marker (the last version number of the previous page).
   */
  FunctionRegistry.Page<LayerVersion> page(String name, Optional<Integer> marker, int maxItems) {
    Layer layer = layers.get(name);
    if (layer == null) {
      return new FunctionRegistry.Page<>(List.of(), Optional.empty());
    }
    synchronized (layer) {
      NavigableMap<Integer, LayerVersion> newestFirst = layer.versions.descendingMap();
      NavigableMap<Integer, LayerVersion> rest =
          marker.isPresent() ? newestFirst.tailMap(marker.get(), false) : newestFirst;
      List<LayerVersion> items = rest.values().stream().limit(maxItems).toList();
      return new FunctionRegistry.Page<>(
          items,
          rest.size() > items.size()
              ? Optional.of(Integer.toString(items.get(items.size() - 1).version()))
              : Optional.empty());
    }
  }

  /** Deletes a version; deleting one that does not exist succeeds, as on AWS. */
  void delete(String name, int version) {
    Layer layer = layers.get(name);
    if (layer != null) {
      synchronized (layer) {
        layer.versions.remove(version);
      }
    }
  }
}
