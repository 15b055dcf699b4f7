package io.lambdarun.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.ServerSocket;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** {@code lambdarun serve} refuses what it cannot serve with one line and exit code 2. */
class ServeCommandTest {

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
  void aPortInUseIsOneLineAndExitCodeTwo() throws Exception {
    try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
      int port = taken.getLocalPort();
      Run run = run("serve", "--backend", "local", "--port", Integer.toString(port));
      assertThat(run.exitCode()).isEqualTo(2);
      assertThat(run.out()).isEmpty();
      assertThat(run.err())
          .startsWith("lambdarun: the Lambda API could not listen on '127.0.0.1:" + port + "' (")
          .endsWith("); choose a free port with --port or another --host" + System.lineSeparator());
    }
  }

  @Test
  void credentialsWithoutAColonAreRefusedWithoutQuotingThem() {
    Run run = run("serve", "--backend", "local", "--port", "0", "--credentials", "s3cret-value");
    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.err().strip())
        .isEqualTo(
            "lambdarun: server credentials have no ':' between access key id and secret;"
                + " pass them as ACCESS_KEY:SECRET");
  }
}
