package io.lambdarun.core.discovery;

import static io.lambdarun.core.discovery.StubProvider.available;
import static io.lambdarun.core.discovery.StubProvider.unavailable;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lambdarun.api.ContainerRuntimeProvider;
import io.lambdarun.api.RuntimeConfig;
import io.lambdarun.api.RuntimeUnavailableException;
import java.io.IOException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BackendSelectorTest {

  private static final RuntimeConfig CONFIG = RuntimeConfig.empty();
  private static final int EXPLICIT = ContainerRuntimeProvider.EXPLICIT_ONLY;

  private static BackendSelector selector(ContainerRuntimeProvider... providers) {
    return new BackendSelector(List.of(providers), List.of());
  }

  @Test
  void highestPriorityThenNameWins() {
    BackendSelector selector =
        selector(
            available("local", -20),
            available("docker", -10),
            available("beta", 0),
            available("alpha", 0));

    assertThat(selector.select(Optional.empty(), CONFIG).name()).isEqualTo("alpha");
    assertThat(selector.providers())
        .extracting(ContainerRuntimeProvider::name)
        .containsExactly("alpha", "beta", "docker", "local");
  }

  @Test
  void unavailableProvidersAreSkipped() {
    BackendSelector selector = selector(unavailable("docker", -10), available("local", -20));

    assertThat(selector.select(Optional.empty(), CONFIG).name()).isEqualTo("local");
  }

  @Test
  void explicitOnlyProvidersAreNeverChosenAutomatically() {
    BackendSelector selector = selector(available("kubernetes", EXPLICIT), available("local", -20));

    assertThat(selector.select(Optional.empty(), CONFIG).name()).isEqualTo("local");
    assertThat(selector.select(Optional.of("kubernetes"), CONFIG).name()).isEqualTo("kubernetes");
  }

  @Test
  void aProbeThatThrowsIsReportedNotFatal() {
    BackendSelector selector =
        selector(new StubProvider("broken", 5, null), available("local", -20));

    assertThat(selector.select(Optional.empty(), CONFIG).name()).isEqualTo("local");
    assertThat(selector.report(CONFIG).get(0))
        .satisfies(
            report -> {
              assertThat(report.name()).isEqualTo("broken");
              assertThat(report.available()).isFalse();
              assertThat(report.reason())
                  .contains("failed while checking availability")
                  .contains("probe exploded");
            });
  }

  @Test
  void probeFailuresTravelAsSuppressedExceptions() {
    BackendSelector selector = selector(new StubProvider("broken", 5, null));

    assertThatThrownBy(() -> selector.select(Optional.empty(), CONFIG))
        .isInstanceOf(NoRuntimeAvailableException.class)
        .satisfies(
            e ->
                assertThat(e.getSuppressed())
                    .singleElement()
                    .satisfies(s -> assertThat(s).hasMessage("probe exploded")));
    assertThatThrownBy(() -> selector.select(Optional.of("broken"), CONFIG))
        .satisfies(e -> assertThat(e.getSuppressed()).hasSize(1));
  }

  @Test
  void anExplicitNameNeverFallsBack() {
    BackendSelector selector = selector(unavailable("docker", -10), available("local", -20));

    assertThatThrownBy(() -> selector.select(Optional.of("docker"), CONFIG))
        .isInstanceOf(RuntimeUnavailableException.class)
        .hasMessage("backend 'docker' was requested but is not available: docker is missing");
  }

  @Test
  void anUnknownWellKnownNameHintsAtItsArtifact() {
    BackendSelector selector = selector(available("local", -20));

    assertThatThrownBy(() -> selector.select(Optional.of("kubernetes"), CONFIG))
        .isInstanceOf(RuntimeUnavailableException.class)
        .hasMessage(
            "backend 'kubernetes' was requested but no provider with that name is on the class"
                + " path (found: [local]); add io.lambdarun:runtime-k8s to the dependencies");
  }

  @Test
  void anUnknownOtherNameListsTheNamesFound() {
    BackendSelector selector = selector(available("local", -20), available("docker", -10));

    assertThatThrownBy(() -> selector.select(Optional.of("podman"), CONFIG))
        .hasMessage(
            "backend 'podman' was requested but no provider with that name is on the class path"
                + " (found: [docker, local]); add the jar that provides it or choose one of the"
                + " names found");
  }

  @Test
  void duplicateNamesFailNamingBothClasses() {
    assertThatThrownBy(() -> selector(available("docker", 0), new OtherStubProvider("docker")))
        .isInstanceOf(RuntimeUnavailableException.class)
        .hasMessage(
            "backend name 'docker' is claimed by both '"
                + StubProvider.class.getName()
                + "' and '"
                + OtherStubProvider.class.getName()
                + "'; remove one of the two jars from the"
                + " class path");
  }

  @Test
  void nothingAvailableListsEveryCandidateAndTheFix() {
    BackendSelector selector =
        new BackendSelector(
            List.of(
                unavailable("docker", -10),
                unavailable("local", -20),
                available("kubernetes", EXPLICIT)),
            List.of("Provider com.example.Gone not found"));

    assertThatThrownBy(() -> selector.select(Optional.empty(), CONFIG))
        .isInstanceOfSatisfying(
            NoRuntimeAvailableException.class,
            e ->
                assertThat(e.report())
                    .extracting(BackendReport::name)
                    .containsExactly("docker", "local", "kubernetes", "unloadable provider"))
        .hasMessage(
            "no lambdarun backend is available; candidates in priority order:\n"
                + "  - docker (priority -10): unavailable: docker is missing\n"
                + "  - local (priority -20): unavailable: local is missing\n"
                + "  - kubernetes (explicit only): unavailable: chosen only by name, not tried"
                + " automatically\n"
                + "  - unloadable provider (explicit only): unavailable: Provider"
                + " com.example.Gone not found; fix or remove the jar that lists it\n"
                + "fix one of the reasons above, choose a backend by name with"
                + " LambdaRuntime.builder().backend(name) or 'lambdarun.backend', or add a backend"
                + " such as io.lambdarun:runtime-local (runs functions as local processes) or"
                + " io.lambdarun:runtime-docker");
  }

  @Test
  void noProviderAtAllSaysWhatToAdd() {
    assertThatThrownBy(() -> selector().select(Optional.empty(), CONFIG))
        .isInstanceOf(NoRuntimeAvailableException.class)
        .hasMessageStartingWith("no lambdarun backend is on the class path\n")
        .hasMessageContaining("io.lambdarun:runtime-local");
  }

  @Test
  void reportProbesEveryProviderIncludingExplicitOnes() {
    BackendSelector selector =
        selector(available("kubernetes", EXPLICIT), unavailable("docker", -10));

    assertThat(selector.report(CONFIG))
        .containsExactly(
            new BackendReport("docker", -10, false, "docker is missing"),
            new BackendReport("kubernetes", EXPLICIT, true, "kubernetes is here"));
    assertThat(selector.report(CONFIG).get(1).line())
        .isEqualTo("kubernetes (explicit only): available: kubernetes is here");
  }

  @Test
  void serviceLoaderFindsProvidersReportsBrokenOnesAndDedupes(@TempDir Path dir)
      throws IOException {
    Path services = dir.resolve("META-INF/services");
    Files.createDirectories(services);
    Files.writeString(
        services.resolve(ContainerRuntimeProvider.class.getName()),
        ServiceLoadedProvider.class.getName() + "\ncom.example.DoesNotExist\n");
    ClassLoader previous = Thread.currentThread().getContextClassLoader();
    try (URLClassLoader loader =
        new URLClassLoader(new URL[] {dir.toUri().toURL()}, getClass().getClassLoader())) {
      Thread.currentThread().setContextClassLoader(loader);

      BackendSelector selector =
          BackendSelector.discover(List.of(new ServiceLoadedProvider(), available("extra", 1)));

      assertThat(selector.providers())
          .extracting(ContainerRuntimeProvider::name)
          .containsExactly("loaded", "extra");
      assertThat(selector.report(CONFIG))
          .last()
          .satisfies(
              report -> {
                assertThat(report.name()).isEqualTo("unloadable provider");
                assertThat(report.reason()).contains("com.example.DoesNotExist");
              });
    } finally {
      Thread.currentThread().setContextClassLoader(previous);
    }
  }

  @Test
  void serviceLoaderAloneFindsTheRegisteredProvider(@TempDir Path dir) throws IOException {
    Path services = dir.resolve("META-INF/services");
    Files.createDirectories(services);
    Files.writeString(
        services.resolve(ContainerRuntimeProvider.class.getName()),
        ServiceLoadedProvider.class.getName() + "\n");
    ClassLoader previous = Thread.currentThread().getContextClassLoader();
    try (URLClassLoader loader =
        new URLClassLoader(new URL[] {dir.toUri().toURL()}, getClass().getClassLoader())) {
      Thread.currentThread().setContextClassLoader(loader);

      BackendSelector selector = BackendSelector.discover(List.of());

      assertThat(selector.select(Optional.empty(), CONFIG))
          .isInstanceOf(ServiceLoadedProvider.class);
      assertThat(selector.report(CONFIG)).hasSize(1);
    } finally {
      Thread.currentThread().setContextClassLoader(previous);
    }
  }
}
