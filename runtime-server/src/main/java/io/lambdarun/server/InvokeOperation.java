package io.lambdarun.server;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectReader;
import io.lambdarun.core.LambdaRuntime;
import io.lambdarun.core.model.InvocationResult;
import io.lambdarun.core.model.InvokeOptions;
import io.lambdarun.core.model.LambdaFunction;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Invoke: {@code RequestResponse} (200 with the function's answer), {@code Event} (202, queued) and
 * {@code DryRun} (204), with Lambda's headers; and InvokeWithResponseStream, the answer as an event
 * stream of {@code PayloadChunk}s and an {@code InvokeComplete}.
 */
final class InvokeOperation {

  /** Lambda's limit for a synchronous event, in bytes. */
  static final int MAX_SYNC_PAYLOAD = 6_291_456;

  /** Lambda's limit for an asynchronous event, in bytes. */
  static final int MAX_ASYNC_PAYLOAD = 1_048_576;

  private static final ObjectReader STRICT_JSON =
      Json.MAPPER.reader().with(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
  private static final byte[] EMPTY_EVENT = "{}".getBytes(StandardCharsets.UTF_8);

  private final FunctionRegistry registry;
  private final LambdaRuntime runtime;
  private final EventQueue events;
  private final ConcurrencyLimits limits;

  InvokeOperation(
      FunctionRegistry registry,
      LambdaRuntime runtime,
      EventQueue events,
      ConcurrencyLimits limits) {
    this.registry = registry;
    this.runtime = runtime;
    this.events = events;
    this.limits = limits;
  }

  ApiResponse invoke(ApiRequest request) {
    Call call = accept(request);
    String type = call.type();
    FunctionRef ref = call.ref();
    LambdaFunction function = call.function();
    byte[] payload = call.payload();
    switch (type) {
      case "RequestResponse":
        InvokeOptions options = options(request, call.logTail());
        return answer(
            limits.run(
                ref.name(),
                () -> runtime.reportThrottle(function),
                () -> runtime.invoke(function, payload, options)),
            function.version());
      case "Event":
        if (payload.length > MAX_ASYNC_PAYLOAD) {
          throw tooLarge(MAX_ASYNC_PAYLOAD);
        }
        String requestId = events.submit(ref, payload);
        return new ApiResponse(202, Map.of("x-amzn-RequestId", requestId), "", new byte[0]);
      case "DryRun":
        return ApiResponse.empty(204);
      default:
        throw ApiException.validation(
            "1 validation error detected: Value '"
                + type
                + "' at 'invocationType' failed to"
                + " satisfy constraint: Member must satisfy enum value set: [Event,"
                + " RequestResponse, DryRun]");
    }
  }

  /**
   * InvokeWithResponseStream: {@code RequestResponse} answers 200 with an event stream, {@code
   * DryRun} 204. Refusals (unknown function, bad payload, throttle, a failed launch) are answered
   * as Invoke answers them, before the stream starts; a failure after the first chunk ends the
   * stream with an {@code InvokeComplete} carrying {@code ServiceException}.
   */
  ApiResponse invokeWithResponseStream(ApiRequest request) {
    Call call = accept(request);
    String type = call.type();
    FunctionRef ref = call.ref();
    LambdaFunction function = call.function();
    byte[] payload = call.payload();
    switch (type) {
      case "RequestResponse":
        InvokeOptions options = options(request, call.logTail());
        ResponseStream source =
            new FunctionResponseStream(
                listener ->
                    limits.run(
                        ref.name(),
                        () -> runtime.reportThrottle(function),
                        () -> runtime.invokeStreaming(function, payload, options, listener)));
        return ApiResponse.streamed(
            200,
            Map.of("X-Amz-Executed-Version", function.version()),
            EventStreamFrames.CONTENT_TYPE,
            sink -> ResponseEvents.write(source, sink));
      case "DryRun":
        return ApiResponse.empty(204);
      default:
        throw ApiException.validation(
            "1 validation error detected: Value '"
                + type
                + "' at 'invocationType' failed to"
                + " satisfy constraint: Member must satisfy enum value set: [RequestResponse,"
                + " DryRun]");
    }
  }

  /** What both Invoke operations read from a request, checked in the order AWS answers. */
  private record Call(
      String type, boolean logTail, FunctionRef ref, LambdaFunction function, byte[] payload) {}

  private Call accept(ApiRequest request) {
    String type = request.header("X-Amz-Invocation-Type").orElse("RequestResponse");
    boolean logTail = logTail(request.header("X-Amz-Log-Type").orElse("None"));
    FunctionRef ref = request.ref();
    LambdaFunction function = registry.get(ref).function();
    checkNotEncoded(request);
    byte[] payload = request.body().length == 0 ? EMPTY_EVENT : request.body();
    checkJson(payload);
    return new Call(type, logTail, ref, function, payload);
  }

  private static InvokeOptions options(ApiRequest request, boolean logTail) {
    return InvokeOptions.builder()
        .logTail(logTail)
        .clientContext(request.header("X-Amz-Client-Context").orElse(null))
        .build();
  }

  static ApiException tooLarge(int limit) {
    return new ApiException(
        413,
        "RequestTooLargeException",
        "Request must be smaller than " + limit + " bytes for the InvokeFunction operation");
  }

  private static ApiResponse answer(InvocationResult result, String version) {
    Map<String, String> headers = new LinkedHashMap<>();
    headers.put("x-amzn-RequestId", result.requestId());
    headers.put("X-Amz-Executed-Version", version);
    result
        .functionError()
        .ifPresent(error -> headers.put("X-Amz-Function-Error", error.headerValue()));
    result.logResult().ifPresent(tail -> headers.put("X-Amz-Log-Result", tail));
    return new ApiResponse(200, headers, ApiResponse.JSON, result.payload());
  }

  private static boolean logTail(String logType) {
    return switch (logType) {
      case "Tail" -> true;
      case "None" -> false;
      default ->
          throw ApiException.validation(
              "1 validation error detected: Value '"
                  + logType
                  + "' at 'logType' failed to"
                  + " satisfy constraint: Member must satisfy enum value set: [None, Tail]");
    };
  }

  /**
   * Refuses a payload sent with a content coding (gzip, ...) with 415 {@code
   * UnsupportedMediaTypeException}, the answer HTTP gives for a coding the server does not decode:
   * such a body is not the JSON the operation reads.
   */
  private static void checkNotEncoded(ApiRequest request) {
    request
        .header("Content-Encoding")
        .filter(coding -> !coding.isBlank() && !coding.trim().equalsIgnoreCase("identity"))
        .ifPresent(
            coding -> {
              throw new ApiException(
                  415,
                  "UnsupportedMediaTypeException",
                  "The payload is sent with Content-Encoding '"
                      + coding
                      + "', which lambdarun"
                      + " does not decode; send the payload as plain JSON");
            });
  }

  private static void checkJson(byte[] payload) {
    try {
      STRICT_JSON.readTree(payload);
    } catch (IOException e) {
      throw ApiException.invalidContent(
          "Could not parse request body into json: Could not parse payload into json: "
              + Json.firstLine(e.getMessage()));
    }
  }
}
