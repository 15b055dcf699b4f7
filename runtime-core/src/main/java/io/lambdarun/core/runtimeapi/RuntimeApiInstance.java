package io.lambdarun.core.runtimeapi;

import io.lambdarun.api.ContainerRuntime;
import io.lambdarun.api.Instance;
import io.lambdarun.api.InvalidFunctionException;
import io.lambdarun.api.LambdaRunException;
import io.lambdarun.core.model.InvokeOptions;
import java.nio.charset.StandardCharsets;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.function.Consumer;

/**
 * One ready instance in Runtime API mode and its port on a {@link RuntimeApiHost}: hands it events
 * and waits for their outcomes. Closing it closes the port only; the caller terminates the
 * backend's instance.
 */
public final class RuntimeApiInstance implements AutoCloseable {

  private final RuntimeApiHost host;
  private final ContainerRuntime runtime;
  private final Instance instance;
  private final InstanceChannel channel;
  private final String address;

  RuntimeApiInstance(
      RuntimeApiHost host,
      ContainerRuntime runtime,
      Instance instance,
      InstanceChannel channel,
      String address) {
    this.host = host;
    this.runtime = runtime;
    this.instance = instance;
    this.channel = channel;
    this.address = address;
  }

  /**
   * Returns the backend's instance.
   *
   * @return the instance
   */
  public Instance instance() {
    return instance;
  }

  /**
   * Returns the {@code host:port} the instance's runtime client calls.
   *
   * @return the value of its {@code AWS_LAMBDA_RUNTIME_API}
   */
  public String address() {
    return address;
  }

  /**
   * Hands one event to the instance and waits for its outcome; the function's timeout, which the
   * host enforces, bounds the wait. An instance whose runtime died while idle is reported {@link
   * RuntimeApiAnswer.Outcome#NOT_DELIVERED} at once (another instance can take the event): the
   * runtime client's waiting connection is read first, and the backend's {@link
   * ContainerRuntime#exitCode} is asked only when that connection is closed or there is none.
   *
   * @param requestId the request id the handler sees, a safe header value
   * @param payload the event
   * @param options the trace id, client context and Cognito identity to pass on
   * @return the outcome
   * @throws InvalidFunctionException if the request id or an option is not a plain ASCII header
   *     value
   * @throws LambdaRunException if the calling thread is interrupted
   */
  public RuntimeApiAnswer invoke(String requestId, byte[] payload, InvokeOptions options) {
    return send(requestId, payload, options, null);
  }

  /**
   * Hands one event to the instance as {@link #invoke} does, and passes a streamed response ({@code
   * Lambda-Runtime-Function-Response-Mode: streaming}) to {@code chunks} on this thread as it
   * arrives, up to Lambda's streamed limit of 20 MiB; the answer of a streamed success has an empty
   * body, one of a buffered success the whole response. When {@code chunks} throws, the rest of the
   * response is dropped, the outcome awaited, and the exception rethrown.
   *
   * @param requestId the request id the handler sees, a safe header value
   * @param payload the event
   * @param options the trace id, client context and Cognito identity to pass on
   * @param chunks takes the streamed response's bytes in order
   * @return the outcome; an error posted in the stream's trailers is {@code UNHANDLED}
   * @throws InvalidFunctionException if the request id or an option is not a plain ASCII header
   *     value
   * @throws LambdaRunException if the calling thread is interrupted
   */
  public RuntimeApiAnswer invokeStreaming(
      String requestId, byte[] payload, InvokeOptions options, Consumer<byte[]> chunks) {
    return send(requestId, payload, options, Objects.requireNonNull(chunks, "chunks"));
  }

  private RuntimeApiAnswer send(
      String requestId, byte[] payload, InvokeOptions options, Consumer<byte[]> chunks) {
    requireHeaderValue("request id", Optional.of(requestId));
    requireHeaderValue("X-Amz-Client-Context", options.clientContext());
    requireHeaderValue("X-Amzn-Trace-Id", options.traceId());
    requireHeaderValue("X-Amz-Cognito-Identity", options.cognitoIdentity());
    CompletableFuture<RuntimeApiAnswer> answer = new CompletableFuture<>();
    ResponseStreamBuffer stream = chunks == null ? null : new ResponseStreamBuffer();
    if (stream != null) {
      answer.whenComplete((done, failure) -> stream.end());
    }
    CallerPoller reader = host.borrowPoller();
    try {
      if (reader == null || !channel.clientConnected(reader)) {
        OptionalInt exited = exitCode();
        if (exited.isPresent()) {
          channel.onExit(exited.getAsInt());
        }
      }
      if (stream == null && reader != null) {
        readAnswer(requestId, payload, options, answer, reader);
      } else {
        channel.invoke(requestId, payload, options, stream, answer, null);
      }
      RuntimeException failed = stream == null ? null : drain(stream, chunks);
      RuntimeApiAnswer outcome = answer.get();
      if (failed != null) {
        throw failed;
      }
      return outcome;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      host.execute(channel::close);
      throw new LambdaRunException(
          "invocation '" + requestId + "' was interrupted; the instance was stopped, retry it", e);
    } catch (ExecutionException e) {
      throw new IllegalStateException(e.getCause().getMessage(), e.getCause());
    } finally {
      host.returnPoller(reader);
    }
  }

  /**
   * Hands the event over and, when it goes out on a connection this thread can take, reads the
   * answer on this thread (see {@link CallerPoller}); otherwise the loop reads it.
   */
  private void readAnswer(
      String requestId,
      byte[] payload,
      InvokeOptions options,
      CompletableFuture<RuntimeApiAnswer> answer,
      CallerPoller reader)
      throws InterruptedException {
    if (channel.invoke(requestId, payload, options, null, answer, reader)) {
      try {
        reader.readUntil(answer);
      } finally {
        channel.readerDone(reader);
      }
    }
  }

  /** Passes chunks on until the stream ends; returns what {@code chunks} threw, if it did. */
  private static RuntimeException drain(ResponseStreamBuffer stream, Consumer<byte[]> chunks)
      throws InterruptedException {
    RuntimeException failed = null;
    for (byte[] chunk = stream.take(); chunk != null; chunk = stream.take()) {
      try {
        chunks.accept(chunk);
      } catch (RuntimeException e) {
        failed = e;
        stream.abandon();
      }
    }
    return failed;
  }

  private OptionalInt exitCode() {
    try {
      return runtime.exitCode(instance);
    } catch (RuntimeException e) {
      return OptionalInt.empty();
    }
  }

  /** Closes the instance's port and stops watching it. Idempotent. */
  @Override
  public void close() {
    host.forget(channel);
  }

  private static void requireHeaderValue(String name, Optional<String> value) {
    if (value.isEmpty()) {
      return;
    }
    byte[] bytes = value.get().getBytes(StandardCharsets.UTF_8);
    for (int i = 0; i < bytes.length; i++) {
      if (bytes[i] < 0x20 || bytes[i] > 0x7e) {
        throw new InvalidFunctionException(
            "InvalidRequestContentException",
            "'"
                + name
                + "' holds a control or non-ASCII character at index '"
                + i
                + "'; pass"
                + " printable ASCII (base64 for a client context)");
      }
    }
  }
}
