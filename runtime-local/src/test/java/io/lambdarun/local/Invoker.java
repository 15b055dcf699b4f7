package io.lambdarun.local;

import io.lambdarun.api.ContainerRuntime;
import io.lambdarun.api.Instance;
import io.lambdarun.api.LaunchSpec;
import io.lambdarun.core.model.FunctionError;
import io.lambdarun.core.model.InvokeOptions;
import io.lambdarun.core.runtimeapi.RuntimeApiAnswer;
import io.lambdarun.core.runtimeapi.RuntimeApiHost;
import io.lambdarun.core.runtimeapi.RuntimeApiInstance;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * Launches instances and hands them events the way core does, through core's Runtime API host, and
 * reports each outcome as the RIE endpoint used to: status, body, function-error header. Like
 * core's pool, it replaces an instance that timed out, died or failed to initialize: the next event
 * on the same {@link Instance} goes to a fresh process.
 */
final class Invoker implements AutoCloseable {

  /** Lambda's init limit, which the local backend used to apply itself. */
  static final Duration INIT_TIMEOUT = Duration.ofSeconds(10);

  private final RuntimeApiHost host = RuntimeApiHost.start("test-runtime-api");
  private final Map<String, Slot> launched = new ConcurrentHashMap<>();

  /** What the test calls one instance: the spec and the backend instance serving it now. */
  private static final class Slot {
    final ContainerRuntime runtime;
    final LaunchSpec spec;
    volatile RuntimeApiInstance current;

    Slot(ContainerRuntime runtime, LaunchSpec spec, RuntimeApiInstance current) {
      this.runtime = runtime;
      this.spec = spec;
      this.current = current;
    }
  }

  /** A reply: status, body, and the function-error header if any. */
  record Reply(int status, String body, Optional<String> functionError) {}

  Instance launch(ContainerRuntime runtime, LaunchSpec spec) {
    RuntimeApiInstance instance = host.launch(runtime, spec, INIT_TIMEOUT);
    launched.put(instance.instance().id(), new Slot(runtime, spec, instance));
    return instance.instance();
  }

  /** Returns the {@code host:port} the instance's runtime client calls. */
  String address(Instance instance) {
    return launched.get(instance.id()).current.address();
  }

  Reply invoke(Instance instance, String event) {
    return invoke(instance, event, Map.of());
  }

  /**
   * Hands an event over; {@code headers} may carry {@code X-Amzn-RequestId}, {@code
   * X-Amz-Client-Context}, {@code X-Amzn-Trace-Id} and {@code X-Amz-Cognito-Identity} as core's
   * callers pass them.
   */
  Reply invoke(Instance instance, String event, Map<String, String> headers) {
    Slot slot = launched.get(instance.id());
    if (slot == null) {
      throw new UncheckedIOException(
          new IOException("instance '" + instance.id() + "' was not launched by this invoker"));
    }
    InvokeOptions options =
        InvokeOptions.builder()
            .clientContext(headers.get("X-Amz-Client-Context"))
            .traceId(headers.get("X-Amzn-Trace-Id"))
            .cognitoIdentity(headers.get("X-Amz-Cognito-Identity"))
            .build();
    String requestId = headers.getOrDefault("X-Amzn-RequestId", UUID.randomUUID().toString());
    RuntimeApiAnswer answer = answer(slot, requestId, event, options);
    return switch (answer.outcome()) {
      case NOT_DELIVERED, LOST ->
          throw new UncheckedIOException(new IOException("no event taken: " + answer.bodyText()));
      case TIMEOUT -> new Reply(200, answer.bodyText(), Optional.empty());
      default ->
          new Reply(200, answer.bodyText(), answer.functionError().map(FunctionError::headerValue));
    };
  }

  /**
   * Hands an event over as a streaming invoke does: {@code chunks} gets the response's bytes on
   * this thread as the function writes them.
   */
  RuntimeApiAnswer stream(Instance instance, String event, Consumer<byte[]> chunks) {
    Slot slot = launched.get(instance.id());
    return slot.current.invokeStreaming(
        UUID.randomUUID().toString(),
        event.getBytes(StandardCharsets.UTF_8),
        InvokeOptions.DEFAULT,
        chunks);
  }

  private RuntimeApiAnswer answer(
      Slot slot, String requestId, String event, InvokeOptions options) {
    if (slot.current == null) {
      slot.current = host.launch(slot.runtime, slot.spec, INIT_TIMEOUT);
    }
    RuntimeApiInstance target = slot.current;
    RuntimeApiAnswer answer =
        target.invoke(requestId, event.getBytes(StandardCharsets.UTF_8), options);
    if (!answer.instanceReusable()) {
      target.close();
      slot.runtime.terminate(target.instance());
      slot.current = null;
    }
    return answer;
  }

  @Override
  public void close() {
    host.close();
  }
}
