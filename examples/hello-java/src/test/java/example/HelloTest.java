package example;

import static org.assertj.core.api.Assertions.assertThat;

import io.lambdarun.core.model.InvocationResult;
import io.lambdarun.core.model.LambdaFunction;
import io.lambdarun.junit5.Function;
import io.lambdarun.junit5.Invoke;
import io.lambdarun.junit5.LambdaInvoker;
import io.lambdarun.junit5.LambdaTest;
import org.junit.jupiter.api.Test;

/** The handler run under Lambda's semantics from JUnit: java21 on the local backend. */
@LambdaTest
class HelloTest {

  @Function(runtime = "java21", handler = "example.Hello::handleRequest")
  static LambdaFunction hello;

  @Test
  void greetsByName(LambdaInvoker lambda) {
    InvocationResult result = lambda.invoke(hello, "{\"name\":\"world\"}");

    assertThat(result.payloadUtf8()).isEqualTo("{\"message\":\"Hello, world!\"}");
  }

  @Test
  void greetsTheWorldWhenTheEventHasNoName(@Invoke(payload = "{}") InvocationResult result) {
    assertThat(result.payloadUtf8()).isEqualTo("{\"message\":\"Hello, World!\"}");
  }
}
