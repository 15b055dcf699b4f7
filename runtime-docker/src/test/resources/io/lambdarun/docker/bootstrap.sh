#!/bin/sh
# A custom runtime in shell: loops on the Runtime API with busybox wget.
set -eu
api="http://${AWS_LAMBDA_RUNTIME_API}/2018-06-01/runtime"
while true; do
  busybox wget -q -S -O /tmp/event "$api/invocation/next" 2>/tmp/headers
  id=$(sed -n 's/^ *Lambda-Runtime-Aws-Request-Id: *//p' /tmp/headers | tr -d '\r')
  echo "bootstrap handling $id"
  printf '{"handler":"%s","runtime_dir":"%s","event":%s}' \
    "$_HANDLER" "$(dirname "$0")" "$(cat /tmp/event)" >/tmp/response
  busybox wget -q -O /dev/null --post-file /tmp/response "$api/invocation/$id/response"
done
