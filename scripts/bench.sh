#!/usr/bin/env bash
# Runs lambdarun's benchmarks (not part of the test run) and prints each figure as a ratio against
# its floor measured in the same run. Usage: scripts/bench.sh [figure...]
#   figures: docker-cold warm scaling k8s-ready local-cold footprint (default: all)
#   settings: BENCH_OPTS="-Dbench.rounds=15 -Dbench.warmup=2" (see BENCHMARKS.md)
# Builds what it needs offline, makes sure the engine and the test images exist, and writes each
# figure's Markdown fragment to integration-tests/target/bench/<figure>.md plus machine.md.
set -euo pipefail
cd "$(dirname "$0")/.."

if [[ "${BENCH_SKIP_SETUP:-}" != 1 ]]; then
  bash scripts/ensure-docker.sh >&2
  if ! docker image inspect lambdarun/test-python:latest >/dev/null 2>&1; then
    bash scripts/build-test-images.sh >&2
  fi
fi

# The warm figure also runs on an overlay of the test image that differs only by TCP_NODELAY in
# its rie.py (the stock one stalls ~40 ms per call on Nagle + delayed ACK; see BENCHMARKS.md).
if ! docker image inspect lambdarun/bench-python-nodelay:latest >/dev/null 2>&1; then
  overlay=$(mktemp -d)
  docker run --rm --entrypoint cat lambdarun/test-python:latest /var/lambdarun/rie.py > "$overlay/rie.py"
  sed -i 's/^    protocol_version = "HTTP\/1.1"$/&\n    disable_nagle_algorithm = True/' "$overlay/rie.py"
  grep -q 'disable_nagle_algorithm = True' "$overlay/rie.py"
  printf 'FROM lambdarun/test-python:latest\nCOPY rie.py /var/lambdarun/rie.py\n' > "$overlay/Dockerfile"
  docker build -q -t lambdarun/bench-python-nodelay:latest "$overlay" >&2
  rm -rf "$overlay"
fi

MVN_OFFLINE=-o
mvn -q -B -ntp $MVN_OFFLINE -pl integration-tests -am test-compile \
  dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile=target/bench.classpath \
  -DskipTests >&2
# Snapshot the reactor's class folders into jars, so a build another user starts in this working
# tree (mvn clean, recompiles) cannot pull classes from under a running benchmark.
ROOT=$(pwd)
LIB=$ROOT/integration-tests/target/bench-lib
rm -rf "$LIB" && mkdir -p "$LIB"
CP=""
IFS=: read -r -a ENTRIES <<< "$ROOT/integration-tests/target/test-classes:$(cat integration-tests/target/bench.classpath)"
for entry in "${ENTRIES[@]}"; do
  if [[ -d "$entry" ]]; then
    name=$(echo "${entry#"$ROOT"/}" | tr '/' '_').jar
    jar cf "$LIB/$name" -C "$entry" .
    entry="$LIB/$name"
  fi
  CP="${CP:+$CP:}$entry"
done

OUT=integration-tests/target/bench
mkdir -p "$OUT"
{
  echo "- date: $(date -u +%Y-%m-%dT%H:%MZ)"
  echo "- host: nproc $(nproc), memory $(free -g | awk '/^Mem:/{print $2}') GiB, $(uname -sr)"
  echo "- JDK: $(java -version 2>&1 | head -2 | tail -1)"
  echo "- Docker: $(docker version --format 'engine {{.Server.Version}}, API {{.Server.APIVersion}}' 2>/dev/null || echo none)"
  echo "- python3: $(python3 --version 2>&1)"
  echo "- load average before the run: $(cut -d' ' -f1-3 /proc/loadavg)"
  echo "- command: scripts/bench.sh $*"
} > "$OUT/machine.md"
cat "$OUT/machine.md"

cd integration-tests
exec java -Xms256m -Xmx1g -XX:+UseG1GC -Dsun.net.httpserver.nodelay=true \
  -Dorg.slf4j.simpleLogger.defaultLogLevel=warn -Dorg.slf4j.simpleLogger.log.io.lambdarun=warn \
  -Dbench.out=target/bench ${BENCH_OPTS:-} \
  -cp "$CP" \
  io.lambdarun.it.bench.Bench "$@"
