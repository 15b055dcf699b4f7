package io.lambdarun.core.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import java.util.Map;
import org.junit.jupiter.api.Test;

class ReservedKeysTest {

  @Test
  void eighteenKeysAreReservedButNotTheEndpointOrTimeout() {
    assertThat(ReservedKeys.KEYS).hasSize(18).first().isEqualTo("AWS_ACCESS_KEY");
    assertThat(ReservedKeys.isReserved("AWS_ENDPOINT_URL")).isFalse();
    assertThat(ReservedKeys.isReserved("AWS_LAMBDA_FUNCTION_TIMEOUT")).isFalse();
    assertThat(ReservedKeys.isReserved("LAMBDA_RUNTIME_DIR")).isTrue();
  }

  @Test
  void environmentWithoutReservedKeysPasses() {
    assertThatCode(() -> ReservedKeys.check(Map.of("MY_KEY", "v"))).doesNotThrowAnyException();
  }
}
