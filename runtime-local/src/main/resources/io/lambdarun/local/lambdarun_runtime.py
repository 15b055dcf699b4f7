"""lambdarun's runtime client for Python functions.

Loops on the Lambda Runtime API named by AWS_LAMBDA_RUNTIME_API: imports the handler named by
_HANDLER from LAMBDA_TASK_ROOT, passes each event with a context object, and reports results and
errors in AWS's shapes. Function errors are reported as Unhandled, like AWS's own runtime.
Standard library only.
"""
import decimal
import http.client
import importlib
import json
import logging
import os
import re
import sys
import time
import traceback
import uuid

PREFIX = "/2018-06-01/runtime"
THIS_FILE = os.path.abspath(__file__)


class Fault(Exception):
    """An init failure with AWS's error type."""

    def __init__(self, error_type, message, stack=None):
        super().__init__(message)
        self.error_type = error_type
        self.message = message
        self.stack = stack or []


class RuntimeApi:
    """A keep-alive HTTP connection to the Runtime API."""

    def __init__(self, address):
        host, port = address.rsplit(":", 1)
        self.host = host
        self.port = int(port)
        self.connection = None

    def call(self, method, path, body=None, headers=None):
        for attempt in (1, 2):
            if self.connection is None:
                self.connection = http.client.HTTPConnection(self.host, self.port)
            try:
                self.connection.request(method, PREFIX + path, body=body, headers=headers or {})
                response = self.connection.getresponse()
                return response, response.read()
            except (OSError, http.client.HTTPException):
                self.connection.close()
                self.connection = None
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")


class ClientContext:
    def __init__(self, values):
        self.client = values.get("client")
        self.custom = values.get("custom")
        self.env = values.get("env")


class CognitoIdentity:
    def __init__(self, values):
        self.cognito_identity_id = values.get("cognitoIdentityId")
        self.cognito_identity_pool_id = values.get("cognitoIdentityPoolId")


class LambdaContext:
    """The context object AWS's Python runtime passes to a handler."""

    def __init__(self, request_id, deadline_ms, invoked_function_arn, client_context, identity):
        self.aws_request_id = request_id
        self.invoked_function_arn = invoked_function_arn
        self.function_name = os.environ.get("AWS_LAMBDA_FUNCTION_NAME")
        self.function_version = os.environ.get("AWS_LAMBDA_FUNCTION_VERSION")
        self.memory_limit_in_mb = os.environ.get("AWS_LAMBDA_FUNCTION_MEMORY_SIZE")
        self.log_group_name = os.environ.get("AWS_LAMBDA_LOG_GROUP_NAME")
        self.log_stream_name = os.environ.get("AWS_LAMBDA_LOG_STREAM_NAME")
        self.client_context = ClientContext(client_context) if client_context else None
        self.identity = CognitoIdentity(identity or {})
        self._deadline_ms = deadline_ms

    def get_remaining_time_in_millis(self):
        return max(0, self._deadline_ms - int(time.time() * 1000))


def load_handler(handler):
    try:
        module_name, function_name = handler.rsplit(".", 1)
    except ValueError as e:
        raise Fault("Runtime.MalformedHandlerName", "Bad handler '%s': %s" % (handler, e))
    try:
        module = importlib.import_module(module_name.replace("/", "."))
    except ImportError as e:
        raise Fault("Runtime.ImportModuleError",
                    "Unable to import module '%s': %s" % (module_name, e))
    except SyntaxError as e:
        stack = ['  File "%s" Line %s\n    %s' % (e.filename, e.lineno, e.text)]
        raise Fault("Runtime.UserCodeSyntaxError",
                    "Syntax error in module '%s': %s" % (module_name, e), stack)
    function = getattr(module, function_name, None)
    if function is None:
        raise Fault("Runtime.HandlerNotFound",
                    "Handler '%s' missing on module '%s'" % (function_name, module_name))
    return function


def user_stack(tb):
    frames = [frame for frame in traceback.extract_tb(tb) if frame.filename != THIS_FILE]
    return traceback.format_list(frames)


def error_document(error_type, message, stack, request_id=""):
    return {"errorMessage": message, "errorType": error_type,
            "requestId": request_id, "stackTrace": stack}


def log_error(document):
    lines = ["[ERROR] %s: %s" % (document["errorType"], document["errorMessage"])]
    if document["stackTrace"]:
        lines.append("Traceback (most recent call last):")
        lines.extend(line.rstrip("\n") for line in document["stackTrace"])
    print("\n".join(lines), file=sys.stderr, flush=True)


def post_error(api, path, document):
    api.call("POST", path, to_json(document),
             {"Content-Type": "application/json",
              "Lambda-Runtime-Function-Error-Type": "Unhandled"})


def init(api):
    try:
        return load_handler(os.environ.get("_HANDLER", ""))
    except Fault as fault:
        document = error_document(fault.error_type, fault.message, fault.stack)
    except Exception as e:
        document = error_document(type(e).__name__, str(e), user_stack(sys.exc_info()[2]))
    log_error(document)
    post_error(api, "/init/error", document)
    sys.exit(1)


def escapes_non_ascii():
    """AWS's runtime writes non-ASCII text as it is from python3.12 on, and escapes it in older
    runtimes and wherever AWS_EXECUTION_ENV does not name a Python runtime."""
    declared = re.fullmatch(r"AWS_Lambda_python3\.(\d+)", os.environ.get("AWS_EXECUTION_ENV", ""))
    return declared is None or int(declared.group(1)) < 12


class AwsJsonEncoder(json.JSONEncoder):
    """Encodes as AWS's runtime does: a Decimal (as DynamoDB returns) as a number with its exact
    decimal text, a NaN Decimal as NaN. The standard library cannot write raw number text, so a
    Decimal goes out as a marker string unique to this encoder and is swapped for its text."""

    def __init__(self):
        super().__init__(ensure_ascii=escapes_non_ascii())
        self.marker = "lambdarun-decimal-%s-" % uuid.uuid4().hex
        self.decimals = []

    def default(self, o):
        if isinstance(o, decimal.Decimal):
            self.decimals.append("NaN" if o.is_nan() else str(o))
            return "%s%d" % (self.marker, len(self.decimals) - 1)
        return super().default(o)

    def encode(self, o):
        text = super().encode(o)
        if not self.decimals:
            return text
        return re.sub('"%s(\\d+)"' % self.marker,
                      lambda match: self.decimals[int(match.group(1))], text)


def to_json(value):
    """Results and error documents alike, as UTF-8 JSON."""
    return AwsJsonEncoder().encode(value).encode("utf-8")


def parse_object(text):
    """Parses a JSON object header; anything else counts as absent."""
    try:
        value = json.loads(text) if text else None
    except ValueError:
        return None
    return value if isinstance(value, dict) else None


def handle(api, handler, response, body):
    request_id = response.getheader("Lambda-Runtime-Aws-Request-Id")
    RequestIdFilter.request_id = request_id
    deadline_ms = int(response.getheader("Lambda-Runtime-Deadline-Ms") or "0")
    arn = response.getheader("Lambda-Runtime-Invoked-Function-Arn")
    trace_id = response.getheader("Lambda-Runtime-Trace-Id")
    if trace_id:
        os.environ["_X_AMZN_TRACE_ID"] = trace_id
    else:
        os.environ.pop("_X_AMZN_TRACE_ID", None)
    client_context = response.getheader("Lambda-Runtime-Client-Context")
    identity = response.getheader("Lambda-Runtime-Cognito-Identity")
    try:
        event = json.loads(body) if body else None
    except ValueError as e:
        document = error_document("Runtime.UnmarshalError",
                                  "Unable to unmarshal input: %s" % e, [], request_id)
        log_error(document)
        post_error(api, "/invocation/%s/error" % request_id, document)
        return
    context = LambdaContext(request_id, deadline_ms, arn,
                            parse_object(client_context), parse_object(identity))
    try:
        result = handler(event, context)
    except Exception as e:
        document = error_document(type(e).__name__, str(e), user_stack(sys.exc_info()[2]),
                                  request_id)
    else:
        try:
            payload = to_json(result)
        except (TypeError, ValueError) as e:
            document = error_document("Runtime.MarshalError",
                                      "Unable to marshal response: %s" % e, [], request_id)
        else:
            sys.stdout.flush()
            sys.stderr.flush()
            api.call("POST", "/invocation/%s/response" % request_id, payload,
                     {"Content-Type": "application/json"})
            return
    log_error(document)
    post_error(api, "/invocation/%s/error" % request_id, document)


class RequestIdFilter(logging.Filter):
    """Adds the current request id to log records, as AWS's runtime does."""

    request_id = ""

    def filter(self, record):
        record.aws_request_id = RequestIdFilter.request_id
        return True


def configure_logging():
    handler = logging.StreamHandler(sys.stdout)
    handler.setFormatter(logging.Formatter(
        "[%(levelname)s]\t%(asctime)s.%(msecs)03dZ\t%(aws_request_id)s\t%(message)s",
        "%Y-%m-%dT%H:%M:%S"))
    handler.formatter.converter = time.gmtime
    handler.addFilter(RequestIdFilter())
    logging.getLogger().addHandler(handler)


def main():
    configure_logging()
    task_root = os.environ.get("LAMBDA_TASK_ROOT", os.getcwd())
    if task_root not in sys.path:
        sys.path.insert(0, task_root)
    api = RuntimeApi(os.environ["AWS_LAMBDA_RUNTIME_API"])
    handler = init(api)
    response, body = api.call("GET", "/invocation/next")
    while True:
        handle(api, handler, response, body)
        try:
            response, body = api.call("GET", "/invocation/next")
        except (OSError, http.client.HTTPException):
            # Once an event has been served, a Runtime API that is gone means lambdarun is shutting
            # the instance down (it closes the instance's port, then stops the process): exit
            # quietly instead of writing a traceback into the function's log.
            sys.exit(0)


if __name__ == "__main__":
    main()
