package io.lambdarun.core.pool;

import static io.lambdarun.core.TestFunctions.python;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.when;

import io.lambdarun.api.ArchiveLimits;
import io.lambdarun.api.ContainerRuntime;
import io.lambdarun.api.HostAccess;
import io.lambdarun.api.Instance;
import io.lambdarun.api.Owner;
import io.lambdarun.core.env.FunctionEnvironment;
import io.lambdarun.core.image.ImageResolver;
import io.lambdarun.core.internal.telemetry.Telemetry;
import io.lambdarun.core.model.InvocationResult;
import io.lambdarun.core.model.InvokeOptions;
import io.lambdarun.core.model.LambdaFunction;
import io.lambdarun.core.pool.ScriptedServer.After;
import io.lambdarun.core.pool.ScriptedServer.Answer;
import io.lambdarun.core.testing.MutableClock;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The invoker over real sockets: one connection per instance, reused, and closed on retirement. */
class FunctionInvokerConnectionTest {

  private final MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));
  private final ContainerRuntime runtime = mock(ContainerRuntime.class);
  private final List<ScriptedServer> servers = new ArrayList<>();
  private final AtomicInteger launches = new AtomicInteger();
  private final LambdaFunction fn = python("hello").build();
  private WarmPool pool;
  private FunctionInvoker invoker;

  FunctionInvokerConnectionTest() {
    when(runtime.hostAccess()).thenReturn(HostAccess.loopback());
    when(runtime.launch(any()))
        .thenAnswer(
            call ->
                Instance.of(
                    "i-" + launches.incrementAndGet(), servers.get(launches.get() - 1).endpoint()));
    LaunchSpecFactory specs =
        new LaunchSpecFactory(
            runtime,
            Owner.forCurrentProcess(),
            new FunctionEnvironment(Optional.empty(), HostAccess.loopback()),
            ImageResolver.defaults(),
            ArchiveLimits.AWS,
            clock);
    InstanceLauncher launcher =
        new InstanceLauncher(
            runtime,
            specs,
            Optional.empty(),
            Optional.empty(),
            Duration.ofSeconds(10),
            new Telemetry(List.of(), List.of(), clock));
    pool = new WarmPool(4, Duration.ofMinutes(5), clock, launcher);
    invoker =
        new FunctionInvoker(
            runtime,
            pool,
            specs,
            new HttpInvoker(),
            Duration.ofSeconds(5),
            clock,
            new Telemetry(List.of(), List.of(), clock));
  }

  @AfterEach
  void stop() throws IOException {
    pool.close();
    for (ScriptedServer server : servers) {
      server.close();
    }
  }

  private ScriptedServer server() throws IOException {
    ScriptedServer server = new ScriptedServer();
    servers.add(server);
    return server;
  }

  private InvocationResult invoke(LambdaFunction function, String event) {
    return invoker.invoke(function, event.getBytes(UTF_8), InvokeOptions.DEFAULT);
  }

  @Test
  void warmEventsShareTheInstancesOneConnection() throws IOException {
    ScriptedServer server = server();

    for (int i = 0; i < 4; i++) {
      assertThat(invoke(fn, "{\"i\":" + i + "}").payloadUtf8()).isEqualTo("{\"i\":" + i + "}");
    }

    assertThat(launches).hasValue(1);
    assertThat(server.accepted).hasValue(1);
    assertThat(server.open).hasValue(1);
  }

  @Test
  void anIdleConnectionClosedByThePeerIsReopenedForTheSameInstance() throws Exception {
    ScriptedServer server = server();
    server.script = request -> new Answer(Answer.ok("first").bytes(), After.CLOSE);
    invoke(fn, "{}");
    server.closedConnections.acquire();
    server.script = request -> Answer.ok("second");

    InvocationResult result = invoke(fn, "{}");

    assertThat(result.payloadUtf8()).isEqualTo("second");
    assertThat(result.coldStart()).isFalse();
    assertThat(launches).hasValue(1);
    assertThat(server.accepted).hasValue(2);
  }

  @Test
  void anInstanceGoneBetweenEventsIsReplacedAndTheEventRetried() throws Exception {
    ScriptedServer dying = server();
    ScriptedServer fresh = server();
    invoke(fn, "{}");
    dying.close();
    dying.dropConnections();
    dying.closedConnections.acquire();

    InvocationResult result = invoke(fn, "{\"n\":2}");

    assertThat(result.payloadUtf8()).isEqualTo("{\"n\":2}");
    assertThat(result.coldStart()).isTrue();
    assertThat(launches).hasValue(2);
    assertThat(dying.requests).hasSize(1);
    assertThat(fresh.requests).hasSize(1);
  }

  @Test
  void retiringInstancesClosesTheirConnections() throws Exception {
    ScriptedServer first = server();
    ScriptedServer second = server();
    ScriptedServer third = server();
    invoke(fn, "{}");
    invoke(python("other").build(), "{}");
    invoke(python("third").build(), "{}");
    assertThat(first.open.get() + second.open.get() + third.open.get()).isEqualTo(3);

    pool.evict("hello");
    first.closedConnections.acquire();
    assertThat(first.open).hasValue(0);

    pool.close();
    second.closedConnections.acquire();
    third.closedConnections.acquire();
    assertThat(second.open).hasValue(0);
    assertThat(third.open).hasValue(0);
  }
}
