package io.lambdarun.k8s;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class PodLogsTest {

  @Test
  void maskHidesSecretsAndTheirBase64Forms() {
    String text = "token=s3cr3t-value b64=czNjcjN0LXZhbHVl short=abc";
    assertThat(PodLogs.mask(text, List.of("s3cr3t-value", "abc")))
        .isEqualTo("token=*** b64=*** short=abc");
  }
}
