package io.lambdarun.tck;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import io.lambdarun.api.Availability;
import io.lambdarun.api.ContainerRuntimeProvider;
import io.lambdarun.api.RuntimeConfig;
import java.lang.reflect.Constructor;
import java.lang.reflect.Modifier;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Contract every {@link ContainerRuntimeProvider} honours without a running backend: a valid stable
 * name, visibility through {@link ServiceLoader}, a cheap constructor, and an availability check
 * that never throws.
 */
public abstract class ProviderContract {

  private static final Set<String> JVM_SERVICE_THREADS =
      Set.of("Attach Listener", "Signal Dispatcher", "Common-Cleaner", "Notification Thread");

  /**
   * Returns a new instance of the provider under test.
   *
   * @return the provider
   */
  protected abstract ContainerRuntimeProvider provider();

  /**
   * Returns the configuration the provider is normally used with.
   *
   * @return the configuration; empty by default
   */
  protected RuntimeConfig config() {
    return RuntimeConfig.empty();
  }

  @Test
  @DisplayName("the name is lower-case, stable and usable on a command line")
  void nameIsValidAndStable() {
    ContainerRuntimeProvider provider = provider();
    assertThat(provider.name()).matches("[a-z][a-z0-9-]*");
    assertThat(provider().name()).isEqualTo(provider.name());
    assertThat(provider().priority()).isEqualTo(provider.priority());
  }

  @Test
  @DisplayName("the provider is registered for ServiceLoader (for example with @AutoService)")
  void isVisibleThroughServiceLoader() {
    List<String> found =
        ServiceLoader.load(ContainerRuntimeProvider.class, getClass().getClassLoader()).stream()
            .map(ServiceLoader.Provider::type)
            .map(Class::getName)
            .collect(Collectors.toList());
    assertThat(found)
        .as("providers listed in META-INF/services/%s", ContainerRuntimeProvider.class.getName())
        .contains(provider().getClass().getName());
  }

  @Test
  @DisplayName("the provider has a public no-argument constructor that starts no thread")
  void constructorIsCheap() throws Exception {
    Constructor<? extends ContainerRuntimeProvider> constructor =
        provider().getClass().getConstructor();
    assertThat(Modifier.isPublic(constructor.getModifiers())).isTrue();
    Set<Thread> before = new HashSet<>(Thread.getAllStackTraces().keySet());
    for (int i = 0; i < 10; i++) {
      assertThat(constructor.newInstance().name()).isEqualTo(provider().name());
    }
    Set<String> started =
        Thread.getAllStackTraces().keySet().stream()
            .filter(thread -> !before.contains(thread))
            .filter(Thread::isAlive)
            .map(Thread::getName)
            .filter(name -> !JVM_SERVICE_THREADS.contains(name))
            .collect(Collectors.toSet());
    assertThat(started).as("threads started by the constructor").isEmpty();
  }

  @Test
  @DisplayName("availability answers with a reason for the normal configuration")
  void availabilityHasReason() {
    Availability availability = provider().availability(config());
    assertThat(availability).isNotNull();
    assertThat(availability.reason()).isNotBlank();
  }

  @Test
  @DisplayName("availability never throws, even when every configuration key holds garbage")
  void availabilityNeverThrowsOnGarbageConfig() {
    RuntimeConfig garbage = key -> Optional.of("%%not a valid value:: \u0000 ../..");
    assertThatCode(
            () -> {
              Availability availability = provider().availability(garbage);
              assertThat(availability.reason()).isNotBlank();
            })
        .doesNotThrowAnyException();
  }
}
