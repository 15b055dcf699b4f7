package io.lambdarun.k8s;

import io.fabric8.kubernetes.api.model.Toleration;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.core.type.TypeReference;

/**
 * Scheduling and metadata extras applied to every pod: node selector, tolerations, annotations.
 *
 * <p>Maps are written {@code k=v,k=v}: entries are trimmed, empty entries, entries without {@code
 * =} and entries with an empty key are skipped, the last duplicate wins, a value may contain {@code
 * =}. Tolerations are a JSON array of Kubernetes {@code Toleration} objects.
 *
 * @param nodeSelector node labels the pod must run on, ordered
 * @param tolerations taints the pod tolerates, without duplicates
 * @param annotations pod annotations, ordered
 */
public record PodConfig(
    Map<String, String> nodeSelector,
    List<Toleration> tolerations,
    Map<String, String> annotations) {

  /** A config that changes nothing. */
  public static final PodConfig EMPTY = new PodConfig(Map.of(), List.of(), Map.of());

  private static final Logger LOG = LoggerFactory.getLogger(PodConfig.class);
  private static final KubernetesSerialization SERIALIZATION = new KubernetesSerialization();

  /** Makes ordered, unmodifiable copies. */
  public PodConfig {
    nodeSelector = Collections.unmodifiableMap(new LinkedHashMap<>(nodeSelector));
    tolerations = List.copyOf(new LinkedHashSet<>(tolerations));
    annotations = Collections.unmodifiableMap(new LinkedHashMap<>(annotations));
  }

  /**
   * Parses a {@code k=v,k=v} map.
   *
   * @param text the text, may be empty
   * @return the entries in order, malformed ones skipped
   */
  public static Map<String, String> parseMap(String text) {
    Map<String, String> out = new LinkedHashMap<>();
    for (String entry : text.split(",")) {
      int eq = entry.indexOf('=');
      if (eq < 0) {
        continue;
      }
      String key = entry.substring(0, eq).trim();
      if (!key.isEmpty()) {
        out.remove(key);
        out.put(key, entry.substring(eq + 1).trim());
      }
    }
    return out;
  }

  /**
   * Parses a JSON array of tolerations.
   *
   * @param json the array
   * @return the tolerations in order
   * @throws IllegalArgumentException if the text is not a JSON array of tolerations
   */
  public static List<Toleration> parseTolerations(String json) {
    String trimmed = json.trim();
    if (trimmed.isEmpty()) {
      return List.of();
    }
    if (!trimmed.startsWith("[")) {
      throw new IllegalArgumentException("not a JSON array");
    }
    try {
      List<Toleration> parsed =
          SERIALIZATION.unmarshal(trimmed, new TypeReference<List<Toleration>>() {});
      return parsed == null ? List.of() : parsed;
    } catch (RuntimeException e) {
      throw new IllegalArgumentException("not a JSON array of tolerations", e);
    }
  }

  /**
   * Reads the per-function overrides from a function's tags ({@link
   * KubernetesConfigKeys#TAG_NODE_SELECTOR} and siblings). A malformed tolerations tag is logged as
   * a warning and ignored; the other fields still apply.
   *
   * @param functionName the function, for the warning
   * @param tags the function's tags
   * @return the overrides, empty fields where a tag is absent
   */
  public static PodConfig fromTags(String functionName, Map<String, String> tags) {
    List<Toleration> tolerations = List.of();
    String tolerationsTag = tags.get(KubernetesConfigKeys.TAG_TOLERATIONS);
    if (tolerationsTag != null) {
      try {
        tolerations = parseTolerations(tolerationsTag);
      } catch (IllegalArgumentException e) {
        LOG.warn(
            "ignoring tag '{}' of function '{}': {}; write a JSON array of tolerations",
            KubernetesConfigKeys.TAG_TOLERATIONS,
            functionName,
            e.getMessage());
      }
    }
    return new PodConfig(
        parseMap(tags.getOrDefault(KubernetesConfigKeys.TAG_NODE_SELECTOR, "")),
        tolerations,
        parseMap(tags.getOrDefault(KubernetesConfigKeys.TAG_ANNOTATIONS, "")));
  }

  /**
   * Merges a more specific config over this one: per key it wins for maps, tolerations are a union
   * without exact duplicates.
   *
   * @param override the more specific config
   * @return the merged config
   */
  public PodConfig mergedWith(PodConfig override) {
    Map<String, String> selector = new LinkedHashMap<>(nodeSelector);
    selector.putAll(override.nodeSelector);
    List<Toleration> union = new ArrayList<>(tolerations);
    union.addAll(override.tolerations);
    Map<String, String> merged = new LinkedHashMap<>(annotations);
    merged.putAll(override.annotations);
    return new PodConfig(selector, union, merged);
  }

  /**
   * Tells whether this config changes nothing.
   *
   * @return true when all fields are empty
   */
  public boolean isEmpty() {
    return nodeSelector.isEmpty() && tolerations.isEmpty() && annotations.isEmpty();
  }
}
