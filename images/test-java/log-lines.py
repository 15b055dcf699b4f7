#!/usr/bin/python3
"""Writes the log records of AWS's Java runtime interface client as lines on standard output.

The Java test image's bootstrap gives the client _LAMBDA_TELEMETRY_LOG_FD, the descriptor Lambda
gives it, as a pipe to this script. The client then writes each context.getLogger().log(...) call
as one frame: a 16-byte big-endian header (4 bytes type, 4 bytes length, 8 bytes timestamp) and
the message. Lambda makes each frame one log event; this script makes it one line. Without it the
client writes the messages to standard output as they are, with no line ending, and the engines'
log drivers (Docker's, the kubelet's) hold a line back until its newline comes.
"""

import sys

HEADER_LENGTH = 16


def main():
    frames = sys.stdin.buffer
    out = sys.stdout.buffer
    while True:
        header = frames.read(HEADER_LENGTH)
        if len(header) < HEADER_LENGTH:
            return
        message = frames.read(int.from_bytes(header[4:8], "big"))
        out.write(message if message.endswith(b"\n") else message + b"\n")
        out.flush()


if __name__ == "__main__":
    main()
