#!/bin/sh
# The entry point of lambdarun's test images, with the switch of AWS's base images: without
# AWS_LAMBDA_RUNTIME_API the image runs the RIE-compatible emulator (invoke endpoint on :8080,
# Runtime API on 127.0.0.1:9001 inside the container), which starts /var/runtime/bootstrap for each
# runtime process; with it, the platform hosts the Runtime API and the bootstrap runs directly.
if [ $# -ne 1 ]; then
  echo "entrypoint requires the handler name to be the first argument" 1>&2
  exit 142
fi
export _HANDLER="$1"

RUNTIME_ENTRYPOINT=/var/runtime/bootstrap
if [ -z "${AWS_LAMBDA_RUNTIME_API}" ]; then
  exec /usr/local/bin/aws-lambda-rie "$RUNTIME_ENTRYPOINT"
else
  exec "$RUNTIME_ENTRYPOINT"
fi
