package io.lambdarun.core.internal.telemetry;

import io.lambdarun.core.telemetry.LambdaRuntimeListener;
import java.util.List;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Calls every registered listener, logging and swallowing what one throws. */
final class Listeners {

  private static final Logger LOG = LoggerFactory.getLogger(Listeners.class);

  private final List<LambdaRuntimeListener> listeners;

  Listeners(List<LambdaRuntimeListener> listeners) {
    this.listeners = List.copyOf(listeners);
  }

  boolean isEmpty() {
    return listeners.isEmpty();
  }

  void each(String what, Consumer<LambdaRuntimeListener> call) {
    for (LambdaRuntimeListener listener : listeners) {
      try {
        call.accept(listener);
      } catch (RuntimeException e) {
        LOG.warn("listener '{}' failed on {}; ignored", listener.getClass().getName(), what, e);
      }
    }
  }
}
