package io.lambdarun.core;

import static io.lambdarun.core.TestFunctions.python;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.lambdarun.api.RuntimeConfig;
import io.lambdarun.core.model.CredentialsProvider;
import io.lambdarun.core.model.LambdaFunction;
import io.lambdarun.core.model.SessionCredentials;
import io.lambdarun.core.testing.FakeBackend;
import io.lambdarun.core.testing.FakeBackend.Mode;
import io.lambdarun.core.testing.FakeBackend.Reply;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

class SecretsStayOutOfLogsTest {

  private static final String SECRET = "wJalrXUtnFEMI-K7MDENG-SECRET";
  private static final String TOKEN = "FwoGZXIvYXdzE-SESSION-TOKEN";

  /** Captures every level: the test resources' simplelogger.properties sets trace. */
  @Test
  void credentialValuesNeverReachALogLineOfAnyLevelOrAnExceptionMessage() {
    assertThat(LoggerFactory.getLogger("io.lambdarun.core").isTraceEnabled())
        .as("core's loggers write trace and debug lines to the captured stderr")
        .isTrue();
    FakeBackend fake = new FakeBackend();
    CredentialsProvider provider =
        function -> new SessionCredentials("AKIDSECRETID", SECRET, TOKEN, Instant.MAX);
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    PrintStream previous = System.err;
    List<Throwable> failures = new ArrayList<>();
    System.setErr(new PrintStream(captured, true, UTF_8));
    try (LambdaRuntime runtime =
        LambdaRuntime.builder()
            .config(RuntimeConfig.empty())
            .addProvider(fake)
            .backend("fake")
            .sweepOrphansOnStart(false)
            .credentialsProvider(provider)
            .build()) {
      LambdaFunction fn = python("hello").build();
      fake.plan.add(Mode.REFUSED);
      fake.plan.add(Mode.FAIL);
      failures.add(catchThrowable(() -> runtime.invoke(fn, "{}".getBytes(UTF_8))));
      fake.plan.add(Mode.HANGUP);
      failures.add(catchThrowable(() -> runtime.invoke(fn, "{}".getBytes(UTF_8))));
      fake.handler = (id, requestId, body) -> Reply.ok("Task timed out after 3.00 seconds");
      runtime.invoke(fn, "{}".getBytes(UTF_8));
      failures.add(new IllegalStateException(fake.specs.get(0).toString()));
    } finally {
      System.setErr(previous);
    }

    String log = captured.toString(UTF_8);
    assertThat(log).contains("is unreachable").contains("timed out");
    assertThat(fake.specs.get(0).environment()).containsEntry("AWS_SECRET_ACCESS_KEY", SECRET);
    assertThat(failures).hasSize(3).doesNotContainNull();
    for (String secret : List.of(SECRET, TOKEN, "AKIDSECRETID")) {
      assertThat(log).doesNotContain(secret);
      for (Throwable failure : failures) {
        assertThat(failure.getMessage()).doesNotContain(secret);
      }
    }
  }
}
