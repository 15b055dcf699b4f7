package io.lambdarun.local;

import com.google.auto.service.AutoService;
import io.lambdarun.api.Availability;
import io.lambdarun.api.ContainerRuntime;
import io.lambdarun.api.ContainerRuntimeProvider;
import io.lambdarun.api.Owner;
import io.lambdarun.api.RuntimeConfig;
import io.lambdarun.api.RuntimeUnavailableException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/**
 * The {@code local} backend: runs zip functions on {@code python3.x}, {@code nodejs*.x} and {@code
 * provided*} runtimes as local processes, with no container engine. Ranked below {@code docker} so
 * that automatic selection prefers a container engine when one answers.
 *
 * <p>Configuration keys are listed in {@link LocalConfigKeys}.
 */
@AutoService(ContainerRuntimeProvider.class)
public final class LocalRuntimeProvider implements ContainerRuntimeProvider {

  /** The backend's name. */
  public static final String NAME = "local";

  /** Creates the provider; does nothing else. */
  public LocalRuntimeProvider() {}

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public int priority() {
    return -20;
  }

  /**
   * Available when Python or Node.js can be run; the reason names what was found (the JDKs for
   * {@code java*} functions too) and what is missing.
   */
  @Override
  public Availability availability(RuntimeConfig config) {
    try {
      LocalSettings.from(config);
      if (!Files.isExecutable(ProcessLauncher.SHELL)) {
        return Availability.unavailable(
            "the local backend starts functions through '"
                + ProcessLauncher.SHELL
                + "', which is"
                + " missing; use a Unix-like system (Linux or macOS) or a container backend");
      }
      List<String> found = new ArrayList<>();
      List<String> missing = new ArrayList<>();
      for (RuntimeKind kind : List.of(RuntimeKind.PYTHON, RuntimeKind.NODE)) {
        try {
          Interpreter interpreter = Interpreter.probe(kind, config, LocalSettings.PROBE_TIMEOUT);
          found.add(kind.runtimes() + " functions run on " + interpreter.describe());
        } catch (RuntimeUnavailableException e) {
          missing.add(e.getMessage());
        }
      }
      if (found.isEmpty()) {
        return Availability.unavailable(
            "no interpreter for local functions: "
                + String.join("; ", missing)
                + " (provided.* functions need none, but select 'local' explicitly for them)");
      }
      List<Jdk> jdks = JdkChooser.forThisMachine(config).found();
      if (!jdks.isEmpty()) {
        found.add(
            "java* functions run on the JDK of their version or the nearest newer of: "
                + jdks.stream().map(Jdk::describe).collect(Collectors.joining(", ")));
      }
      String reason = "local processes: " + String.join("; ", found);
      return Availability.available(
          missing.isEmpty() ? reason : reason + "; missing: " + String.join("; ", missing));
    } catch (RuntimeException e) {
      return Availability.unavailable(
          "the local backend's configuration is invalid: " + e.getMessage());
    }
  }

  @Override
  public ContainerRuntime create(RuntimeConfig config, Owner owner) {
    return new LocalContainerRuntime(LocalSettings.from(config), owner);
  }
}
