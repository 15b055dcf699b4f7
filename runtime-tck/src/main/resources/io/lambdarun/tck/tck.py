"""The handler every lambdarun backend runs in the TCK. Standard library only, no outbound calls."""
import os
import sys
import time

# a start-up that outlasts the launch's readiness wait (the TCK sets it to check a timed-out readiness)
if os.environ.get("TCK_INIT_SLEEP_SECONDS"):
    time.sleep(float(os.environ["TCK_INIT_SLEEP_SECONDS"]))


def handler(event, context):
    action = event.get("action")
    if action == "echo":
        return event["value"]
    if action == "env":
        # hex-encoded values keep the answer ASCII, so any backend's JSON encoding compares exactly
        parts = []
        for key in event["keys"]:
            value = os.environ.get(key)
            parts.append(key + "=" + ("<unset>" if value is None else value.encode("utf-8").hex()))
        return "|".join(parts)
    if action == "log":
        print(event["marker"])
        sys.stdout.flush()
        return "logged"
    if action == "fail":
        raise ValueError(event["message"])
    if action == "sleep":
        time.sleep(event["seconds"])
        return "slept"
    if action == "import":
        # layers are importable from /opt/python, as on Lambda
        return __import__(event["module"]).VALUE
    if action == "exit":
        os._exit(event["status"])
    return "unknown action"
