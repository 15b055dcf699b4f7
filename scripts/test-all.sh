#!/usr/bin/env bash
# Runs every test of lambdarun on a fresh machine: installs what the local backend's tests run
# (python3, node, curl), the AWS CLI v2 that drives 'lambdarun serve' (Debian's awscli at
# /usr/bin/aws; another 'aws' on the PATH may be v1), the AWS SDK for JavaScript v3 (npm ci) and
# the Docker engine when missing, starts the engine, builds the local test images (no registry is
# reachable), then runs unit tests (surefire) and integration tests on the real engine (failsafe)
# for every module.
set -euo pipefail
cd "$(dirname "$0")/.."

# Debian package names of the commands the local backend's tests start.
missing=()
command -v python3 >/dev/null || missing+=(python3)
command -v node >/dev/null || missing+=(nodejs)
command -v curl >/dev/null || missing+=(curl)
[ -x /usr/bin/aws ] || missing+=(awscli)
# the AWS SDK for JavaScript v3 that drives 'lambdarun serve' (pinned in its package-lock.json)
js_client=runtime-server/src/test/js
if [ ! -d "$js_client/node_modules/@aws-sdk/client-lambda" ] && ! command -v npm >/dev/null; then
  missing+=(npm)
fi
if ((${#missing[@]})); then
  echo "test-all: installing ${missing[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

if [ ! -d "$js_client/node_modules/@aws-sdk/client-lambda" ]; then
  echo "test-all: installing the AWS SDK for JavaScript into $js_client" >&2
  npm ci --prefix "$js_client" --no-audit --no-fund >/dev/null
fi

bash scripts/ensure-docker.sh
bash scripts/build-test-images.sh
mvn -B -ntp verify "$@"
