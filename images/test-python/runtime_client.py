"""Minimal Python runtime client for lambdarun's test images, standard library only.

Loads the handler named by _HANDLER (module.function) from LAMBDA_TASK_ROOT and the layer paths
under /opt, then loops on the Runtime API at AWS_LAMBDA_RUNTIME_API: fetch the next event, call the
handler, post its JSON result or AWS's error shape {"errorMessage", "errorType", "stackTrace"}.
"""

import importlib
import json
import os
import sys
import time
import traceback
import urllib.request

BASE = "http://%s/2018-06-01/runtime" % os.environ["AWS_LAMBDA_RUNTIME_API"]


class InitError(Exception):
    def __init__(self, error_type, message):
        super().__init__(message)
        self.error_type = error_type


class Context:
    def __init__(self, request_id, deadline_ms, arn, client_context):
        self.aws_request_id = request_id
        self.invoked_function_arn = arn
        self.function_name = os.environ.get("AWS_LAMBDA_FUNCTION_NAME", "test_function")
        self.function_version = os.environ.get("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST")
        self.memory_limit_in_mb = os.environ.get("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "128")
        self.log_group_name = os.environ.get("AWS_LAMBDA_LOG_GROUP_NAME", "")
        self.log_stream_name = os.environ.get("AWS_LAMBDA_LOG_STREAM_NAME", "")
        self.client_context = json.loads(client_context) if client_context else None
        self.identity = None
        self._deadline_ms = deadline_ms

    def get_remaining_time_in_millis(self):
        return max(self._deadline_ms - int(time.time() * 1000), 0)


def post(path, payload, error_type=None):
    headers = {"Content-Type": "application/json"}
    if error_type:
        headers["Lambda-Runtime-Function-Error-Type"] = error_type
    request = urllib.request.Request(BASE + path, data=payload, headers=headers, method="POST")
    with urllib.request.urlopen(request) as response:
        response.read()


def error_shape(error_type, message, tb=None):
    """AWS's error JSON; the stack trace leaves out this client's own frames."""
    return {
        "errorMessage": message,
        "errorType": error_type,
        "requestId": "",
        "stackTrace": traceback.format_list(
            [frame for frame in traceback.extract_tb(tb) if frame.filename != __file__]),
    }


def report(path, shape, exc=None):
    sys.stderr.write("[ERROR] %s: %s\n" % (shape["errorType"], shape["errorMessage"]))
    if exc is not None:
        traceback.print_exception(type(exc), exc, exc.__traceback__, file=sys.stderr)
    sys.stderr.flush()
    post(path, json.dumps(shape).encode(), shape["errorType"])


def load_handler(spec):
    task_root = os.environ.get("LAMBDA_TASK_ROOT", "/var/task")
    version = "python%d.%d" % sys.version_info[:2]
    for path in reversed([task_root, "/opt/python", "/opt/python/lib/%s/site-packages" % version]):
        sys.path.insert(0, path)
    module_name, _, function_name = spec.rpartition(".")
    if not module_name:
        raise InitError("Runtime.MalformedHandlerName",
                        "Bad handler '%s': not enough values to unpack (expected 2, got 1)" % spec)
    module_name = module_name.replace("/", ".")
    try:
        module = importlib.import_module(module_name)
    except ImportError as e:
        raise InitError("Runtime.ImportModuleError",
                        "Unable to import module '%s': %s" % (module_name, e)) from e
    except SyntaxError as e:
        raise InitError("Runtime.UserCodeSyntaxError", "Syntax error in module '%s': %s" % (
            module_name, e)) from e
    handler = getattr(module, function_name, None)
    if not callable(handler):
        raise InitError("Runtime.HandlerNotFound",
                        "Handler '%s' missing on module '%s'" % (function_name, module_name))
    return handler


def main():
    try:
        handler = load_handler(os.environ.get("_HANDLER", ""))
    except InitError as e:
        report("/init/error", error_shape(e.error_type, str(e)))
        sys.exit(1)
    except Exception as e:  # an exception raised while the module was imported
        report("/init/error", error_shape(type(e).__name__, str(e), e.__traceback__), e)
        sys.exit(1)
    while True:
        with urllib.request.urlopen(BASE + "/invocation/next") as response:
            request_id = response.headers["Lambda-Runtime-Aws-Request-Id"]
            context = Context(request_id, int(response.headers["Lambda-Runtime-Deadline-Ms"]),
                              response.headers["Lambda-Runtime-Invoked-Function-Arn"],
                              response.headers.get("Lambda-Runtime-Client-Context"))
            payload = response.read()
        error_path = "/invocation/%s/error" % request_id
        try:
            event = json.loads(payload) if payload.strip() else {}
        except ValueError as e:
            report(error_path, error_shape("Runtime.UnmarshalError",
                                           "Unable to unmarshal input: %s" % e))
            continue
        try:
            result = handler(event, context)
        except Exception as e:
            report(error_path, error_shape(type(e).__name__, str(e), e.__traceback__), e)
            continue
        try:
            body = json.dumps(result).encode()
        except (TypeError, ValueError) as e:
            report(error_path, error_shape("Runtime.MarshalError",
                                           "Unable to marshal response: %s" % e))
            continue
        post("/invocation/%s/response" % request_id, body)


if __name__ == "__main__":
    main()
