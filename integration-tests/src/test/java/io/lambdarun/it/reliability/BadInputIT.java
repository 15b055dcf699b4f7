package io.lambdarun.it.reliability;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.lambdarun.api.Archive;
import io.lambdarun.api.ArchiveLimits;
import io.lambdarun.api.InvalidArchiveException;
import io.lambdarun.api.InvalidFunctionException;
import io.lambdarun.api.PackageType;
import io.lambdarun.api.RuntimeUnavailableException;
import io.lambdarun.core.LambdaRuntime;
import io.lambdarun.core.model.LambdaFunction;
import io.lambdarun.tck.ArchiveEscapes;
import java.util.LinkedHashMap;
import java.util.Map;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Bad input is refused with a typed exception whose one sentence quotes the offending value, with
 * AWS's error code where AWS has one, and nothing is launched: no warm instance, no labelled
 * container, no marked process, no pod or secret. Runtimes on the local, Docker and Kubernetes
 * backends are open during every case, so a launch by any of them would show.
 */
class BadInputIT {

  private static final String INVALID_PARAMETER = "InvalidParameterValueException";
  private static final String VALIDATION = "ValidationException";

  /** Archive bounds small enough that a few MiB of zeros are a bomb, while a handler fits. */
  private static final ArchiveLimits SMALL = new ArchiveLimits(1_048_576, 100);

  private static Cluster cluster;
  private static LambdaRuntime local;
  private static LambdaRuntime docker;
  private static LambdaRuntime kubernetes;

  @BeforeAll
  static void openRuntimes() {
    cluster = new Cluster();
    local = Fixtures.runtime("local").archiveLimits(SMALL).build();
    docker = Fixtures.runtime("docker").archiveLimits(SMALL).build();
    kubernetes = cluster.runtime().archiveLimits(SMALL).build();
  }

  @AfterAll
  static void closeRuntimes() {
    for (AutoCloseable closeable : new AutoCloseable[] {local, docker, kubernetes, cluster}) {
      try {
        if (closeable != null) {
          closeable.close();
        }
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    }
  }

  @AfterEach
  void nothingWasLaunched() {
    assertThat(local.warmInstances()).isEmpty();
    assertThat(docker.warmInstances()).isEmpty();
    assertThat(kubernetes.warmInstances()).isEmpty();
    assertThat(Fixtures.containersOfThisJvm()).isEmpty();
    assertThat(Fixtures.localProcessesOfThisJvm()).isEmpty();
    assertThat(cluster.podsOfThisJvm()).isEmpty();
    assertThat(cluster.secretsOfPid(Cluster.NAMESPACE, Fixtures.PID)).isZero();
    assertThat(cluster.server().kubelet().containersHeld()).isZero();
  }

  private static LambdaRuntime runtime(String backend) {
    return switch (backend) {
      case "local" -> local;
      case "docker" -> docker;
      default -> kubernetes;
    };
  }

  @Test
  void zipSlipEntryIsRefusedNamingTheEntry() {
    Archive code =
        Archive.ofBytes(
            "slip.zip",
            Fixtures.zip(
                ordered("app.py", Fixtures.HANDLER_SOURCE, "../../etc/evil.py", "print('x')")));

    InvalidArchiveException e =
        refusedBuild(() -> zipFunction("slip").code(code).build(), InvalidArchiveException.class);

    assertThat(e.awsErrorCode()).isEqualTo(INVALID_PARAMETER);
    assertThat(e.getMessage())
        .contains("'slip.zip'")
        .contains("'../../etc/evil.py'")
        .contains("zip slip");
  }

  @Test
  void absoluteEntryIsRefusedNamingTheEntry() {
    Archive code =
        Archive.ofBytes("absolute.zip", Fixtures.zip(ordered("/tmp/evil.py", "print('x')")));

    InvalidArchiveException e =
        refusedBuild(
            () -> zipFunction("absolute").code(code).build(), InvalidArchiveException.class);

    assertThat(e.getMessage()).contains("'absolute.zip'").contains("'/tmp/evil.py'");
  }

  /**
   * Code and layers that would write outside {@code /var/task} or {@code /opt} through chains of
   * links (runtime-tck's {@link ArchiveEscapes}) are refused when the function is defined, the
   * layers checked together, so no backend ever extracts them.
   */
  @Test
  void archiveEscapingThroughLinksIsRefusedAtDefinition() {
    for (ArchiveEscapes.Escape escape : ArchiveEscapes.all()) {
      InvalidArchiveException e =
          refusedBuild(
              () ->
                  zipFunction("escape")
                      .code(escape.code().orElse(Fixtures.handlerArchive()))
                      .layers(escape.layers())
                      .build(),
              InvalidArchiveException.class);

      assertThat(e.awsErrorCode()).as(escape.description()).isEqualTo(INVALID_PARAMETER);
      assertThat(e.getMessage()).as(escape.description()).contains(escape.refusal());
    }
  }

  @Test
  void zipBombBeyondTheFunctionsLimitIsRefusedAtDefinition() {
    InvalidArchiveException e =
        refusedBuild(
            () -> zipFunction("bomb").code(bomb()).archiveLimits(SMALL).build(),
            InvalidArchiveException.class);

    assertThat(e.awsErrorCode()).isEqualTo(INVALID_PARAMETER);
    assertThat(e.getMessage()).contains("'bomb.zip'").contains("expands beyond 1048576 bytes");
  }

  /**
   * A function within AWS's 250 MB but beyond the runtime's configured bound: the backend refuses
   * to expand it, with the same exception type on every backend, before anything starts.
   */
  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"local", "docker", "kubernetes"})
  void zipBombBeyondTheRuntimesLimitIsRefusedAtLaunch(String backend) {
    LambdaFunction function = zipFunction("bomb-" + backend).code(bomb()).build();
    LambdaRuntime runtime = runtime(backend);

    InvalidArchiveException e =
        catchThrowableOfType(
            InvalidArchiveException.class, () -> runtime.invoke(function, "{}".getBytes(UTF_8)));

    assertThat(e).as("invoke of a bomb on %s", backend).isNotNull();
    assertThat(e.awsErrorCode()).isEqualTo(INVALID_PARAMETER);
    assertThat(e.getMessage()).contains("'bomb.zip'").contains("expands beyond 1048576 bytes");
  }

  @Test
  void notAZipIsRefused() {
    Archive code = Archive.ofBytes("garbage.zip", "this is not a zip file".getBytes(UTF_8));

    InvalidArchiveException e =
        refusedBuild(
            () -> zipFunction("garbage").code(code).build(), InvalidArchiveException.class);

    assertThat(e.awsErrorCode()).isEqualTo(INVALID_PARAMETER);
    assertThat(e.getMessage()).contains("'garbage.zip'").contains("not a zip file");
  }

  @Test
  void corruptZipIsRefused() {
    byte[] bytes = Fixtures.zip(ordered("app.py", Fixtures.HANDLER_SOURCE.repeat(20)));
    // the deflated data of the only entry starts after the 30-byte local header and its name
    for (int i = 40; i < 60; i++) {
      bytes[i] = (byte) ~bytes[i];
    }
    Archive code = Archive.ofBytes("corrupt.zip", bytes);

    InvalidArchiveException e =
        refusedBuild(
            () -> zipFunction("corrupt").code(code).build(), InvalidArchiveException.class);

    assertThat(e.awsErrorCode()).isEqualTo(INVALID_PARAMETER);
    assertThat(e.getMessage()).contains("'corrupt.zip'").contains("is corrupt");
  }

  @Test
  void emptyZipIsRefusedForAZipFunction() {
    Archive code = Archive.ofBytes("empty.zip", Fixtures.zip(Map.of()));

    InvalidArchiveException e =
        refusedBuild(() -> zipFunction("empty").code(code).build(), InvalidArchiveException.class);

    assertThat(e.awsErrorCode()).isEqualTo(INVALID_PARAMETER);
    assertThat(e.getMessage()).contains("'empty.zip'").contains("'empty'").contains("is empty");
  }

  @Test
  void unknownRuntimeIsRefused() {
    InvalidFunctionException e =
        refusedBuild(
            () -> zipFunction("unknown-runtime").runtime("python2.9").build(),
            InvalidFunctionException.class);

    assertThat(e.awsErrorCode()).isEqualTo(INVALID_PARAMETER);
    assertThat(e.getMessage()).contains("runtime 'python2.9'").contains("'unknown-runtime'");
  }

  @Test
  void imageFunctionWithoutAnImageIsRefused() {
    InvalidFunctionException e =
        refusedBuild(
            () ->
                LambdaFunction.builder()
                    .functionName("no-image")
                    .packageType(PackageType.IMAGE)
                    .build(),
            InvalidFunctionException.class);

    assertThat(e.awsErrorCode()).isEqualTo(INVALID_PARAMETER);
    assertThat(e.getMessage()).contains("'no-image'").contains("no image URI");
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"AWS_REGION", "AWS_LAMBDA_RUNTIME_API", "_HANDLER", "AWS_SESSION_TOKEN"})
  void reservedEnvironmentKeyIsRefusedWithAwsMessage(String key) {
    InvalidFunctionException e =
        refusedBuild(
            () ->
                zipFunction("reserved")
                    .putEnvironment("MINE", "ok")
                    .putEnvironment(key, "x")
                    .build(),
            InvalidFunctionException.class);

    assertThat(e.awsErrorCode()).isEqualTo(INVALID_PARAMETER);
    // AWS's own wording, which lists the keys without quotes
    assertThat(e.getMessage())
        .startsWith("Lambda was unable to configure your environment variables")
        .endsWith("Reserved keys used in this request: " + key);
  }

  @Test
  void environmentBeyondFourKilobytesIsRefused() {
    InvalidFunctionException e =
        refusedBuild(
            () -> zipFunction("big-env").putEnvironment("BIG", "x".repeat(4094)).build(),
            InvalidFunctionException.class);

    assertThat(e.awsErrorCode()).isEqualTo(INVALID_PARAMETER);
    // 3 bytes of key plus 4094 of value
    assertThat(e.getMessage())
        .contains("exceeded the 4KB limit")
        .contains("'big-env'")
        .contains("'4097' bytes");
  }

  @Test
  void environmentOfExactlyFourKilobytesIsAccepted() {
    LambdaFunction function = zipFunction("env-4k").putEnvironment("BIG", "x".repeat(4093)).build();

    assertThat(function.environment().get("BIG")).hasSize(4093);
  }

  @ParameterizedTest(name = "[{index}] ''{0}''")
  @ValueSource(
      strings = {
        "my function",
        "fn/../etc",
        "naïve",
        "fn:1",
        "a-name-of-sixty-five-characters-which-is-one-more-than-allowed-xx",
        ""
      })
  void invalidFunctionNameIsRefused(String name) {
    InvalidFunctionException e =
        refusedBuild(() -> zipFunction(name).build(), InvalidFunctionException.class);

    assertThat(e.awsErrorCode()).isEqualTo(VALIDATION);
    assertThat(e.getMessage()).contains("function name '" + name + "'");
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"local", "docker", "kubernetes"})
  void payloadAboveSixMegabytesIsRefusedBeforeLaunch(String backend) {
    LambdaRuntime runtime = runtime(backend);
    LambdaFunction function = Fixtures.function("big-payload-" + backend, 3);
    byte[] payload = new byte[6_291_457];
    java.util.Arrays.fill(payload, (byte) ' ');

    InvalidFunctionException e =
        catchThrowableOfType(
            InvalidFunctionException.class, () -> runtime.invoke(function, payload));

    assertThat(e).isNotNull();
    assertThat(e.awsErrorCode()).isEqualTo("RequestTooLargeException");
    assertThat(e.getMessage())
        .contains("'6291457' bytes")
        .contains("'big-payload-" + backend + "'");
  }

  @ParameterizedTest(name = "[{index}]")
  @ValueSource(strings = {"bad\uD800value", "bad\uDC00", "tail\uD83D", "nul\0byte"})
  void environmentValueThatIsNotValidTextIsRefused(String value) {
    InvalidFunctionException e =
        refusedBuild(
            () -> zipFunction("bad-text").putEnvironment("BINARY", value).build(),
            InvalidFunctionException.class);

    assertThat(e.awsErrorCode()).isEqualTo(INVALID_PARAMETER);
    assertThat(e.getMessage())
        .contains("'BINARY'")
        .contains("'bad-text'")
        .contains("not valid text");
  }

  @Test
  void validSurrogatePairIsAccepted() {
    LambdaFunction function = zipFunction("emoji").putEnvironment("SMILE", "\uD83D\uDE00").build();

    assertThat(function.environment()).containsEntry("SMILE", "\uD83D\uDE00");
  }

  @Test
  void backendNobodyProvidesIsRefused() {
    RuntimeUnavailableException e =
        catchThrowableOfType(
            RuntimeUnavailableException.class,
            () -> LambdaRuntime.builder().backend("nobody-provides-this").build());

    assertThat(e).isNotNull();
    assertThat(e.getMessage())
        .contains("backend 'nobody-provides-this'")
        .contains("no provider with that name");
  }

  private static LambdaFunction.Builder zipFunction(String name) {
    return LambdaFunction.builder()
        .functionName(name)
        .runtime("python3.12")
        .handler("app.handler")
        .code(Fixtures.handlerArchive());
  }

  /** A handler plus 8 MiB of zeros: tiny compressed, beyond {@link #SMALL} expanded. */
  private static Archive bomb() {
    return Archive.ofBytes(
        "bomb.zip",
        Fixtures.zip(
            ordered(
                "app.py",
                Fixtures.HANDLER_SOURCE,
                "zeros.bin",
                new String(new byte[8 << 20], UTF_8))));
  }

  private static Map<String, byte[]> ordered(String... namesAndContents) {
    Map<String, byte[]> entries = new LinkedHashMap<>();
    for (int i = 0; i < namesAndContents.length; i += 2) {
      entries.put(namesAndContents[i], namesAndContents[i + 1].getBytes(UTF_8));
    }
    return entries;
  }

  private static <T extends Throwable> T refusedBuild(ThrowingCallable build, Class<T> type) {
    T e = catchThrowableOfType(type, build);
    assertThat(e).as("expected %s", type.getSimpleName()).isNotNull();
    assertThat(e.getMessage()).doesNotContain("\n");
    return e;
  }
}
