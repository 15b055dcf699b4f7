package io.lambdarun.core.env;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class LocalhostRewriterTest {

  private final LocalhostRewriter rewriter = new LocalhostRewriter("host.docker.internal");

  @ParameterizedTest
  @CsvSource({
    "http://localhost:4566, http://host.docker.internal:4566",
    "https://localhost:8443/path, https://host.docker.internal:8443/path",
    "http://127.0.0.1:4566/x?y=1, http://host.docker.internal:4566/x?y=1",
    "https://127.0.0.1:9000, https://host.docker.internal:9000"
  })
  void rewritesLoopbackUrlsWithPorts(String value, String expected) {
    assertThat(rewriter.rewrite(value)).isEqualTo(expected);
  }

  @Test
  void rewritesEveryUrlInOneValue() {
    assertThat(rewriter.rewrite("a=http://localhost:1,b=https://127.0.0.1:2;c=http://localhost:3"))
        .isEqualTo(
            "a=http://host.docker.internal:1,b=https://host.docker.internal:2;"
                + "c=http://host.docker.internal:3");
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "EHLO localhost",
        "127.0.0.1",
        "http://localhost/x",
        "postgres://user@localhost:5432/db",
        "redis://127.0.0.1:6379",
        "localhost:8080",
        "http://0.0.0.0:80",
        "http://[::1]:80",
        ""
      })
  void leavesEverythingElseAlone(String value) {
    assertThat(rewriter.rewrite(value)).isEqualTo(value);
  }
}
