#!/usr/bin/python3 -u
"""RIE-compatible emulator of lambdarun's test images, standard library only.

Installed as /usr/local/bin/aws-lambda-rie and run by /lambda-entrypoint.sh when
AWS_LAMBDA_RUNTIME_API is unset, like AWS's Runtime Interface Emulator: it serves the invoke
endpoint POST /2015-03-31/functions/function/invocations on 0.0.0.0:8080 and hosts the Lambda
Runtime API (/2018-06-01/runtime/...) on 127.0.0.1:9001 for one runtime process, started lazily on
the first event: the command given as arguments (the entrypoint gives /var/runtime/bootstrap, the
image's runtime client or a custom runtime's bootstrap), with the handler in _HANDLER.
One event at a time; a second concurrent event gets HTTP 400. After AWS_LAMBDA_FUNCTION_TIMEOUT
seconds the runtime process is killed, the answer is "Task timed out after N.00 seconds" and the
next event starts a fresh process.
"""

import base64
import http.server
import json
import os
import select
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid

INVOKE_PATH = "/2015-03-31/functions/function/invocations"
RUNTIME_PREFIX = "/2018-06-01/runtime/"
RUNTIME_API = "127.0.0.1:9001"
DEFAULT_BOOTSTRAP = "/var/runtime/bootstrap"


def log(line):
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


class Invocation:
    def __init__(self, payload, timeout, headers):
        # lambdarun's core sends its own request id, so logs and the caller's result agree
        self.request_id = headers.get("X-Amzn-RequestId") or str(uuid.uuid4())
        self.payload = payload
        self.deadline_ms = int((time.time() + timeout) * 1000)
        self.client_context = headers.get("X-Amz-Client-Context")
        self.trace_id = headers.get("X-Amzn-Trace-Id")
        self.cognito_identity = headers.get("X-Amz-Cognito-Identity")
        self.done = threading.Event()
        self.lock = threading.Lock()
        self.taken_at = None
        self.body = b""
        self.function_error = None

    def complete(self, body, function_error=None):
        """Records the answer unless one was recorded already; tells whether this one counts."""
        with self.lock:
            if self.done.is_set():
                return False
            self.body = body
            self.function_error = function_error
            self.done.set()
            return True


class Emulator:
    def __init__(self, handler, bootstrap):
        self.handler = handler
        self.bootstrap = bootstrap
        self.timeout = int(os.environ.get("AWS_LAMBDA_FUNCTION_TIMEOUT", "300"))
        self.memory = os.environ.get("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "3008")
        self.name = os.environ.get("AWS_LAMBDA_FUNCTION_NAME", "test_function")
        region = os.environ.get("AWS_REGION", "us-east-1")
        self.arn = "arn:aws:lambda:%s:012345678912:function:%s" % (region, self.name)
        self.busy = threading.Lock()
        self.cond = threading.Condition()
        self.pending = None  # waiting for the runtime's /next
        self.current = None  # handed to the runtime, not yet answered
        self.process = None

    # ---- invoke side -------------------------------------------------------------------------

    def invoke(self, payload, headers):
        if not self.busy.acquire(blocking=False):
            return 400, {}, json.dumps({
                "errorMessage": "an invocation is already in progress on this instance",
                "errorType": "ResourceConflictException"}).encode()
        try:
            return self._invoke(payload, headers)
        finally:
            self.busy.release()

    def _invoke(self, payload, headers):
        started = time.monotonic()
        content_type = "application/json"
        invocation = Invocation(payload, self.timeout, headers)
        spawned_at = None
        try:
            spawned_at = self._ensure_process()
        except OSError as e:  # answered as AWS's RIE answers a bootstrap it cannot start
            message = "RequestId: %s Error: fork/exec %s: %s" % (
                invocation.request_id, self.bootstrap[0], (e.strerror or str(e)).lower())
            log(message)
            invocation.complete(json.dumps({
                "errorMessage": message, "errorType": "Runtime.InvalidEntrypoint"}).encode(),
                "Unhandled")
        log("START RequestId: %s Version: %s" % (
            invocation.request_id, os.environ.get("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST")))
        with self.cond:
            self.pending = invocation
            self.cond.notify_all()
        remaining = self.timeout - (time.monotonic() - started)
        if not invocation.done.wait(max(remaining, 0)):
            self._kill_process()
            message = "Task timed out after %d.00 seconds" % self.timeout
            if invocation.complete(message.encode()):  # like the RIE: plain text, no error header
                log("%s %s" % (invocation.request_id, message))
                content_type = "text/plain"
        with self.cond:
            self.pending = None
            self.current = None
        duration = (time.monotonic() - started) * 1000
        log("END RequestId: %s" % invocation.request_id)
        init = ""
        if spawned_at is not None and invocation.taken_at is not None:
            init = "Init Duration: %.2f ms\t" % ((invocation.taken_at - spawned_at) * 1000)
        log("REPORT RequestId: %s\t%sDuration: %.2f ms\tBilled Duration: %d ms\t"
            "Memory Size: %s MB\tMax Memory Used: %s MB\t" % (
                invocation.request_id, init, duration, int(duration) + 1, self.memory, self.memory))
        response_headers = {"Content-Type": content_type, "X-Amzn-RequestId": invocation.request_id}
        if invocation.function_error:
            response_headers["X-Amz-Function-Error"] = invocation.function_error
        return 200, response_headers, invocation.body

    def _ensure_process(self):
        """Starts the runtime process unless it runs; returns when it was started, or None."""
        if self.process is not None and self.process.poll() is None:
            return None
        started = time.monotonic()
        env = dict(os.environ)
        env["AWS_LAMBDA_RUNTIME_API"] = RUNTIME_API
        env["_HANDLER"] = self.handler
        env.setdefault("LAMBDA_TASK_ROOT", "/var/task")
        env.setdefault("LAMBDA_RUNTIME_DIR", "/var/runtime")
        process = subprocess.Popen(self.bootstrap, env=env, cwd=env["LAMBDA_TASK_ROOT"],
                                   start_new_session=True)
        self.process = process
        threading.Thread(target=self._watch, args=(process,), daemon=True).start()
        return started

    def _watch(self, process):
        code = process.wait()
        with self.cond:
            if self.process is not process:
                return
            invocation = self.current or self.pending
        if invocation is not None:
            status = "signal: %d" % -code if code < 0 else "exit status %d" % code
            invocation.complete(json.dumps({
                "errorMessage": "RequestId: %s Error: Runtime exited with error: %s" % (
                    invocation.request_id, status),
                "errorType": "Runtime.ExitError"}).encode(), "Unhandled")

    def _kill_process(self):
        process = self.process
        self.process = None
        if process is not None and process.poll() is None:
            try:
                os.killpg(process.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            process.wait()

    # ---- runtime API side --------------------------------------------------------------------

    def next_invocation(self, connection):
        with self.cond:
            while True:
                if peer_closed(connection):
                    return None
                if self.pending is not None:
                    invocation, self.pending = self.pending, None
                    self.current = invocation
                    invocation.taken_at = time.monotonic()
                    return invocation
                self.cond.wait(0.05)

    def respond(self, request_id, body, function_error=None):
        with self.cond:
            invocation = self.current
        if invocation is None or invocation.request_id != request_id:
            return False
        return invocation.complete(body, function_error)

    def init_error(self, body):
        with self.cond:
            invocation = self.current or self.pending
        if invocation is not None:
            invocation.complete(body, "Unhandled")

    def shutdown(self, *_):
        self._kill_process()
        os._exit(0)


def peer_closed(connection):
    readable, _, _ = select.select([connection], [], [], 0)
    if not readable:
        return False
    try:
        return connection.recv(1, socket.MSG_PEEK) == b""
    except OSError:
        return True


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # headers and body go out in two writes; with Nagle on, the body waits for the delayed ACK
    # of the headers (up to 40 ms per answer, measured by scripts/bench.sh warm)
    disable_nagle_algorithm = True
    emulator = None

    def log_message(self, *_):
        pass

    def send(self, status, headers, body):
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def read_body(self):
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""

    def do_GET(self):
        if self.path == INVOKE_PATH:
            self.send(405, {"Allow": "POST"}, b"")
        else:
            self.send(404, {}, b"404 page not found\n")


class InvokeHandler(Handler):
    def do_POST(self):
        body = self.read_body()
        if self.path.split("?")[0] != INVOKE_PATH:
            self.send(404, {}, b"404 page not found\n")
            return
        status, headers, payload = self.emulator.invoke(body, self.headers)
        self.send(status, headers, payload)


class RuntimeApiHandler(Handler):
    def do_GET(self):
        if self.path != RUNTIME_PREFIX + "invocation/next":
            super().do_GET()
            return
        invocation = self.emulator.next_invocation(self.connection)
        if invocation is None:
            self.close_connection = True
            return
        headers = {
            "Content-Type": "application/json",
            "Lambda-Runtime-Aws-Request-Id": invocation.request_id,
            "Lambda-Runtime-Deadline-Ms": str(invocation.deadline_ms),
            "Lambda-Runtime-Invoked-Function-Arn": self.emulator.arn,
        }
        if invocation.trace_id:
            headers["Lambda-Runtime-Trace-Id"] = invocation.trace_id
        if invocation.client_context:
            headers["Lambda-Runtime-Client-Context"] = base64.b64decode(
                invocation.client_context).decode("utf-8", "replace")
        if invocation.cognito_identity:
            headers["Lambda-Runtime-Cognito-Identity"] = invocation.cognito_identity
        self.send(200, headers, invocation.payload)

    def do_POST(self):
        body = self.read_body()
        parts = self.path[len(RUNTIME_PREFIX):].split("/") if self.path.startswith(
            RUNTIME_PREFIX) else []
        accepted = b'{"status":"OK"}'
        if parts == ["init", "error"]:
            self.emulator.init_error(body)
            self.send(202, {"Content-Type": "application/json"}, accepted)
        elif len(parts) == 3 and parts[0] == "invocation" and parts[2] in ("response", "error"):
            error = "Unhandled" if parts[2] == "error" else None
            if self.emulator.respond(parts[1], body, error):
                self.send(202, {"Content-Type": "application/json"}, accepted)
            else:
                self.send(400, {"Content-Type": "application/json"},
                          b'{"errorMessage":"unknown or finished request id",'
                          b'"errorType":"InvalidRequestID"}')
        else:
            self.send(404, {}, b"404 page not found\n")


def serve(address, handler_class):
    host, port = address.rsplit(":", 1)
    server = http.server.ThreadingHTTPServer((host, int(port)), handler_class)
    server.daemon_threads = True
    return server


def main():
    handler = os.environ.get("_HANDLER", os.environ.get("AWS_LAMBDA_FUNCTION_HANDLER", ""))
    emulator = Emulator(handler, sys.argv[1:] or [DEFAULT_BOOTSTRAP])
    Handler.emulator = emulator
    signal.signal(signal.SIGTERM, emulator.shutdown)
    signal.signal(signal.SIGINT, emulator.shutdown)
    runtime_api = serve(RUNTIME_API, RuntimeApiHandler)
    threading.Thread(target=runtime_api.serve_forever, daemon=True).start()
    invoke = serve("0.0.0.0:8080", InvokeHandler)
    log("lambdarun test RIE listening on 0.0.0.0:8080, handler %r" % handler)
    invoke.serve_forever()


if __name__ == "__main__":
    main()
