package io.lambdarun.tck;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import io.lambdarun.api.Archive;
import io.lambdarun.api.Availability;
import io.lambdarun.api.ContainerRuntime;
import io.lambdarun.api.ContainerRuntimeProvider;
import io.lambdarun.api.Instance;
import io.lambdarun.api.LaunchSpec;
import io.lambdarun.api.Owner;
import io.lambdarun.api.PackageType;
import io.lambdarun.api.RuntimeApiAccess;
import io.lambdarun.api.RuntimeConfig;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.OptionalInt;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Contract of Runtime API mode with real runtime clients, for a backend whose instances run images:
 * a Python image (an entry point that runs a Python runtime client when {@code
 * AWS_LAMBDA_RUNTIME_API} is set, as the project's {@code lambdarun/test-python} does) and a Java
 * image whose runtime client is AWS's Java runtime interface client take their one event from a
 * {@link OneEventRuntimeApi} on 127.0.0.1 and post the answer, for zip functions and for image
 * functions built on those images. Where {@link ContainerRuntimeContract} drives a backend through
 * core's Runtime API host, this suite reads the wire: what the runtime client asked for and what it
 * posted.
 *
 * <p>The runtime {@link #config()} gives must run instances on the host's loopback interface (host
 * network mode), since the Runtime API listens on 127.0.0.1 only. Each test creates its own runtime
 * with a fresh {@link Owner}, closes it afterwards and waits until {@link #liveResources} counts
 * nothing. A backend's own cases (its network modes, what it refuses) belong in the subclass, which
 * can use {@link #runtime()}, {@link #spec}, {@link #pythonZip}, {@link #answerOf} and {@link
 * #exitCodeWithin}. When the backend is unavailable the tests fail with the provider's reason; they
 * never skip.
 *
 * <p>One file on purpose: a backend author extends one class and reads its checks in one place.
 */
public abstract class RuntimeApiImageContract {

  /** A Python handler that answers with the event's {@code name} and its request id. */
  protected static final String PYTHON_APP =
      "def handler(event, context):\n"
          + "    return {'saw': event['name'], 'request': context.aws_request_id}\n";

  private static final Duration ANSWER_WAIT = Duration.ofSeconds(60);
  private static final Duration CLEAN_UP_WAIT = Duration.ofSeconds(20);

  @TempDir Path folder;

  private Owner owner;
  private ContainerRuntime runtime;

  /**
   * Returns a new instance of the provider under test.
   *
   * @return the provider
   */
  protected abstract ContainerRuntimeProvider provider();

  /**
   * Returns the configuration runtimes are created with: one whose instances share the host's
   * loopback interface, for example {@code lambdarun.docker.network=host}.
   *
   * @return the configuration
   */
  protected abstract RuntimeConfig config();

  /**
   * Returns the image that runs Python zip functions in Runtime API mode: its entry point runs a
   * Python runtime client against {@code AWS_LAMBDA_RUNTIME_API}, the handler given as the command
   * (or the spec's handler) from {@code /var/task}.
   *
   * @return an image reference available to the backend without a registry
   */
  protected abstract String pythonImage();

  /**
   * Returns the image that runs Java zip functions under AWS's Java runtime interface client, with
   * the classes from {@code /var/task} on the class path.
   *
   * @return an image reference available to the backend without a registry
   */
  protected abstract String javaImage();

  /**
   * Counts what the backend still holds for an owner, read independently of the backend's own code,
   * as {@link ContainerRuntimeContract#liveResources} does.
   *
   * @param owner the owner of a runtime created by this suite
   * @return the number of resources left
   */
  protected abstract long liveResources(Owner owner);

  /**
   * Builds an image the backend can run, from a folder holding a {@code Dockerfile} and the files
   * it copies.
   *
   * @param context the build context
   * @param tag the tag to give the image
   */
  protected abstract void buildImage(Path context, String tag);

  /**
   * Removes an image {@link #buildImage} built, whether or not an instance used it.
   *
   * @param tag the image's tag
   */
  protected abstract void removeImage(String tag);

  /**
   * Asserts, on the backend's own view of the workload (an engine's inspection, a pod's spec), that
   * an instance launched in Runtime API mode publishes no port and waits for no readiness probe:
   * its runtime client calls out, and nothing calls in.
   *
   * @param instance an instance launched by this suite's runtime
   */
  protected abstract void assertPublishesNothing(Instance instance);

  /**
   * Removes an instance's workload behind the runtime's back, as an operator or another tool would:
   * the container removed from the engine, the pod deleted from the API server.
   *
   * @param instance an instance launched by this suite's runtime
   */
  protected abstract void removeOutOfBand(Instance instance);

  @BeforeEach
  void createRuntime() {
    Availability availability = provider().availability(config());
    if (!availability.available()) {
      fail("backend '%s' is not available: %s", provider().name(), availability.reason());
    }
    owner = Owner.forCurrentProcess();
    runtime = provider().create(config(), owner);
  }

  @AfterEach
  void closeRuntimeLeavesNothing() throws InterruptedException {
    if (runtime == null) {
      return;
    }
    runtime.close();
    // a backend may remove what it ran in the background, as a kubelet does a deleted pod's
    Poll.until(() -> liveResources(owner) == 0, CLEAN_UP_WAIT);
    assertThat(liveResources(owner)).as("what the closed runtime left").isZero();
  }

  /**
   * Returns the runtime of the current test.
   *
   * @return the runtime, created for this test and closed after it
   */
  protected final ContainerRuntime runtime() {
    return runtime;
  }

  /**
   * Returns the owner of the current test's runtime.
   *
   * @return the owner
   */
  protected final Owner owner() {
    return owner;
  }

  /**
   * Returns a spec that points an instance of {@code image} at the Runtime API, labelled with this
   * test's owner; the caller adds the runtime, handler and code of a zip function.
   *
   * @param api the Runtime API the instance calls
   * @param image the image to run
   * @return a pre-filled builder
   */
  protected final LaunchSpec.Builder spec(OneEventRuntimeApi api, String image) {
    return LaunchSpec.builder()
        .functionName("rapi-fn")
        .functionArn("arn:aws:lambda:us-east-1:000000000000:function:rapi-fn")
        .deployId("rapi-" + UUID.randomUUID())
        .image(image)
        .memoryMib(512)
        .timeout(Duration.ofSeconds(30))
        .putEnvironment("AWS_LAMBDA_RUNTIME_API", api.address())
        .putEnvironment("AWS_LAMBDA_FUNCTION_NAME", "rapi-fn")
        .putEnvironment("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "512")
        .labels(owner.labels())
        .runtimeApi(api.address());
  }

  /**
   * Returns the spec of a Python 3.12 zip function on {@link #pythonImage()} whose {@code app.py}
   * is {@code source} and whose handler is {@code app.handler}.
   *
   * @param api the Runtime API the instance calls
   * @param source the content of {@code app.py}
   * @return the spec
   * @throws IOException if the code cannot be written to the test's folder
   */
  protected final LaunchSpec pythonZip(OneEventRuntimeApi api, String source) throws IOException {
    Path code = Files.createTempDirectory(folder, "code-");
    Files.writeString(code.resolve("app.py"), source);
    return spec(api, pythonImage())
        .runtime("python3.12")
        .handler("app.handler")
        .code(Archive.ofDirectory("code", code))
        .build();
  }

  /**
   * Waits up to 60 s for the instance's answer; when none comes, fails naming the instance, the
   * calls of {@code /next} and the instance's log.
   *
   * @param api the Runtime API the instance calls
   * @param instance the instance
   * @return what the instance posted
   * @throws Exception if the wait is interrupted or the answer failed
   */
  protected final OneEventRuntimeApi.Answer answerOf(OneEventRuntimeApi api, Instance instance)
      throws Exception {
    try {
      return api.answer().get(ANSWER_WAIT.toSeconds(), TimeUnit.SECONDS);
    } catch (TimeoutException e) {
      throw new AssertionError(
          "instance "
              + instance.id()
              + " posted no answer to "
              + api.address()
              + " within "
              + ANSWER_WAIT.toSeconds()
              + " s (calls of /next: "
              + api.nextCalls()
              + "); its log:\n"
              + runtime.logs(instance, Instant.EPOCH),
          e);
    }
  }

  /**
   * Asks the runtime for the instance's exit code until there is one.
   *
   * @param instance the instance
   * @param wait how long to ask at most
   * @return the exit code, or empty if there is none within {@code wait}
   * @throws InterruptedException if the wait is interrupted
   */
  protected final OptionalInt exitCodeWithin(Instance instance, Duration wait)
      throws InterruptedException {
    Poll.until(() -> runtime.exitCode(instance).isPresent(), wait);
    return runtime.exitCode(instance);
  }

  @Test
  @DisplayName("in the suite's configuration the Runtime API is on loopback for both sides")
  void theRuntimeApiIsOnLoopback() {
    assertThat(runtime.runtimeApiAccess()).contains(RuntimeApiAccess.loopback());
  }

  @Test
  @DisplayName("a Python zip function takes its event from the Runtime API with nothing published")
  void aPythonZipFunctionTakesItsEventFromTheRuntimeApiWithNothingPublished() throws Exception {
    try (OneEventRuntimeApi api = new OneEventRuntimeApi("python-zip-1", "{\"name\":\"zip\"}")) {
      Instance instance = runtime.launch(pythonZip(api, PYTHON_APP));

      assertThat(instance.endpoint()).isEmpty();
      assertPublishesNothing(instance);
      OneEventRuntimeApi.Answer answer = answerOf(api, instance);
      assertThat(answer.path()).isEqualTo("invocation/python-zip-1/response");
      assertThat(answer.body()).isEqualTo("{\"saw\": \"zip\", \"request\": \"python-zip-1\"}");
      assertThat(runtime.exitCode(instance)).as("waiting for its next event").isEmpty();
    }
  }

  @Test
  @DisplayName("a Python image function runs the image's entry point against the Runtime API")
  void aPythonImageFunctionRunsTheImagesEntryPointAgainstTheRuntimeApi() throws Exception {
    Files.writeString(folder.resolve("app.py"), PYTHON_APP);

    OneEventRuntimeApi.Answer answer =
        answerOfImage(
            pythonImage(),
            "COPY app.py /var/task/app.py\nCMD [\"app.handler\"]\n",
            "python-image-1");

    assertThat(answer.path()).isEqualTo("invocation/python-image-1/response");
    assertThat(answer.body()).isEqualTo("{\"saw\": \"image\", \"request\": \"python-image-1\"}");
  }

  @Test
  @DisplayName("a Java zip function runs under AWS's Java runtime interface client")
  void aJavaZipFunctionRunsUnderAwssRuntimeInterfaceClient() throws Exception {
    writeJavaGreeter(folder);
    try (OneEventRuntimeApi api = new OneEventRuntimeApi("java-zip-1", "{\"name\":\"zip\"}")) {
      Instance instance =
          runtime.launch(
              spec(api, javaImage())
                  .runtime("java17")
                  .handler(JavaGreeter.HANDLER)
                  .code(Archive.ofDirectory("greeter", folder))
                  .build());

      OneEventRuntimeApi.Answer answer = answerOf(api, instance);
      assertThat(answer.path()).isEqualTo("invocation/java-zip-1/response");
      assertThat(answer.body()).isEqualTo("\"Hello from Java, zip!\"");
    }
  }

  @Test
  @DisplayName("a Java image function runs under AWS's Java runtime interface client")
  void aJavaImageFunctionRunsUnderAwssRuntimeInterfaceClient() throws Exception {
    writeJavaGreeter(folder);

    OneEventRuntimeApi.Answer answer =
        answerOfImage(
            javaImage(),
            "COPY io /var/task/io\nCMD [\"" + JavaGreeter.HANDLER + "\"]\n",
            "java-image-1");

    assertThat(answer.path()).isEqualTo("invocation/java-image-1/response");
    assertThat(answer.body()).isEqualTo("\"Hello from Java, image!\"");
  }

  @Test
  @DisplayName("exitCode reports the status of a runtime that died after taking its event")
  void exitCodeReportsAnInstanceWhoseRuntimeDied() throws Exception {
    String dying = "import os\ndef handler(event, context):\n    os._exit(7)\n";
    try (OneEventRuntimeApi api = new OneEventRuntimeApi("dying-1", "{\"name\":\"x\"}")) {
      Instance instance = runtime.launch(pythonZip(api, dying));

      assertThat(exitCodeWithin(instance, Duration.ofSeconds(30)))
          .as("exit code within 30 s")
          .hasValue(7);
      assertThat(api.nextCalls()).isEqualTo(1);
    }
  }

  @Test
  @DisplayName("exitCode reports an instance whose workload was removed out of band as killed")
  void exitCodeReportsAnInstanceRemovedOutOfBandAsKilled() throws Exception {
    try (OneEventRuntimeApi api = new OneEventRuntimeApi("removed-1", "{\"name\":\"x\"}")) {
      Instance instance = runtime.launch(pythonZip(api, PYTHON_APP));
      answerOf(api, instance);
      assertThat(runtime.exitCode(instance)).as("exit code of a running instance").isEmpty();

      removeOutOfBand(instance);

      assertThat(exitCodeWithin(instance, Duration.ofSeconds(30)))
          .as("exit code within 30 s")
          .hasValue(137);
    }
  }

  /**
   * Builds an image from {@code base} and the Dockerfile steps over the test's folder, runs it as
   * an image function given the event {@code {"name":"image"}} and returns its answer; the image is
   * removed afterwards.
   */
  private OneEventRuntimeApi.Answer answerOfImage(String base, String steps, String requestId)
      throws Exception {
    String tag = "lambdarun-tck/rapi-" + UUID.randomUUID() + ":latest";
    Files.writeString(folder.resolve("Dockerfile"), "FROM " + base + "\n" + steps);
    buildImage(folder, tag);
    try (OneEventRuntimeApi api = new OneEventRuntimeApi(requestId, "{\"name\":\"image\"}")) {
      return answerOf(
          api,
          runtime.launch(
              spec(api, tag)
                  .packageType(PackageType.IMAGE)
                  .runtime("")
                  .handler("")
                  .code(null)
                  .build()));
    } finally {
      removeImage(tag);
    }
  }

  /** Writes {@link JavaGreeter}'s class file below {@code root}, at its package's path. */
  private static void writeJavaGreeter(Path root) throws IOException {
    String entry = JavaGreeter.class.getName().replace('.', '/') + ".class";
    try (InputStream in = JavaGreeter.class.getResourceAsStream("/" + entry)) {
      if (in == null) {
        throw new IllegalStateException("'" + entry + "' is not on the class path");
      }
      Path file = root.resolve(entry);
      Files.createDirectories(file.getParent());
      Files.write(file, in.readAllBytes());
    }
  }
}
