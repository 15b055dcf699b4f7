package io.lambdarun.core.inject;

import com.google.inject.AbstractModule;
import com.google.inject.Provides;
import com.google.inject.Singleton;
import com.google.inject.multibindings.Multibinder;
import com.google.inject.multibindings.OptionalBinder;
import io.lambdarun.api.ContainerRuntimeProvider;
import io.lambdarun.api.RuntimeConfig;
import io.lambdarun.core.LambdaRuntime;
import io.lambdarun.core.model.CredentialsProvider;
import io.lambdarun.core.telemetry.LambdaRuntimeListener;
import io.lambdarun.core.telemetry.LogSink;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Binds a {@link LambdaRuntime} for Guice applications.
 *
 * <p>Settings come from the bound {@link RuntimeConfig} (default {@link
 * RuntimeConfig#fromSystem()}; override with {@code OptionalBinder.newOptionalBinder(binder(),
 * RuntimeConfig.class).setBinding()}), read through {@link io.lambdarun.core.CoreConfigKeys}.
 * Providers added with {@code Multibinder.newSetBinder(binder(), ContainerRuntimeProvider.class)}
 * are tried before discovered ones; a {@link CredentialsProvider} may be bound with {@code
 * OptionalBinder.newOptionalBinder(binder(), CredentialsProvider.class).setBinding()}; {@link
 * LambdaRuntimeListener}s and {@link LogSink}s are added with {@code Multibinder.newSetBinder}.
 *
 * <p><b>Who closes the runtime.</b> {@link LambdaRuntime} is bound as a singleton created on first
 * use, and Guice never closes it: the application that creates the injector must call {@code
 * injector.getInstance(LambdaRuntime.class).close()} when it shuts down, or the instances it
 * launched keep running until the next start sweeps them.
 */
public final class LambdaRuntimeModule extends AbstractModule {

  @Override
  protected void configure() {
    Multibinder.newSetBinder(binder(), ContainerRuntimeProvider.class);
    OptionalBinder.newOptionalBinder(binder(), RuntimeConfig.class)
        .setDefault()
        .toInstance(RuntimeConfig.fromSystem());
    OptionalBinder.newOptionalBinder(binder(), CredentialsProvider.class);
    Multibinder.newSetBinder(binder(), LambdaRuntimeListener.class);
    Multibinder.newSetBinder(binder(), LogSink.class);
  }

  @Provides
  @Singleton
  LambdaRuntime lambdaRuntime(
      RuntimeConfig config,
      Set<ContainerRuntimeProvider> providers,
      Optional<CredentialsProvider> credentials,
      Set<LambdaRuntimeListener> listeners,
      Set<LogSink> logSinks) {
    LambdaRuntime.Builder builder =
        LambdaRuntime.builder().config(config).providers(List.copyOf(providers));
    credentials.ifPresent(builder::credentialsProvider);
    listeners.forEach(builder::addListener);
    logSinks.forEach(builder::addLogSink);
    return builder.build();
  }
}
