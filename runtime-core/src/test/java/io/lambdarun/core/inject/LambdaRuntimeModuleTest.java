package io.lambdarun.core.inject;

import static io.lambdarun.core.TestFunctions.python;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.when;

import com.google.inject.AbstractModule;
import com.google.inject.Guice;
import com.google.inject.Injector;
import com.google.inject.multibindings.Multibinder;
import com.google.inject.multibindings.OptionalBinder;
import io.lambdarun.api.ContainerRuntimeProvider;
import io.lambdarun.api.RuntimeConfig;
import io.lambdarun.core.LambdaRuntime;
import io.lambdarun.core.model.CredentialsProvider;
import io.lambdarun.core.model.SessionCredentials;
import io.lambdarun.core.telemetry.InvocationReport;
import io.lambdarun.core.telemetry.LambdaRuntimeListener;
import io.lambdarun.core.telemetry.LogRecord;
import io.lambdarun.core.telemetry.LogSink;
import io.lambdarun.core.testing.FakeBackend;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

class LambdaRuntimeModuleTest {

  private final FakeBackend fake = new FakeBackend();
  private final CredentialsProvider credentials = mock(CredentialsProvider.class);
  private final List<InvocationReport> reports = new CopyOnWriteArrayList<>();
  private final List<LogRecord> records = new CopyOnWriteArrayList<>();
  private final LambdaRuntimeListener listener =
      new LambdaRuntimeListener() {
        @Override
        public void invocationFinished(InvocationReport report) {
          reports.add(report);
        }
      };

  private Injector injector() {
    return Guice.createInjector(
        new LambdaRuntimeModule(),
        new AbstractModule() {
          @Override
          protected void configure() {
            Multibinder.newSetBinder(binder(), ContainerRuntimeProvider.class)
                .addBinding()
                .toInstance(fake);
            OptionalBinder.newOptionalBinder(binder(), RuntimeConfig.class)
                .setBinding()
                .toInstance(
                    RuntimeConfig.of(
                        Map.of("lambdarun.backend", "fake", "lambdarun.sweep-orphans", "false")));
            OptionalBinder.newOptionalBinder(binder(), CredentialsProvider.class)
                .setBinding()
                .toInstance(credentials);
            Multibinder.newSetBinder(binder(), LambdaRuntimeListener.class)
                .addBinding()
                .toInstance(listener);
            Multibinder.newSetBinder(binder(), LogSink.class).addBinding().toInstance(records::add);
          }
        });
  }

  @Test
  void bindsOneRuntimeFromTheBoundSettings() {
    SessionCredentials issued = new SessionCredentials("AKID", "s", "t", Instant.MAX);
    when(credentials.issue(any())).thenReturn(issued);
    Injector injector = injector();
    LambdaRuntime runtime = injector.getInstance(LambdaRuntime.class);
    try {
      assertThat(injector.getInstance(LambdaRuntime.class)).isSameAs(runtime);
      assertThat(runtime.backendName()).isEqualTo("fake");
      assertThat(runtime.invoke(python("hello").build(), "{}".getBytes(UTF_8)).payloadUtf8())
          .isEqualTo("{}");
      verify(credentials).issue(any());
      assertThat(reports)
          .singleElement()
          .satisfies(r -> assertThat(r.functionName()).isEqualTo("hello"));
      assertThat(records).anySatisfy(r -> assertThat(r.message()).startsWith("REPORT RequestId: "));
    } finally {
      runtime.close();
    }
    assertThat(fake.runtimesClosed).hasValue(1);
  }
}
