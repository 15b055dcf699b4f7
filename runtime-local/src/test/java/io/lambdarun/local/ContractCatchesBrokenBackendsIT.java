package io.lambdarun.local;

import static org.junit.platform.engine.discovery.DiscoverySelectors.selectMethod;

import io.lambdarun.api.Archive;
import io.lambdarun.api.Availability;
import io.lambdarun.api.ContainerRuntime;
import io.lambdarun.api.ContainerRuntimeProvider;
import io.lambdarun.api.HostAccess;
import io.lambdarun.api.Instance;
import io.lambdarun.api.LaunchFailedException;
import io.lambdarun.api.LaunchSpec;
import io.lambdarun.api.LogLineListener;
import io.lambdarun.api.Owner;
import io.lambdarun.api.RuntimeConfig;
import io.lambdarun.tck.ContainerRuntimeContract;
import io.lambdarun.tck.ForwardingRuntime;
import io.lambdarun.tck.TckFunction;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.Method;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.platform.testkit.engine.EngineTestKit;

/**
 * Proves that the checks of {@link ContainerRuntimeContract} can fail: each case runs one check
 * against the local backend with one promise of {@link ContainerRuntime} broken (the same checks
 * pass on the unbroken backend in {@link LocalRuntimeContractIT}), through JUnit's engine test kit,
 * and expects that check to fail.
 */
class ContractCatchesBrokenBackendsIT {

  /** Every runtime the broken suites created, closed for real after each case. */
  private static final List<ContainerRuntime> CREATED = new CopyOnWriteArrayList<>();

  static Stream<Arguments> brokenPromises() {
    return Stream.of(
        Arguments.of(EnvironmentTrimmed.class, "environmentIsDeliveredVerbatim"),
        Arguments.of(NoLogs.class, "logsAreReadable"),
        Arguments.of(LayersReversed.class, "layersAttachInOrderLaterOnesOverwriting"),
        Arguments.of(EveryFileExecutable.class, "customRuntimeBootstrapRunsFromTheRuntimeFolder"),
        Arguments.of(OneLaunchPerFunctionAtATime.class, "concurrentLaunchesOfOneFunction"),
        Arguments.of(TerminateDoesNothing.class, "terminateIsIdempotent"),
        Arguments.of(TerminateDoesNothing.class, "timedOutReadinessLeavesNothing"),
        Arguments.of(FailedLaunchLeavesAnInstance.class, "failedLaunchLeavesNothing"),
        Arguments.of(SweepDoesNothing.class, "sweepRemovesOnlyTheInstancesOfDeadOwnersOnThisHost"),
        Arguments.of(CloseLeavesInstances.class, "closeRemovesEverything"),
        Arguments.of(ExitUnknown.class, "runtimeApiModeReportsADeadRuntime"),
        Arguments.of(EveryHundredthLineDropped.class, "followedOutputArrivesLineByLineInOrder"),
        Arguments.of(StartUpLinesDropped.class, "followedOutputArrivesLineByLineInOrder"),
        Arguments.of(MemoryPeakOfOneMebibyte.class, "memoryPeakCoversWhatTheHandlerUsed"),
        Arguments.of(MemoryPeakOnlyAtFirst.class, "memoryPeakCoversWhatTheHandlerUsed"),
        Arguments.of(HostAliasWithPort.class, "describesHostAccess"));
  }

  @ParameterizedTest(name = "{0} fails {1}")
  @MethodSource("brokenPromises")
  void theContractFailsABackendThatBreaksThePromise(Class<?> brokenSuite, String check) {
    Method contractCheck =
        Arrays.stream(ContainerRuntimeContract.class.getDeclaredMethods())
            .filter(method -> method.getName().equals(check))
            .findFirst()
            .orElseThrow(() -> new AssertionError("the contract has no check '" + check + "'"));
    EngineTestKit.engine("junit-jupiter")
        .selectors(selectMethod(brokenSuite, contractCheck))
        .execute()
        .testEvents()
        .assertStatistics(stats -> stats.started(1).failed(1));
  }

  @AfterEach
  void closeWhatTheBrokenSuitesLeft() {
    List<ContainerRuntime> runtimes = new ArrayList<>(CREATED);
    CREATED.clear();
    runtimes.forEach(ContainerRuntime::close);
  }

  /** The local backend's contract suite on a runtime broken by {@link #breakIt}. */
  abstract static class BrokenLocal extends LocalRuntimeContractIT {

    abstract ContainerRuntime breakIt(ContainerRuntime local);

    /** The local backend settles within a second; a broken one never does, so waiting less. */
    @Override
    protected Duration settleTime() {
      return Duration.ofSeconds(5);
    }

    @Override
    protected ContainerRuntimeProvider provider() {
      LocalRuntimeProvider local = new LocalRuntimeProvider();
      return new ContainerRuntimeProvider() {
        @Override
        public String name() {
          return local.name();
        }

        @Override
        public Availability availability(RuntimeConfig config) {
          return local.availability(config);
        }

        @Override
        public ContainerRuntime create(RuntimeConfig config, Owner owner) {
          ContainerRuntime created = local.create(config, owner);
          CREATED.add(created);
          return breakIt(created);
        }
      };
    }

    /** Rewrites each launch spec before the real launch. */
    static ContainerRuntime rewritingLaunches(
        ContainerRuntime local, UnaryOperator<LaunchSpec.Builder> rewrite) {
      return new ForwardingRuntime(local) {
        @Override
        public Instance launch(LaunchSpec spec) {
          return delegate.launch(rewrite.apply(spec.toBuilder()).build());
        }
      };
    }
  }

  static final class EnvironmentTrimmed extends BrokenLocal {
    @Override
    ContainerRuntime breakIt(ContainerRuntime local) {
      return rewritingLaunches(
          local,
          spec -> {
            Map<String, String> trimmed = new LinkedHashMap<>();
            spec.build().environment().forEach((key, value) -> trimmed.put(key, value.trim()));
            return spec.environment(trimmed);
          });
    }
  }

  static final class NoLogs extends BrokenLocal {
    @Override
    ContainerRuntime breakIt(ContainerRuntime local) {
      return new ForwardingRuntime(local) {
        @Override
        public String logs(Instance instance, Instant since) {
          return "";
        }
      };
    }
  }

  static final class LayersReversed extends BrokenLocal {
    @Override
    ContainerRuntime breakIt(ContainerRuntime local) {
      return rewritingLaunches(
          local,
          spec -> {
            List<Archive> layers = new ArrayList<>(spec.build().layers());
            Collections.reverse(layers);
            return spec.layers(layers);
          });
    }
  }

  static final class EveryFileExecutable extends BrokenLocal {
    @Override
    ContainerRuntime breakIt(ContainerRuntime local) {
      return rewritingLaunches(
          local,
          spec -> {
            LaunchSpec original = spec.build();
            try {
              Path folder = Files.createTempDirectory("lambdarun-broken-modes");
              original.code().orElseThrow().extractTo(folder, original.archiveLimits());
              try (Stream<Path> files = Files.walk(folder)) {
                for (Path file : files.filter(Files::isRegularFile).toList()) {
                  Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
                }
              }
              return spec.code(Archive.ofDirectory("all-executable", folder));
            } catch (IOException e) {
              throw new UncheckedIOException(e);
            }
          });
    }
  }

  static final class OneLaunchPerFunctionAtATime extends BrokenLocal {
    @Override
    ContainerRuntime breakIt(ContainerRuntime local) {
      AtomicInteger inFlight = new AtomicInteger();
      return new ForwardingRuntime(local) {
        @Override
        public Instance launch(LaunchSpec spec) {
          if (inFlight.incrementAndGet() > 1) {
            inFlight.decrementAndGet();
            throw new LaunchFailedException(
                spec.functionName(), "function '" + spec.functionName() + "' is being launched");
          }
          try {
            Thread.sleep(1000);
            return delegate.launch(spec);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
          } finally {
            inFlight.decrementAndGet();
          }
        }
      };
    }
  }

  static final class TerminateDoesNothing extends BrokenLocal {
    @Override
    ContainerRuntime breakIt(ContainerRuntime local) {
      return new ForwardingRuntime(local) {
        @Override
        public void terminate(Instance instance) {}
      };
    }
  }

  static final class FailedLaunchLeavesAnInstance extends BrokenLocal {
    @Override
    ContainerRuntime breakIt(ContainerRuntime local) {
      return new ForwardingRuntime(local) {
        @Override
        public Instance launch(LaunchSpec spec) {
          try {
            return delegate.launch(spec);
          } catch (LaunchFailedException e) {
            // an instance that outlives the Runtime API core closes after the failure
            delegate.launch(
                spec.toBuilder()
                    .runtime(TckFunction.RUNTIME)
                    .handler(TckFunction.HANDLER)
                    .putEnvironment("TCK_INIT_SLEEP_SECONDS", "60")
                    .build());
            throw e;
          }
        }
      };
    }
  }

  static final class SweepDoesNothing extends BrokenLocal {
    @Override
    ContainerRuntime breakIt(ContainerRuntime local) {
      return new ForwardingRuntime(local) {
        @Override
        public int sweepOrphans() {
          return 0;
        }
      };
    }
  }

  static final class CloseLeavesInstances extends BrokenLocal {
    @Override
    ContainerRuntime breakIt(ContainerRuntime local) {
      return new ForwardingRuntime(local) {
        private volatile boolean closed;

        @Override
        public Instance launch(LaunchSpec spec) {
          if (closed) {
            throw new IllegalStateException("closed");
          }
          return delegate.launch(spec);
        }

        @Override
        public void close() {
          closed = true;
        }
      };
    }
  }

  static final class ExitUnknown extends BrokenLocal {
    @Override
    ContainerRuntime breakIt(ContainerRuntime local) {
      return new ForwardingRuntime(local) {
        @Override
        public OptionalInt exitCode(Instance instance) {
          return OptionalInt.empty();
        }
      };
    }
  }

  static final class HostAliasWithPort extends BrokenLocal {
    @Override
    ContainerRuntime breakIt(ContainerRuntime local) {
      return new ForwardingRuntime(local) {
        @Override
        public HostAccess hostAccess() {
          HostAccess real = delegate.hostAccess();
          return new HostAccess(real.hostAlias() + ":8080", real.registryHost());
        }
      };
    }
  }

  static final class EveryHundredthLineDropped extends BrokenLocal {
    @Override
    ContainerRuntime breakIt(ContainerRuntime local) {
      return new ForwardingRuntime(local) {
        @Override
        public boolean followLogs(Instance instance, LogLineListener listener) {
          AtomicInteger count = new AtomicInteger();
          return delegate.followLogs(
              instance,
              line -> {
                if (count.incrementAndGet() % 100 != 0) {
                  listener.onLine(line);
                }
              });
        }
      };
    }
  }

  /** Follows from the end of what the instance wrote so far, as {@code tail -f} would. */
  static final class StartUpLinesDropped extends BrokenLocal {
    @Override
    ContainerRuntime breakIt(ContainerRuntime local) {
      return new ForwardingRuntime(local) {
        @Override
        public boolean followLogs(Instance instance, LogLineListener listener) {
          long written = delegate.logs(instance, Instant.EPOCH).lines().count();
          AtomicInteger skipped = new AtomicInteger();
          return delegate.followLogs(
              instance,
              line -> {
                if (skipped.incrementAndGet() > written) {
                  listener.onLine(line);
                }
              });
        }
      };
    }
  }

  static final class MemoryPeakOfOneMebibyte extends BrokenLocal {
    @Override
    ContainerRuntime breakIt(ContainerRuntime local) {
      return new ForwardingRuntime(local) {
        @Override
        public OptionalLong maxMemoryUsedBytes(Instance instance) {
          return OptionalLong.of(1024 * 1024);
        }
      };
    }
  }

  static final class MemoryPeakOnlyAtFirst extends BrokenLocal {
    @Override
    ContainerRuntime breakIt(ContainerRuntime local) {
      AtomicInteger asked = new AtomicInteger();
      return new ForwardingRuntime(local) {
        @Override
        public OptionalLong maxMemoryUsedBytes(Instance instance) {
          return asked.incrementAndGet() == 1
              ? delegate.maxMemoryUsedBytes(instance)
              : OptionalLong.empty();
        }
      };
    }
  }
}
