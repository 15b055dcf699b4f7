#!/usr/bin/env bash
# Runs every test of lambdarun on a fresh machine: installs and starts the Docker engine when needed,
# builds the local test images (no registry is reachable), then runs unit tests (surefire) and
# integration tests on the real engine (failsafe) for every module.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/ensure-docker.sh
bash scripts/build-test-images.sh
mvn -B -ntp verify "$@"
