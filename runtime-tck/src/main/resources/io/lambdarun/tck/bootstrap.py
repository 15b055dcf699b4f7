#!/usr/bin/env python3
"""The TCK's custom runtime (provided.*): a bootstrap that speaks the Lambda Runtime API itself."""
import json
import os
import urllib.request

API = "http://" + os.environ["AWS_LAMBDA_RUNTIME_API"] + "/2018-06-01/runtime/invocation/"
HERE = os.path.dirname(os.path.realpath(__file__))


def answer(event):
    if event.get("action") == "where":
        return "/response", {}, {
            "folder": HERE,
            "runtimeDir": os.path.realpath(os.environ.get("LAMBDA_RUNTIME_DIR", "/var/runtime")),
            "dataExecutable": os.access(os.path.join(HERE, "data.txt"), os.X_OK),
        }
    error = {"errorMessage": event["message"], "errorType": "TckError"}
    return "/error", {"Lambda-Runtime-Function-Error-Type": event["kind"]}, error


while True:
    with urllib.request.urlopen(API + "next") as request:
        request_id = request.headers["Lambda-Runtime-Aws-Request-Id"]
        event = json.loads(request.read())
    path, headers, body = answer(event)
    headers["Content-Type"] = "application/json"
    post = urllib.request.Request(
        API + request_id + path, data=json.dumps(body).encode(), headers=headers, method="POST")
    urllib.request.urlopen(post).read()
