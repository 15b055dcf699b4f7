"""Handler of runtime-docker's integration tests: reports what the workload sees."""
import importlib
import os
import subprocess
import time


def handler(event, context):
    action = event["action"]
    if action == "env":
        return {key: os.environ.get(key) for key in event["keys"]}
    if action == "statvfs":
        stat = os.statvfs(event["path"])
        return stat.f_blocks * stat.f_frsize
    if action == "mount":
        with open("/proc/mounts") as mounts:
            for line in mounts:
                parts = line.split()
                if parts[1] == event["path"]:
                    return {"type": parts[2], "options": parts[3].split(",")}
        return None
    if action == "exec_in_tmp":
        script = "/tmp/probe.sh"
        with open(script, "w") as out:
            out.write("#!/bin/sh\necho ran-from-tmp\n")
        os.chmod(script, 0o755)
        return subprocess.run([script], capture_output=True, text=True).stdout.strip()
    if action == "read":
        with open(event["path"]) as source:
            return source.read()
    if action == "stat":
        path = event["path"]
        return {
            "mode": oct(os.lstat(path).st_mode & 0o7777),
            "link": os.readlink(path) if os.path.islink(path) else None,
        }
    if action == "import":
        return importlib.import_module(event["module"]).VALUE
    if action == "memory_limit":
        for path in ("/sys/fs/cgroup/memory.max", "/sys/fs/cgroup/memory/memory.limit_in_bytes"):
            if os.path.exists(path):
                with open(path) as limit:
                    return limit.read().strip()
        return None
    if action == "sleep":
        time.sleep(event["seconds"])
        return "slept"
    if action == "echo":
        return event["value"]
    if action == "cwd_of_pid1":
        return os.readlink("/proc/1/cwd")
    return "unknown action " + action
