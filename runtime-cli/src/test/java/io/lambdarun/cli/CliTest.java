package io.lambdarun.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** Runs the command in-process on the local backend, as a user would from a shell. */
class CliTest {

  private static final Path EXAMPLES = Path.of("..", "examples").toAbsolutePath().normalize();

  @TempDir Path temp;

  private record Run(int exitCode, String out, String err) {}

  private static Run run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine commandLine = Main.commandLine();
    commandLine.setOut(new PrintWriter(out));
    commandLine.setErr(new PrintWriter(err));
    int exitCode = commandLine.execute(args);
    return new Run(exitCode, out.toString(), err.toString());
  }

  @Test
  void invokesThePythonExampleAndPrintsItsAnswer() {
    Run run =
        run(
            "invoke",
            "--backend",
            "local",
            "--runtime",
            "python3.12",
            "--handler",
            "app.handler",
            "--code",
            EXAMPLES.resolve("hello-python").toString(),
            "--payload",
            "{\"name\":\"world\"}");
    assertThat(run.exitCode()).as(run.err()).isZero();
    assertThat(run.out().strip()).isEqualTo("{\"message\": \"Hello, world!\"}");
  }

  @Test
  void invokesTheNodeExampleFromAPayloadFile() throws IOException {
    Path payload = Files.writeString(temp.resolve("event.json"), "{\"name\":\"node\"}");
    Run run =
        run(
            "invoke",
            "--backend",
            "local",
            "--runtime",
            "nodejs20.x",
            "--handler",
            "index.handler",
            "--code",
            EXAMPLES.resolve("hello-node").toString(),
            "--payload-file",
            payload.toString());
    assertThat(run.exitCode()).as(run.err()).isZero();
    assertThat(run.out().strip()).isEqualTo("{\"message\":\"Hello, node!\"}");
  }

  @Test
  void invokesAJavaHandlerGivenAsAJar() throws IOException {
    Path jar = temp.resolve("handler.jar");
    String entry = JarHandler.class.getName().replace('.', '/') + ".class";
    try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar));
        InputStream in = JarHandler.class.getResourceAsStream("/" + entry)) {
      out.putNextEntry(new JarEntry(entry));
      in.transferTo(out);
      out.closeEntry();
    }
    Run run =
        run(
            "invoke",
            "--backend",
            "local",
            "--runtime",
            "java21",
            "--handler",
            JarHandler.class.getName() + "::shout",
            "--code",
            jar.toString(),
            "--payload",
            "\"hey\"");
    assertThat(run.exitCode()).as(run.err()).isZero();
    assertThat(run.out().strip()).isEqualTo("\"HEY!\"");
  }

  @Test
  void aFunctionErrorPrintsTheErrorJsonAndExitsOne() throws IOException {
    Path code = Files.createDirectories(temp.resolve("failing"));
    Files.writeString(
        code.resolve("app.py"),
        "def handler(event, context):\n    print('about to fail')\n    raise KeyError('missing')\n");
    Run run =
        run(
            "invoke",
            "--backend",
            "local",
            "--runtime",
            "python3.12",
            "--handler",
            "app.handler",
            "--code",
            code.toString(),
            "--log-tail");
    assertThat(run.exitCode()).isEqualTo(1);
    assertThat(run.out()).contains("\"errorType\": \"KeyError\"").contains("missing");
    assertThat(run.err())
        .contains("lambdarun: function error (Unhandled): KeyError")
        .containsPattern(
            "(?s)START RequestId: (\\S+) Version: \\$LATEST\n.*about to fail\n.*END RequestId: \\1"
                + "\nREPORT RequestId: \\1\tDuration: [0-9.]+ ms\tBilled Duration: [0-9]+ ms"
                + "\tMemory Size: 128 MB\t");
  }

  @Test
  void anUnknownBackendIsOneLineAndExitsTwo() {
    Run run =
        run(
            "invoke",
            "--backend",
            "no-such-backend",
            "--runtime",
            "python3.12",
            "--handler",
            "app.handler",
            "--code",
            EXAMPLES.resolve("hello-python").toString());
    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.out()).isEmpty();
    assertThat(run.err().strip())
        .startsWith("lambdarun: backend 'no-such-backend' was requested")
        .doesNotContain("\n");
  }

  @Test
  void missingCodeIsOneLineAndExitsTwo() {
    Run run =
        run(
            "invoke",
            "--backend",
            "local",
            "--runtime",
            "python3.12",
            "--handler",
            "app.handler",
            "--code",
            temp.resolve("absent").toString());
    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.err().strip())
        .isEqualTo(
            "lambdarun: --code '"
                + temp.resolve("absent")
                + "' is neither a folder nor a zip"
                + " or jar file; pass an existing folder, zip or jar");
  }

  @Test
  void envVariablesReachTheHandler() throws IOException {
    Path code = Files.createDirectories(temp.resolve("env"));
    Files.writeString(
        code.resolve("app.py"),
        "import os\ndef handler(event, context):\n    return os.environ['GREETING']\n");
    Run run =
        run(
            "invoke",
            "--backend",
            "local",
            "--runtime",
            "python3.12",
            "--handler",
            "app.handler",
            "--code",
            code.toString(),
            "--env",
            "GREETING=hi there");
    assertThat(run.exitCode()).as(run.err()).isZero();
    assertThat(run.out().strip()).isEqualTo("\"hi there\"");
  }

  @Test
  void withoutAContainerEngineTheLocalBackendIsChosenByItself() {
    String key = "lambdarun.docker.host";
    String previous = System.getProperty(key);
    System.setProperty(key, "unix://" + temp.resolve("no-engine.sock"));
    try {
      Run backends = run("backends");
      assertThat(backends.out()).contains("docker (priority -10): unavailable: ");
      Run run =
          run(
              "invoke",
              "--runtime",
              "python3.12",
              "--handler",
              "app.handler",
              "--code",
              EXAMPLES.resolve("hello-python").toString(),
              "--payload",
              "{\"name\":\"auto\"}");
      assertThat(run.exitCode()).as(run.err()).isZero();
      assertThat(run.out().strip()).isEqualTo("{\"message\": \"Hello, auto!\"}");
    } finally {
      if (previous == null) {
        System.clearProperty(key);
      } else {
        System.setProperty(key, previous);
      }
    }
  }

  @Test
  void backendsListsEveryProviderWithItsReason() {
    Run run = run("backends");
    assertThat(run.exitCode()).isZero();
    assertThat(run.out())
        .contains("local (priority -20): available: ")
        .contains("docker (priority -10): ")
        .contains("kubernetes (explicit only): ");
  }
}
