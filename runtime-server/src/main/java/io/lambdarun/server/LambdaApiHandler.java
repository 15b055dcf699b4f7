package io.lambdarun.server;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Blocker;
import org.eclipse.jetty.util.BufferUtil;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.Fields;
import org.eclipse.jetty.util.Promise;
import org.eclipse.jetty.util.thread.Invocable.InvocationType;

/**
 * Jetty's entry into the Lambda API. It never blocks a Jetty thread: the body is read
 * asynchronously up to the operation's limit, the operation runs on the server's operation pool,
 * and the answer is written with a completion callback.
 */
final class LambdaApiHandler extends Handler.Abstract.NonBlocking {

  private final FunctionOperations functions;
  private final InvokeOperation invoke;
  private final LayerOperations layers;
  private final ExecutorService operations;
  private final Optional<SignatureVerifier> signatures;

  LambdaApiHandler(
      FunctionOperations functions,
      InvokeOperation invoke,
      LayerOperations layers,
      ExecutorService operations,
      Optional<SignatureVerifier> signatures) {
    this.functions = functions;
    this.invoke = invoke;
    this.layers = layers;
    this.operations = operations;
    this.signatures = signatures;
  }

  @Override
  public boolean handle(Request request, Response response, Callback callback) {
    String method = request.getMethod();
    String path = request.getHttpURI().getDecodedPath();
    Optional<Route> match = Route.match(method, path, functions, invoke, layers);
    if (match.isEmpty()) {
      write(
          response,
          callback,
          ErrorResponses.from(
              new ApiException(
                  404,
                  "UnknownOperationException",
                  "lambdarun serves no Lambda operation at '"
                      + method
                      + " "
                      + path
                      + "'; check the"
                      + " endpoint and the operation")));
      return true;
    }
    Route route = match.get();
    long declared = request.getLength();
    if (declared > route.maxBody()) {
      refuseTooLarge(request, response, callback, route);
      return true;
    }
    Content.Source.asByteArrayAsync(
        request,
        route.maxBody(),
        Promise.Invocable.from(
            InvocationType.NON_BLOCKING,
            body -> {
              ApiRequest apiRequest =
                  new ApiRequest(route.pathParameters(), query(request), headers(request), body);
              SignatureVerifier.SignedRequest signed = signed(request, body);
              try {
                operations.execute(() -> write(response, callback, run(route, apiRequest, signed)));
              } catch (RejectedExecutionException e) {
                callback.failed(e);
              }
            },
            failure -> {
              if (Request.getContentBytesRead(request) > route.maxBody()) {
                refuseTooLarge(request, response, callback, route);
              } else {
                write(response, callback, ErrorResponses.from(failure));
              }
            }));
    return true;
  }

  /**
   * Answers 413 after discarding the body, as AWS does: a client still sending its body would
   * otherwise see a broken connection instead of the answer.
   */
  private static void refuseTooLarge(
      Request request, Response response, Callback callback, Route route) {
    ApiResponse answer = ErrorResponses.from(route.tooLarge());
    Content.Source.consumeAll(
        request,
        Callback.from(
            () -> write(response, callback, answer), failure -> write(response, callback, answer)));
  }

  private ApiResponse run(Route route, ApiRequest request, SignatureVerifier.SignedRequest signed) {
    try {
      signatures.ifPresent(verifier -> verifier.verify(signed));
      return route.handler().apply(request);
    } catch (RuntimeException e) {
      return ErrorResponses.from(e);
    }
  }

  private static void write(Response response, Callback callback, ApiResponse answer) {
    if (answer.stream().isPresent()) {
      stream(response, callback, answer, answer.stream().get());
      return;
    }
    putStatusAndHeaders(response, answer);
    if (answer.body().length == 0) {
      callback.succeeded();
      return;
    }
    response.getHeaders().put(HttpHeader.CONTENT_TYPE, answer.contentType());
    response.getHeaders().put(HttpHeader.CONTENT_LENGTH, answer.body().length);
    response.write(true, ByteBuffer.wrap(answer.body()), callback);
  }

  /**
   * Writes a streamed body on the calling operation thread, each piece as it comes (chunked, no
   * length). Nothing is sent before the first piece, so a failure before it is answered as an
   * error; one after it can only end the response.
   */
  private static void stream(
      Response response, Callback callback, ApiResponse answer, ApiResponse.StreamedBody body) {
    AtomicBoolean committed = new AtomicBoolean();
    Map<String, String> headers = new LinkedHashMap<>(answer.headers());
    try {
      body.writeTo(
          new ApiResponse.StreamSink() {
            @Override
            public void header(String name, String value) {
              headers.put(name, value);
            }

            @Override
            public void write(byte[] piece) {
              if (committed.compareAndSet(false, true)) {
                commit(response, answer, headers);
              }
              try (Blocker.Callback written = Blocker.callback()) {
                response.write(false, ByteBuffer.wrap(piece), written);
                written.block();
              } catch (IOException e) {
                throw new UncheckedIOException(e);
              }
            }
          });
    } catch (RuntimeException e) {
      if (committed.get()) {
        callback.failed(e);
      } else {
        write(response, callback, ErrorResponses.from(e));
      }
      return;
    }
    if (!committed.get()) {
      commit(response, answer, headers);
    }
    response.write(true, BufferUtil.EMPTY_BUFFER, callback);
  }

  private static void commit(Response response, ApiResponse answer, Map<String, String> headers) {
    putStatusAndHeaders(
        response, new ApiResponse(answer.status(), headers, answer.contentType(), new byte[0]));
    response.getHeaders().put(HttpHeader.CONTENT_TYPE, answer.contentType());
  }

  private static void putStatusAndHeaders(Response response, ApiResponse answer) {
    response.setStatus(answer.status());
    if (!answer.headers().containsKey("x-amzn-RequestId")) {
      response.getHeaders().put("x-amzn-RequestId", UUID.randomUUID().toString());
    }
    answer.headers().forEach(response.getHeaders()::put);
  }

  private static SignatureVerifier.SignedRequest signed(Request request, byte[] body) {
    List<Map.Entry<String, String>> headers = new ArrayList<>();
    for (HttpField field : request.getHeaders()) {
      headers.add(Map.entry(field.getName(), field.getValue()));
    }
    String query = request.getHttpURI().getQuery();
    return new SignatureVerifier.SignedRequest(
        request.getMethod(),
        request.getHttpURI().getPath(),
        query == null ? "" : query,
        headers,
        body);
  }

  private static Map<String, String> query(Request request) {
    Map<String, String> query = new HashMap<>();
    Fields fields = Request.extractQueryParameters(request);
    for (Fields.Field field : fields) {
      query.put(field.getName(), field.getValue());
    }
    return query;
  }

  private static Map<String, String> headers(Request request) {
    Map<String, String> headers = new HashMap<>();
    for (HttpField field : request.getHeaders()) {
      headers.putIfAbsent(field.getName(), field.getValue());
    }
    return headers;
  }
}
