package io.lambdarun.core.runtimeapi;

import io.lambdarun.core.model.InvokeOptions;
import java.io.ByteArrayOutputStream;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The Lambda Runtime API of one instance, on its own port: hands the instance's runtime client one
 * event at a time on {@code /next} and turns {@code /response}, {@code /error} and {@code
 * /init/error}, the timeout and the process's exit into a {@link RuntimeApiAnswer}.
 *
 * <p>The guard: the channel is pinned to the peer address of the first {@code /next} or {@code
 * /init/error}; requests from any other address are answered 403 and change nothing.
 *
 * <p>All state, and the port's connections, are guarded by the channel's monitor, which the
 * server's loop thread holds while it handles the port: the invoking thread hands its event over
 * itself, writing it at once to a {@code /next} that waits for one, and the timeout runs on the
 * timer's thread. A parked {@code /next} is not read by the loop; the invoking thread takes its
 * connection, writes the event and reads the answer on it with a {@link CallerPoller}, and leaves
 * it unread ({@code idle}) until the next event, whose thread reads the client's next {@code /next}
 * from it. Every other connection, and a streamed invoke, is read by the loop.
 *
 * <p>One file on purpose: it is one state machine (waiting, event handed out, answered, timed out,
 * exited) whose transitions all touch the same guarded state.
 */
final class InstanceChannel implements SelectorHttpServer.Handler {

  /** Reported when the instance's process exits before asking for an event. */
  static final class EarlyExit extends Exception {
    private static final long serialVersionUID = 1L;
    private final int status;

    EarlyExit(int status) {
      super("exit status " + status, null, false, false);
      this.status = status;
    }

    int status() {
      return status;
    }
  }

  private static final String RUNTIME_PREFIX = "/2018-06-01/runtime";
  private static final String INVOCATION_PREFIX = RUNTIME_PREFIX + "/invocation/";
  private static final Map<String, String> JSON = Map.of("Content-Type", "application/json");
  private static final byte[] ACCEPTED = "{\"status\":\"OK\"}".getBytes(StandardCharsets.US_ASCII);
  private static final SecureRandom RANDOM = new SecureRandom();

  /** The largest response Lambda's Runtime API accepts from a runtime: 6 MiB plus 100 bytes. */
  static final int MAX_RESPONSE_BYTES = 6 * 1024 * 1024 + 100;

  /** The largest streamed response delivered to a streaming invoke: Lambda's 20 MiB soft limit. */
  static final long MAX_STREAMED_RESPONSE_BYTES = 20L * 1024 * 1024;

  private static final String RESPONSE_MODE = "lambda-runtime-function-response-mode";
  private static final String ERROR_TYPE = "lambda-runtime-function-error-type";
  private static final String ERROR_BODY = "lambda-runtime-function-error-body";

  private final SelectorHttpServer server;
  private final ScheduledExecutorService timeouts;
  private final String invokedFunctionArn;
  private final Duration timeout;
  private final CompletableFuture<Void> ready = new CompletableFuture<>();
  private volatile SelectorHttpServer.Listener listener;

  /** Whether the exit watch should poll: the instance is starting or serving an event. */
  private volatile boolean watched = true;

  private InetAddress pinnedPeer;
  private boolean closed;
  private boolean exited;
  private HttpConnection parkedNext;

  /** The connection a caller read its answer on, unread since: the client's next request waits. */
  private HttpConnection idle;

  private Event event;
  private byte[] initError;

  /** One event in flight, from its arrival until it is answered. */
  private static final class Event {
    final String requestId;
    final byte[] body;
    final InvokeOptions options;
    final long deadlineEpochMillis;
    final ResponseStreamBuffer stream;
    final CompletableFuture<RuntimeApiAnswer> answer;
    Future<?> timer;
    boolean delivered;

    Event(
        String requestId,
        byte[] body,
        InvokeOptions options,
        ResponseStreamBuffer stream,
        Duration timeout,
        CompletableFuture<RuntimeApiAnswer> answer) {
      this.requestId = requestId;
      this.body = body;
      this.options = options;
      this.stream = stream;
      this.deadlineEpochMillis = System.currentTimeMillis() + timeout.toMillis();
      this.answer = answer;
    }
  }

  InstanceChannel(
      SelectorHttpServer server,
      ScheduledExecutorService timeouts,
      String invokedFunctionArn,
      Duration timeout) {
    this.server = server;
    this.timeouts = timeouts;
    this.invokedFunctionArn = invokedFunctionArn;
    this.timeout = timeout;
  }

  /** Wires the channel to its port; called once, before the instance starts. */
  void bind(SelectorHttpServer.Listener boundListener) {
    this.listener = boundListener;
  }

  /**
   * Completes when the runtime client first asks for an event or reports an init error; fails with
   * {@link EarlyExit} when the process exits first.
   *
   * @return the readiness future
   */
  CompletableFuture<Void> ready() {
    return ready;
  }

  /**
   * Tells whether the exit watch should ask the backend about this instance now.
   *
   * @return true while the instance starts or serves an event
   */
  boolean watched() {
    return watched;
  }

  /**
   * Hands an event to the instance, writing it on the calling thread when the runtime client waits
   * on {@code /next}.
   *
   * @param requestId the request id the handler sees
   * @param payload the event
   * @param options the trace id, client context and Cognito identity to pass on
   * @param stream where a streamed response goes as it arrives, or {@code null} to receive it whole
   *     in the answer (within the buffered limit)
   * @param answer completed with the outcome
   * @param reader the caller's poller, which takes the connection the event goes out on when there
   *     is one; null to leave every read to the loop
   * @return whether {@code reader} took a connection: the caller then reads the answer with it and
   *     calls {@link #readerDone}
   */
  synchronized boolean invoke(
      String requestId,
      byte[] payload,
      InvokeOptions options,
      ResponseStreamBuffer stream,
      CompletableFuture<RuntimeApiAnswer> answer,
      CallerPoller reader) {
    if (event != null) {
      answer.completeExceptionally(
          new IllegalStateException(
              "the instance is already handling event '"
                  + event.requestId
                  + "'; send one event at a time"));
      return false;
    }
    if (initError != null && !closed) {
      byte[] error = initError;
      initError = null;
      answer.complete(new RuntimeApiAnswer(RuntimeApiAnswer.Outcome.INIT_ERROR, error));
      return false;
    }
    if (closed || exited) {
      answer.complete(
          RuntimeApiAnswer.notDelivered("the instance is closed or its runtime exited"));
      return false;
    }
    Event arrived = new Event(requestId, payload, options, stream, timeout, answer);
    try {
      arrived.timer =
          timeouts.schedule(() -> onTimeout(arrived), timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (RejectedExecutionException e) {
      answer.complete(RuntimeApiAnswer.notDelivered("lambdarun's Runtime API host is closed"));
      return false;
    }
    event = arrived;
    watched = true;
    HttpConnection waiting = nextEventsConnection();
    if (waiting == null) {
      return false;
    }
    boolean parked = waiting == parkedNext;
    parkedNext = null;
    idle = null;
    boolean taken = reader != null && reader.take(waiting);
    if (!taken) {
      waiting.readInLoop();
    }
    if (parked) {
      deliver(waiting);
    }
    return taken;
  }

  /**
   * Reads what waits on the connection the next event would go out on (a parked {@code /next}, or
   * the client's next request on an idle connection), and tells whether the runtime client still
   * holds it open. A process that ended has closed its connections, so this answers, for a syscall,
   * what asking the backend whether the process exited would.
   *
   * @param reader the caller's poller, whose buffer the read uses
   * @return false when there is no such connection or the client closed it
   */
  synchronized boolean clientConnected(CallerPoller reader) {
    HttpConnection waiting = nextEventsConnection();
    if (waiting == null) {
      return false;
    }
    if (waiting.readWaiting(reader.scratch())) {
      return true;
    }
    if (parkedNext == waiting) {
      parkedNext = null;
    }
    if (idle == waiting) {
      idle = null;
    }
    return false;
  }

  /** The connection the next event goes out on: a parked {@code /next}, else the idle one. */
  private HttpConnection nextEventsConnection() {
    return parkedNext != null ? parkedNext : idle;
  }

  /**
   * Takes back the connection a caller's poller read its answer on: left unread until the next
   * event when it is between requests, else handed to the loop.
   *
   * @param reader the poller that {@link #invoke} let take a connection
   */
  synchronized void readerDone(CallerPoller reader) {
    HttpConnection connection = reader.release();
    if (connection == null) {
      return;
    }
    if (event == null
        && parkedNext == null
        && idle == null
        && !closed
        && !exited
        && connection.betweenRequests()) {
      connection.pauseReads();
      idle = connection;
      watched = false;
    } else {
      connection.readInLoop();
    }
  }

  /**
   * Notes that the instance's process exited: a launch waiting for readiness fails, an event a
   * runtime client took is answered {@code Runtime.ExitError}, one none took is not delivered. Runs
   * on any thread.
   *
   * @param status the exit status
   */
  synchronized void onExit(int status) {
    if (exited || closed) {
      return;
    }
    exited = true;
    watched = false;
    ready.completeExceptionally(new EarlyExit(status));
    if (parkedNext != null) {
      parkedNext.close();
      parkedNext = null;
    }
    if (idle != null) {
      idle.close();
      idle = null;
    }
    if (event != null && !event.delivered) {
      // no runtime client took it: another instance can, as if this one had never been asked
      Event untaken = event;
      event = null;
      untaken.timer.cancel(false);
      untaken.answer.complete(
          RuntimeApiAnswer.notDelivered("the runtime exited with status " + status));
    } else if (event != null) {
      finish(
          RuntimeApiAnswer.Outcome.EXIT_ERROR,
          JsonText.error(
              "Runtime.ExitError",
              "RequestId: "
                  + event.requestId
                  + " Error: Runtime exited with error: exit status "
                  + status));
    }
  }

  /**
   * Stops serving: closes the port and its connections; an event in flight is answered as not
   * delivered or, once delivered, as lost. Runs on the loop thread.
   */
  synchronized void close() {
    closed = true;
    watched = false;
    if (event != null) {
      Event closing = event;
      event = null;
      closing.timer.cancel(false);
      closing.answer.complete(
          closing.delivered
              ? new RuntimeApiAnswer(
                  RuntimeApiAnswer.Outcome.LOST,
                  "the instance was stopped while serving the event"
                      .getBytes(StandardCharsets.UTF_8))
              : RuntimeApiAnswer.notDelivered("the instance was stopped"));
    }
    parkedNext = null;
    idle = null;
    ready.completeExceptionally(new IllegalStateException("closed before the runtime was ready"));
    if (listener != null) {
      listener.close();
    }
  }

  @Override
  public boolean streams(HttpRequest head) {
    return head.method().equals("POST")
        && head.path().startsWith(INVOCATION_PREFIX)
        && head.path().endsWith("/response")
        && "streaming".equalsIgnoreCase(head.header(RESPONSE_MODE));
  }

  @Override
  public synchronized void handle(HttpRequest request, HttpConnection connection) {
    String path = request.path();
    String method = request.method();
    boolean pins =
        path.equals(INVOCATION_PREFIX + "next") || path.equals(RUNTIME_PREFIX + "/init/error");
    if (pinnedPeer == null && pins) {
      pinnedPeer = connection.peer();
    }
    if (pinnedPeer == null || !pinnedPeer.equals(connection.peer())) {
      forbidden(connection);
    } else if (path.equals(INVOCATION_PREFIX + "next") && method.equals("GET")) {
      onNext(connection);
    } else if (path.equals(RUNTIME_PREFIX + "/init/error") && method.equals("POST")) {
      onInitError(request, connection);
    } else if (path.startsWith(INVOCATION_PREFIX) && method.equals("POST")) {
      String rest = path.substring(INVOCATION_PREFIX.length());
      int slash = rest.indexOf('/');
      String requestId = slash < 0 ? rest : rest.substring(0, slash);
      String action = slash < 0 ? "" : rest.substring(slash + 1);
      switch (action) {
        case "response" -> {
          if (request.streamed()) {
            onStreamedResponse(requestId, connection);
          } else {
            onResponse(requestId, request, connection);
          }
        }
        case "error" -> onError(requestId, request, connection);
        default -> notFound(path, connection);
      }
    } else {
      notFound(path, connection);
    }
  }

  private void onNext(HttpConnection connection) {
    ready.complete(null);
    if (event != null && !event.delivered) {
      deliver(connection);
      return;
    }
    if (parkedNext != null && parkedNext != connection) {
      parkedNext.close();
    }
    if (idle != null && idle != connection) {
      // the client asks on another connection: the loop reads whatever still comes on this one
      idle.readInLoop();
    }
    idle = null;
    parkedNext = connection;
    connection.pauseReads();
    if (event == null) {
      watched = false;
    }
  }

  private void deliver(HttpConnection connection) {
    Map<String, String> headers = new LinkedHashMap<>();
    headers.put("Content-Type", "application/json");
    headers.put("Lambda-Runtime-Aws-Request-Id", event.requestId);
    headers.put("Lambda-Runtime-Deadline-Ms", Long.toString(event.deadlineEpochMillis));
    headers.put("Lambda-Runtime-Invoked-Function-Arn", invokedFunctionArn);
    headers.put(
        "Lambda-Runtime-Trace-Id", event.options.traceId().orElseGet(InstanceChannel::traceId));
    event
        .options
        .clientContext()
        .map(InstanceChannel::clientContext)
        .ifPresent(value -> headers.put("Lambda-Runtime-Client-Context", value));
    event
        .options
        .cognitoIdentity()
        .ifPresent(value -> headers.put("Lambda-Runtime-Cognito-Identity", value));
    if (connection.respond(200, headers, event.body)) {
      event.delivered = true;
    }
  }

  private void onResponse(String requestId, HttpRequest request, HttpConnection connection) {
    if (!isCurrent(requestId)) {
      invalidRequestId(requestId, connection);
      return;
    }
    int size = request.body().length;
    if (size > MAX_RESPONSE_BYTES) {
      tooLarge(connection, size, MAX_RESPONSE_BYTES);
      return;
    }
    finish(RuntimeApiAnswer.Outcome.SUCCESS, request.body());
    connection.respond(202, JSON, ACCEPTED);
  }

  private void onStreamedResponse(String requestId, HttpConnection connection) {
    if (!isCurrent(requestId)) {
      invalidRequestId(requestId, connection);
      return;
    }
    connection.streamBodyTo(new StreamedResponse(event, connection));
  }

  /**
   * The body of a {@code Lambda-Runtime-Function-Response-Mode: streaming} response: passed on as
   * it arrives to a streaming invoke (up to {@link #MAX_STREAMED_RESPONSE_BYTES}), or gathered for
   * a buffered one (up to {@link #MAX_RESPONSE_BYTES}); the error trailers make it an error.
   */
  private final class StreamedResponse implements BodySink {
    private final Event target;
    private final HttpConnection connection;
    private final long limit;
    private final ByteArrayOutputStream gathered;
    private long size;

    StreamedResponse(Event target, HttpConnection connection) {
      this.target = target;
      this.connection = connection;
      this.limit = target.stream == null ? MAX_RESPONSE_BYTES : MAX_STREAMED_RESPONSE_BYTES;
      this.gathered = target.stream == null ? new ByteArrayOutputStream() : null;
    }

    @Override
    public boolean data(byte[] bytes, int offset, int length) {
      size += length;
      if (event != target || size > limit) {
        return true;
      }
      if (gathered != null) {
        gathered.write(bytes, offset, length);
        return true;
      }
      return target.stream.offer(
          bytes, offset, length, () -> server.execute(() -> resumeReading(connection)));
    }

    @Override
    public void end(Map<String, String> trailers) {
      if (event != target) {
        invalidRequestId(target.requestId, connection);
        return;
      }
      if (size > limit) {
        tooLarge(connection, size, limit);
        return;
      }
      String errorType = trailers.get(ERROR_TYPE);
      if (errorType != null) {
        finish(
            RuntimeApiAnswer.Outcome.UNHANDLED, trailerError(errorType, trailers.get(ERROR_BODY)));
      } else {
        finish(
            RuntimeApiAnswer.Outcome.SUCCESS,
            gathered == null ? new byte[0] : gathered.toByteArray());
      }
      connection.respond(202, JSON, ACCEPTED);
    }
  }

  /** The error a runtime sent in trailers: its base64 JSON body, else one built from its type. */
  private static byte[] trailerError(String type, String base64Body) {
    if (base64Body != null) {
      try {
        byte[] body = Base64.getDecoder().decode(base64Body.strip());
        if (new String(body, StandardCharsets.UTF_8).strip().startsWith("{")) {
          return body;
        }
      } catch (IllegalArgumentException e) {
        // not base64: the type alone describes the error
      }
    }
    return JsonText.error(type, "the function failed while streaming its response");
  }

  /** As Lambda: the runtime is told 413, the caller gets an Unhandled error naming the size. */
  private void tooLarge(HttpConnection connection, long size, long limit) {
    connection.respond(
        413,
        JSON,
        JsonText.error(
            "RequestEntityTooLarge",
            "Exceeded maximum allowed payload size (" + limit + " bytes)."));
    finish(
        RuntimeApiAnswer.Outcome.UNHANDLED,
        JsonText.error(
            "Function.ResponseSizeTooLarge",
            "Response payload size ("
                + size
                + " bytes) exceeded maximum allowed payload size ("
                + limit
                + " bytes)."));
  }

  private void onError(String requestId, HttpRequest request, HttpConnection connection) {
    if (!isCurrent(requestId)) {
      invalidRequestId(requestId, connection);
      return;
    }
    String type = request.header(ERROR_TYPE);
    boolean handled = "Handled".equalsIgnoreCase(type);
    finish(
        handled ? RuntimeApiAnswer.Outcome.HANDLED : RuntimeApiAnswer.Outcome.UNHANDLED,
        errorBody(request, type, "Unhandled"));
    connection.respond(202, JSON, ACCEPTED);
  }

  private void onInitError(HttpRequest request, HttpConnection connection) {
    ready.complete(null);
    byte[] error = errorBody(request, request.header(ERROR_TYPE), "Runtime.InitError");
    connection.respond(202, JSON, ACCEPTED);
    if (event != null) {
      finish(RuntimeApiAnswer.Outcome.INIT_ERROR, error);
    } else {
      initError = error;
    }
  }

  private synchronized void resumeReading(HttpConnection connection) {
    connection.resumeReading();
  }

  private synchronized void onTimeout(Event timedOut) {
    if (event != timedOut) {
      return;
    }
    String message =
        String.format(
            Locale.ROOT, "Task timed out after %.2f seconds", timeout.toMillis() / 1000.0);
    finish(RuntimeApiAnswer.Outcome.TIMEOUT, message.getBytes(StandardCharsets.UTF_8));
  }

  /**
   * Ends the event in flight and answers its caller. An accepted answer is finished before the
   * runtime is told 202, so that the caller wakes first.
   */
  private void finish(RuntimeApiAnswer.Outcome outcome, byte[] body) {
    Event done = event;
    event = null;
    done.timer.cancel(false);
    watched = parkedNext == null && !exited && !closed;
    done.answer.complete(new RuntimeApiAnswer(outcome, body));
  }

  private boolean isCurrent(String requestId) {
    return event != null && event.delivered && event.requestId.equals(requestId);
  }

  private static void forbidden(HttpConnection connection) {
    connection.respond(
        403,
        JSON,
        JsonText.error(
            "AccessDeniedException",
            "this Runtime API serves one instance only and the caller is not it; call the"
                + " AWS_LAMBDA_RUNTIME_API given to your own instance"));
  }

  private void invalidRequestId(String requestId, HttpConnection connection) {
    connection.respond(
        400,
        JSON,
        JsonText.error(
            "InvalidRequestID",
            "request id '" + requestId + "' is not the event in flight on this instance"));
  }

  private static void notFound(String path, HttpConnection connection) {
    connection.respond(
        404,
        JSON,
        JsonText.error("NotFound", "no endpoint at '" + path + "' on lambdarun's Runtime API"));
  }

  /** The error JSON a runtime posted, or one built from its text when it posted no JSON object. */
  private static byte[] errorBody(HttpRequest request, String type, String defaultType) {
    String text = request.bodyText().strip();
    if (text.startsWith("{")) {
      return request.body();
    }
    return JsonText.error(type == null || type.isBlank() ? defaultType : type, text);
  }

  private static String traceId() {
    byte[] random = new byte[20];
    RANDOM.nextBytes(random);
    String hex = HexFormat.of().formatHex(random);
    return "Root=1-"
        + Long.toHexString(System.currentTimeMillis() / 1000)
        + "-"
        + hex.substring(0, 24)
        + ";Parent="
        + hex.substring(24, 40)
        + ";Sampled=0";
  }

  /** The caller's base64 client context, decoded as the runtime clients expect it. */
  private static String clientContext(String header) {
    try {
      return new String(Base64.getDecoder().decode(header.strip()), StandardCharsets.UTF_8)
          .replaceAll("[\\r\\n]+", " ");
    } catch (IllegalArgumentException e) {
      return header;
    }
  }
}
