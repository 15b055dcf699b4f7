package io.lambdarun.local;

import io.lambdarun.api.ContainerRuntime;
import io.lambdarun.api.Instance;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The endpoint of one local instance: the RIE invoke path core posts events to, and the Lambda
 * Runtime API the instance's process polls, on the same loopback port.
 *
 * <p>Because it hosts the Runtime API, the endpoint knows each event's true outcome: a response, a
 * function error (reported {@code Unhandled}, or {@code Handled} when the runtime posts the error
 * with {@code Lambda-Runtime-Function-Error-Type: Handled}), an init error, the process exiting, or
 * the timeout. On a timeout, an init error or an exit the process is gone and the next event starts
 * a fresh one.
 *
 * <p>All state is confined to the server's loop thread; other threads only post tasks.
 */
final class InstanceEndpoint implements LoopbackHttpServer.Handler {

  /** Starts a fresh runtime process for the instance. */
  @FunctionalInterface
  interface ProcessStarter {
    /**
     * Starts the process.
     *
     * @return the started process
     * @throws IOException if it cannot be started
     */
    RuntimeProcess start() throws IOException;
  }

  /** Reported when the first process exits before asking for an event. */
  static final class EarlyExit extends Exception {
    private final int status;

    EarlyExit(int status) {
      super("exit status " + status, null, false, false);
      this.status = status;
    }

    int status() {
      return status;
    }
  }

  private static final Logger LOG = LoggerFactory.getLogger(InstanceEndpoint.class);
  private static final String RUNTIME_PREFIX = "/2018-06-01/runtime";
  private static final String INVOCATION_PREFIX = RUNTIME_PREFIX + "/invocation/";
  private static final Map<String, String> JSON = Map.of("Content-Type", "application/json");
  private static final byte[] ACCEPTED = "{\"status\":\"OK\"}".getBytes(StandardCharsets.US_ASCII);
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final Pattern SAFE_REQUEST_ID =
      Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,127}");
  private static final Duration EXIT_POLL = Duration.ofMillis(50);

  /** The largest response Lambda's Runtime API accepts from a runtime: 6 MiB plus 100 bytes. */
  static final int MAX_RESPONSE_BYTES = 6 * 1024 * 1024 + 100;

  private final String instanceId;
  private final LoopbackHttpServer server;
  private final Executor worker;
  private final OutputLog log;
  private final String invokedFunctionArn;
  private final Duration timeout;
  private final CompletableFuture<Void> ready = new CompletableFuture<>();
  private volatile ProcessStarter starter;
  private volatile LoopbackHttpServer.Listener listener;

  private RuntimeProcess process;
  private LoopbackHttpServer.Timer exitWatch;

  /** A process was started (the first one by the launch) and is not adopted yet. */
  private boolean starting = true;

  private boolean killOnAdopt;
  private boolean terminated;
  private HttpConnection parkedNext;
  private Event event;
  private byte[] initError;

  /** One event in flight, from arrival at the invoke path until it is answered. */
  private static final class Event {
    final String requestId;
    final byte[] body;
    final String traceId;
    final String clientContext;
    final String cognitoIdentity;
    final long deadlineEpochMillis;
    final HttpConnection caller;
    LoopbackHttpServer.Timer timer;
    boolean delivered;

    Event(HttpRequest request, HttpConnection caller, Duration timeout) {
      this.requestId = requestId(request.header("x-amzn-requestid"));
      this.body = request.body();
      this.traceId = traceId(request.header("x-amzn-trace-id"));
      this.clientContext = clientContext(request.header("x-amz-client-context"));
      this.cognitoIdentity = request.header("x-amz-cognito-identity");
      this.deadlineEpochMillis = System.currentTimeMillis() + timeout.toMillis();
      this.caller = caller;
    }
  }

  InstanceEndpoint(
      String instanceId,
      LoopbackHttpServer server,
      Executor worker,
      OutputLog log,
      String invokedFunctionArn,
      Duration timeout) {
    this.instanceId = instanceId;
    this.server = server;
    this.worker = worker;
    this.log = log;
    this.invokedFunctionArn = invokedFunctionArn;
    this.timeout = timeout;
  }

  /**
   * Completes when the first process asks for an event or reports an init error; fails with {@link
   * EarlyExit} when it exits first.
   *
   * @return the readiness future
   */
  CompletableFuture<Void> ready() {
    return ready;
  }

  /**
   * Wires the endpoint to its port and starts the first process. Called once, by the launching
   * thread.
   *
   * @param boundListener the port the endpoint serves
   * @param processStarter starts a process (first and fresh ones)
   * @return the first process
   * @throws IOException if the process cannot be started
   */
  RuntimeProcess start(LoopbackHttpServer.Listener boundListener, ProcessStarter processStarter)
      throws IOException {
    this.listener = boundListener;
    this.starter = processStarter;
    RuntimeProcess first = processStarter.start();
    server.execute(() -> adopt(first));
    return first;
  }

  /**
   * Stops serving: closes the port and its connections (an event in flight gets no answer) and
   * hands back the current process for the caller to stop. Runs on the loop thread.
   *
   * @return the process, or {@code null} when none is running
   */
  RuntimeProcess shutdown() {
    terminated = true;
    stopExitWatch();
    if (event != null) {
      event.timer.cancel();
      event = null;
    }
    parkedNext = null;
    if (listener != null) {
      listener.close();
    }
    RuntimeProcess current = process;
    process = null;
    return current;
  }

  @Override
  public void handle(HttpRequest request, HttpConnection connection) {
    String path = request.path();
    String method = request.method();
    if (isInvocationPath(path) && method.equals("POST")) {
      onInvoke(request, connection);
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
        case "response" -> onResponse(requestId, request, connection);
        case "error" -> onError(requestId, request, connection);
        default -> notFound(path, connection);
      }
    } else {
      notFound(path, connection);
    }
  }

  /** The RIE's path, {@link Instance#INVOCATION_PATH}, with any function name in it. */
  private static boolean isInvocationPath(String path) {
    String prefix = "/2015-03-31/functions/";
    String suffix = "/invocations";
    if (!path.startsWith(prefix) || !path.endsWith(suffix)) {
      return false;
    }
    String name =
        path.substring(prefix.length(), Math.max(prefix.length(), path.length() - suffix.length()));
    return !name.isEmpty() && name.indexOf('/') < 0;
  }

  private void onInvoke(HttpRequest request, HttpConnection caller) {
    if (terminated) {
      caller.close();
      return;
    }
    if (event != null) {
      caller.respond(
          409,
          JSON,
          JsonText.error(
              "ResourceConflictException",
              "instance '"
                  + instanceId
                  + "' is already handling an event; send one event at a"
                  + " time"));
      return;
    }
    log.mark();
    if (initError != null) {
      byte[] error = initError;
      initError = null;
      caller.respond(200, functionError("Unhandled"), error);
      log.mark();
      return;
    }
    Event arrived = new Event(request, caller, timeout);
    arrived.timer = server.schedule(timeout, () -> onTimeout(arrived));
    event = arrived;
    ensureProcess();
    watchForExit();
    if (parkedNext != null) {
      HttpConnection waiting = parkedNext;
      parkedNext = null;
      deliver(waiting);
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
    parkedNext = connection;
  }

  private void deliver(HttpConnection connection) {
    Map<String, String> headers = new LinkedHashMap<>();
    headers.put("Content-Type", "application/json");
    headers.put("Lambda-Runtime-Aws-Request-Id", event.requestId);
    headers.put("Lambda-Runtime-Deadline-Ms", Long.toString(event.deadlineEpochMillis));
    headers.put("Lambda-Runtime-Invoked-Function-Arn", invokedFunctionArn);
    headers.put("Lambda-Runtime-Trace-Id", event.traceId);
    if (event.clientContext != null) {
      headers.put("Lambda-Runtime-Client-Context", event.clientContext);
    }
    if (event.cognitoIdentity != null) {
      headers.put("Lambda-Runtime-Cognito-Identity", event.cognitoIdentity);
    }
    if (connection.respond(200, headers, event.body)) {
      event.delivered = true;
    } else {
      parkedNext = null;
    }
  }

  private void onResponse(String requestId, HttpRequest request, HttpConnection connection) {
    if (!isCurrent(requestId)) {
      invalidRequestId(requestId, connection);
      return;
    }
    int size = request.body().length;
    if (size > MAX_RESPONSE_BYTES) {
      // as Lambda: the runtime is told 413, the caller gets an Unhandled error naming the size
      connection.respond(
          413,
          JSON,
          JsonText.error(
              "RequestEntityTooLarge",
              "Exceeded maximum allowed payload size (" + MAX_RESPONSE_BYTES + " bytes)."));
      finish(
          200,
          functionError("Unhandled"),
          JsonText.error(
              "Function.ResponseSizeTooLarge",
              "Response payload size (" + size + " bytes) exceeded maximum allowed payload size ("
                  + MAX_RESPONSE_BYTES + " bytes)."));
      return;
    }
    connection.respond(202, JSON, ACCEPTED);
    finish(200, JSON, request.body());
  }

  private void onError(String requestId, HttpRequest request, HttpConnection connection) {
    if (!isCurrent(requestId)) {
      invalidRequestId(requestId, connection);
      return;
    }
    String type = request.header("lambda-runtime-function-error-type");
    String kind = "Handled".equalsIgnoreCase(type) ? "Handled" : "Unhandled";
    connection.respond(202, JSON, ACCEPTED);
    finish(200, functionError(kind), errorBody(request, type));
  }

  private void onInitError(HttpRequest request, HttpConnection connection) {
    ready.complete(null);
    byte[] error = errorBody(request, request.header("lambda-runtime-function-error-type"));
    connection.respond(202, JSON, ACCEPTED);
    if (event != null) {
      finish(200, functionError("Unhandled"), error);
    } else {
      initError = error;
    }
    // the reporter may be a process whose start is not adopted yet; it is killed on adoption
    killOnAdopt = process == null && starting;
    killProcess();
  }

  private void onTimeout(Event timedOut) {
    if (event != timedOut) {
      return;
    }
    String message =
        String.format(
            Locale.ROOT, "Task timed out after %.2f seconds", timeout.toMillis() / 1000.0);
    finish(200, Map.of("Content-Type", "text/plain"), message.getBytes(StandardCharsets.UTF_8));
    killProcess();
  }

  private void onExit(RuntimeProcess exited) {
    if (exited != process) {
      return;
    }
    process = null;
    int status = exited.exitStatus();
    ready.completeExceptionally(new EarlyExit(status));
    if (parkedNext != null) {
      parkedNext.close();
      parkedNext = null;
    }
    failCurrentEvent("Runtime exited with error: exit status " + status);
  }

  /** Answers the event in flight, if any, as Lambda does when the runtime dies under it. */
  private void failCurrentEvent(String problem) {
    if (event != null) {
      finish(
          200,
          functionError("Unhandled"),
          JsonText.error(
              "Runtime.ExitError", "RequestId: " + event.requestId + " Error: " + problem));
    }
  }

  private void finish(int status, Map<String, String> headers, byte[] body) {
    Event done = event;
    event = null;
    done.timer.cancel();
    log.mark();
    done.caller.respond(status, headers, body);
  }

  private boolean isCurrent(String requestId) {
    return event != null && event.delivered && event.requestId.equals(requestId);
  }

  private void ensureProcess() {
    if (process != null && !process.isRunning()) {
      process = null;
    }
    if (process != null || starting) {
      return;
    }
    starting = true;
    ProcessStarter processStarter = starter;
    worker.execute(
        () -> {
          try {
            RuntimeProcess fresh = processStarter.start();
            server.execute(() -> adopt(fresh));
          } catch (IOException | RuntimeException e) {
            LOG.warn("instance '{}' could not start a fresh process", instanceId, e);
            server.execute(
                () -> {
                  starting = false;
                  failCurrentEvent("Runtime failed to start: " + e.getMessage());
                });
          }
        });
  }

  private void adopt(RuntimeProcess fresh) {
    starting = false;
    if (terminated || killOnAdopt) {
      killOnAdopt = false;
      worker.execute(fresh::kill);
      return;
    }
    process = fresh;
    watchForExit();
  }

  /**
   * Polls the process while someone waits on it (the launch, or an event in flight), so that an
   * exit is answered promptly and a flood of output is cut back; idle instances cost no polling.
   */
  private void watchForExit() {
    if (exitWatch == null && process != null && (event != null || !ready.isDone())) {
      exitWatch = server.schedule(EXIT_POLL, this::checkExit);
    }
  }

  private void checkExit() {
    exitWatch = null;
    log.rotateIfLarge();
    if (process != null && !process.isRunning()) {
      onExit(process);
    }
    watchForExit();
  }

  private void stopExitWatch() {
    if (exitWatch != null) {
      exitWatch.cancel();
      exitWatch = null;
    }
  }

  private void killProcess() {
    RuntimeProcess current = process;
    process = null;
    if (parkedNext != null) {
      parkedNext.close();
      parkedNext = null;
    }
    if (current != null) {
      worker.execute(current::kill);
    }
  }

  private void invalidRequestId(String requestId, HttpConnection connection) {
    connection.respond(
        400,
        JSON,
        JsonText.error(
            "InvalidRequestID",
            "request id '"
                + requestId
                + "' is not the event in flight on instance '"
                + instanceId
                + "'"));
  }

  private static void notFound(String path, HttpConnection connection) {
    connection.respond(
        404,
        JSON,
        JsonText.error("NotFound", "no endpoint at '" + path + "' on a lambdarun local instance"));
  }

  private static Map<String, String> functionError(String kind) {
    Map<String, String> headers = new LinkedHashMap<>(JSON);
    headers.put(ContainerRuntime.FUNCTION_ERROR_HEADER, kind);
    return headers;
  }

  /** The error JSON a runtime posted, or one built from its text when it posted no JSON object. */
  private static byte[] errorBody(HttpRequest request, String type) {
    String text = request.bodyText().strip();
    if (text.startsWith("{")) {
      return request.body();
    }
    return JsonText.error(type == null || type.isBlank() ? "Unhandled" : type, text);
  }

  /**
   * Takes the caller's request id (core sends its own as {@code X-Amzn-RequestId}) so that the
   * handler, the logs and the result agree; a missing or unsafe one is replaced by a fresh UUID.
   */
  private static String requestId(String header) {
    if (header != null && SAFE_REQUEST_ID.matcher(header).matches()) {
      return header;
    }
    return UUID.randomUUID().toString();
  }

  private static String traceId(String header) {
    if (header != null && !header.isBlank()) {
      return header;
    }
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

  private static String clientContext(String header) {
    if (header == null || header.isBlank()) {
      return null;
    }
    try {
      return new String(Base64.getDecoder().decode(header.strip()), StandardCharsets.UTF_8)
          .replaceAll("[\\r\\n]+", " ");
    } catch (IllegalArgumentException e) {
      return header;
    }
  }
}
