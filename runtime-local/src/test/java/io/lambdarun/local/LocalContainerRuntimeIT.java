package io.lambdarun.local;

import static org.assertj.core.api.Assertions.assertThat;

import io.lambdarun.api.ContainerRuntime;
import io.lambdarun.api.Instance;
import io.lambdarun.api.Owner;
import io.lambdarun.api.RuntimeConfig;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class LocalContainerRuntimeIT {

  private final Invoker invoker = new Invoker();
  private Owner owner;
  private ContainerRuntime runtime;

  @BeforeEach
  void create() {
    owner = Owner.forCurrentProcess();
    runtime = new LocalRuntimeProvider().create(RuntimeConfig.empty(), owner);
  }

  @AfterEach
  void close() {
    runtime.close();
  }

  @Test
  @DisplayName("a Python handler answers through the instance's RIE endpoint")
  void pythonHandlerAnswers() {
    Instance instance =
        runtime.launch(
            TestFunctions.spec(
                    owner,
                    "python3.12",
                    "app.handler",
                    TestFunctions.zip(
                        "app.py",
                        "def handler(event, context):\n    return {'message': 'Hello, ' + event['name'] + '!'}\n"))
                .build());
    Invoker.Reply reply = invoker.invoke(instance, "{\"name\":\"Ada\"}");
    assertThat(reply.status()).isEqualTo(200);
    assertThat(reply.body()).isEqualTo("{\"message\": \"Hello, Ada!\"}");
    assertThat(reply.functionError()).isEmpty();
  }
}
