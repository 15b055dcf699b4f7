package io.lambdarun.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** The README's handler gives the same answer on the Docker engine, with a locally built image. */
class CliDockerIT {

  private static final Path EXAMPLES = Path.of("..", "examples").toAbsolutePath().normalize();

  @Test
  void thePythonExampleAnswersTheSameOnDocker() {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine commandLine = Main.commandLine();
    commandLine.setOut(new PrintWriter(out));
    commandLine.setErr(new PrintWriter(err));

    int exitCode =
        commandLine.execute(
            "invoke",
            "--backend",
            "docker",
            "--image-mapping",
            "python3.12=lambdarun/test-python:latest",
            "--runtime",
            "python3.12",
            "--handler",
            "app.handler",
            "--code",
            EXAMPLES.resolve("hello-python").toString(),
            "--payload",
            "{\"name\":\"world\"}",
            "--log-tail");

    assertThat(exitCode).as(err.toString()).isZero();
    assertThat(out.toString().strip()).isEqualTo("{\"message\": \"Hello, world!\"}");
    assertThat(err.toString()).contains("greeting world in request ");
  }
}
