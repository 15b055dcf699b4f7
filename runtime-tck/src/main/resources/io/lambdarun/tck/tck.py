"""The handler every lambdarun backend runs in the TCK. Standard library only, no outbound calls."""
import os
import sys
import time

# a start-up that outlasts the launch's readiness wait (the TCK sets it to check a timed-out readiness)
if os.environ.get("TCK_INIT_SLEEP_SECONDS"):
    time.sleep(float(os.environ["TCK_INIT_SLEEP_SECONDS"]))

# a start-up line, written before the first event: a followed log must deliver it first
print("tck-start-up")
sys.stdout.flush()


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
    if action == "lines":
        for i in range(event["count"]):
            print(event["prefix"] + "-" + str(i))
            if i == event["count"] // 2:
                print(event["prefix"] + "-stderr", file=sys.stderr)
        sys.stdout.flush()
        sys.stderr.flush()
        return "printed"
    if action == "allocate":
        # written, not only reserved, so the pages count as used
        data = b"x" * (event["mib"] * 1024 * 1024)
        return "allocated %d" % len(data)
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
