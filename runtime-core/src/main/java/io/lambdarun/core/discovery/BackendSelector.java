package io.lambdarun.core.discovery;

import io.lambdarun.api.Availability;
import io.lambdarun.api.ContainerRuntimeProvider;
import io.lambdarun.api.RuntimeConfig;
import io.lambdarun.api.RuntimeUnavailableException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Finds the backends on the class path and chooses one.
 *
 * <p>An explicitly named backend is used or the call fails; there is never a fallback. Otherwise
 * providers are tried by priority (highest first) then name, skipping {@link
 * ContainerRuntimeProvider#EXPLICIT_ONLY} ones, and the first available one wins. A provider that
 * fails to load or whose availability check throws is reported, not fatal.
 */
public final class BackendSelector {

  /** The artifact that brings each of lambdarun's own backends. */
  public static final Map<String, String> KNOWN_ARTIFACTS =
      Map.of(
          "docker", "io.lambdarun:runtime-docker",
          "kubernetes", "io.lambdarun:runtime-k8s",
          "local", "io.lambdarun:runtime-local");

  private static final Logger LOG = LoggerFactory.getLogger(BackendSelector.class);
  private static final String LOAD_FAILED = "unloadable provider";

  private final List<ContainerRuntimeProvider> providers;
  private final List<String> loadFailures;

  /**
   * Creates a selector over a fixed set of providers.
   *
   * @param providers the candidates, deduplicated by class
   * @param loadFailures messages of providers that could not be loaded
   * @throws RuntimeUnavailableException if two different classes share a name
   */
  public BackendSelector(List<ContainerRuntimeProvider> providers, List<String> loadFailures) {
    Map<String, ContainerRuntimeProvider> byName = new LinkedHashMap<>();
    for (ContainerRuntimeProvider provider : providers) {
      ContainerRuntimeProvider other = byName.putIfAbsent(provider.name(), provider);
      if (other != null) {
        throw new RuntimeUnavailableException(
            "backend name '"
                + provider.name()
                + "' is claimed by both '"
                + other.getClass().getName()
                + "' and '"
                + provider.getClass().getName()
                + "'; remove one of the two jars from the class path");
      }
    }
    this.providers =
        byName.values().stream()
            .sorted(
                Comparator.comparingInt(ContainerRuntimeProvider::priority)
                    .reversed()
                    .thenComparing(ContainerRuntimeProvider::name))
            .collect(Collectors.toUnmodifiableList());
    this.loadFailures = List.copyOf(loadFailures);
  }

  /**
   * Discovers providers with {@link ServiceLoader}, in the thread context class loader first and
   * then in the API's class loader, after the given ones; duplicates of one class are dropped.
   *
   * @param extra programmatic providers, placed before discovered ones
   * @return the selector
   * @throws RuntimeUnavailableException if two different classes share a name
   */
  public static BackendSelector discover(List<ContainerRuntimeProvider> extra) {
    Map<String, ContainerRuntimeProvider> byClass = new LinkedHashMap<>();
    extra.forEach(provider -> byClass.putIfAbsent(provider.getClass().getName(), provider));
    Set<ClassLoader> loaders = new LinkedHashSet<>();
    ClassLoader context = Thread.currentThread().getContextClassLoader();
    if (context != null) {
      loaders.add(context);
    }
    loaders.add(ContainerRuntimeProvider.class.getClassLoader());
    List<String> failures = new ArrayList<>();
    for (ClassLoader loader : loaders) {
      Iterator<ContainerRuntimeProvider> iterator =
          ServiceLoader.load(ContainerRuntimeProvider.class, loader).iterator();
      String lastFailure = null;
      while (true) {
        try {
          if (!iterator.hasNext()) {
            break;
          }
          ContainerRuntimeProvider provider = iterator.next();
          byClass.putIfAbsent(provider.getClass().getName(), provider);
        } catch (ServiceConfigurationError e) {
          if (e.getMessage().equals(lastFailure)) {
            break;
          }
          lastFailure = e.getMessage();
          if (!failures.contains(lastFailure)) {
            LOG.warn("a backend provider could not be loaded: {}", lastFailure);
            failures.add(lastFailure);
          }
        }
      }
    }
    return new BackendSelector(new ArrayList<>(byClass.values()), failures);
  }

  /**
   * Returns the providers in the order automatic selection tries them.
   *
   * @return the providers, by priority then name
   */
  public List<ContainerRuntimeProvider> providers() {
    return providers;
  }

  /**
   * Chooses a backend.
   *
   * @param name the backend to use, or empty to choose automatically
   * @param config the configuration the runtime will be created with
   * @return the chosen provider
   * @throws RuntimeUnavailableException if the named backend is missing or unavailable
   * @throws NoRuntimeAvailableException if no backend can be chosen automatically
   */
  public ContainerRuntimeProvider select(Optional<String> name, RuntimeConfig config) {
    if (name.isPresent()) {
      return selectByName(name.get(), config);
    }
    List<BackendReport> tried = new ArrayList<>();
    List<Throwable> probeFailures = new ArrayList<>();
    for (ContainerRuntimeProvider provider : providers) {
      if (provider.priority() == ContainerRuntimeProvider.EXPLICIT_ONLY) {
        tried.add(
            new BackendReport(
                provider.name(),
                provider.priority(),
                false,
                "chosen only by name, not tried automatically"));
        continue;
      }
      Availability availability = probe(provider, config, probeFailures);
      tried.add(
          new BackendReport(
              provider.name(),
              provider.priority(),
              availability.available(),
              availability.reason()));
      if (availability.available()) {
        LOG.info(
            "using backend '{}' (priority {}, {}): {}",
            provider.name(),
            provider.priority(),
            provider.getClass().getName(),
            availability.reason());
        return provider;
      }
    }
    tried.addAll(failureReports());
    NoRuntimeAvailableException error =
        new NoRuntimeAvailableException(noneAvailableMessage(tried), tried);
    probeFailures.forEach(error::addSuppressed);
    throw error;
  }

  /**
   * Probes every provider, including those chosen only by name, and lists the load failures.
   *
   * @param config the configuration to check availability with
   * @return one entry per provider in selection order, then one per load failure
   */
  public List<BackendReport> report(RuntimeConfig config) {
    List<BackendReport> report = new ArrayList<>();
    for (ContainerRuntimeProvider provider : providers) {
      Availability availability = probe(provider, config, new ArrayList<>());
      report.add(
          new BackendReport(
              provider.name(),
              provider.priority(),
              availability.available(),
              availability.reason()));
    }
    report.addAll(failureReports());
    return report;
  }

  private ContainerRuntimeProvider selectByName(String name, RuntimeConfig config) {
    ContainerRuntimeProvider provider =
        providers.stream().filter(p -> p.name().equals(name)).findFirst().orElse(null);
    if (provider == null) {
      List<String> found = providers.stream().map(ContainerRuntimeProvider::name).toList();
      String artifact = KNOWN_ARTIFACTS.get(name);
      throw new RuntimeUnavailableException(
          "backend '"
              + name
              + "' was requested but no provider with that name is on the class"
              + " path (found: "
              + found
              + "); "
              + (artifact != null
                  ? "add " + artifact + " to the dependencies"
                  : "add the jar that provides it or choose one of the names found"));
    }
    List<Throwable> probeFailures = new ArrayList<>();
    Availability availability = probe(provider, config, probeFailures);
    if (!availability.available()) {
      RuntimeUnavailableException error =
          new RuntimeUnavailableException(
              "backend '"
                  + name
                  + "' was requested but is not available: "
                  + availability.reason());
      probeFailures.forEach(error::addSuppressed);
      throw error;
    }
    LOG.info("using backend '{}' ({}) as requested", name, provider.getClass().getName());
    return provider;
  }

  private static Availability probe(
      ContainerRuntimeProvider provider, RuntimeConfig config, List<Throwable> failures) {
    try {
      Availability availability = provider.availability(config);
      return availability != null
          ? availability
          : Availability.unavailable(
              "provider '"
                  + provider.getClass().getName()
                  + "' returned no verdict; report this"
                  + " to its maintainers");
    } catch (RuntimeException | LinkageError e) {
      LOG.warn("backend '{}' failed its availability check", provider.name(), e);
      failures.add(e);
      return Availability.unavailable(
          "provider '"
              + provider.getClass().getName()
              + "' failed while checking availability ("
              + e
              + "); report this to its maintainers");
    }
  }

  private List<BackendReport> failureReports() {
    return loadFailures.stream()
        .map(
            failure ->
                new BackendReport(
                    LOAD_FAILED,
                    ContainerRuntimeProvider.EXPLICIT_ONLY,
                    false,
                    failure + "; fix or remove the jar that lists it"))
        .toList();
  }

  private static String noneAvailableMessage(List<BackendReport> tried) {
    StringBuilder message = new StringBuilder();
    if (tried.isEmpty()) {
      message.append("no lambdarun backend is on the class path");
    } else {
      message.append("no lambdarun backend is available; candidates in priority order:");
      tried.forEach(entry -> message.append("\n  - ").append(entry.line()));
    }
    message
        .append("\nfix one of the reasons above, choose a backend by name with")
        .append(" LambdaRuntime.builder().backend(name) or 'lambdarun.backend', or add a backend")
        .append(" such as io.lambdarun:runtime-local (runs functions as local processes) or")
        .append(" io.lambdarun:runtime-docker");
    return message.toString();
  }
}
