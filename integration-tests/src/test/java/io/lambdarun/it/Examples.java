package io.lambdarun.it;

import io.lambdarun.api.Archive;
import io.lambdarun.core.model.LambdaFunction;
import java.nio.file.Path;

/** The README's example handlers, as functions the tests run on every backend. */
final class Examples {

  /**
   * The image the Docker and Kubernetes backends run Python zip functions on (no registry here).
   */
  static final String PYTHON_IMAGE = "lambdarun/test-python:latest";

  /** The image they run Java zip functions on: AWS's Java runtime interface client on a JRE. */
  static final String JAVA_IMAGE = "lambdarun/test-java:latest";

  /** Maps the runtimes the tests use to the locally built images. */
  static final String IMAGE_MAPPINGS =
      "python3.12="
          + PYTHON_IMAGE
          + ",provided.al2023="
          + PYTHON_IMAGE
          + ",java17="
          + JAVA_IMAGE
          + ",java21="
          + JAVA_IMAGE;

  private static final Path ROOT = Path.of("..", "examples").toAbsolutePath().normalize();

  private Examples() {}

  static LambdaFunction helloPython(String name) {
    return LambdaFunction.builder()
        .functionName(name)
        .runtime("python3.12")
        .handler("app.handler")
        .code(Archive.ofDirectory("hello-python", ROOT.resolve("hello-python")))
        .build();
  }

  /** The README's Java handler, from the jar the build makes of examples/hello-java. */
  static LambdaFunction helloJava(String name) {
    return LambdaFunction.builder()
        .functionName(name)
        .runtime("java21")
        .handler("example.Hello::handleRequest")
        .code(Archive.ofFile(ROOT.resolve("hello-java/target/hello-java.jar")))
        .build();
  }
}
