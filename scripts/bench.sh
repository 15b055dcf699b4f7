#!/usr/bin/env bash
# Runs lambdarun's benchmarks (not part of the test run) and prints each figure as a ratio against
# its floor measured in the same run, on the same machine.
#
#   scripts/bench.sh [figure...]     figures: docker-cold warm scaling k8s-ready local-cold
#                                    local-cold-java footprint scale-cold overhead
#                                    footprint-rss sandbox provisioned
#                                    (none or "all": every figure)
#   BENCH_OPTS="-Dbench.rounds=20"   harness settings (see BENCHMARKS.md)
#
# Each figure states the instance mode it measures: Runtime API mode (local always; docker with
# lambdarun.docker.network=host, which the harness sets, so that all traffic stays on 127.0.0.1)
# and, for docker and kubernetes, RIE-endpoint mode beside it (the docker-rie / kubernetes-rie arms).
#   BENCH_SKIP_SETUP=1               do not call ensure-docker.sh / build-test-images.sh
#   BENCH_MVN_ARGS=""                Maven flags (default -o: offline, after scripts/test-all.sh)
#
# Builds what it needs from a private copy of the working tree (so builds other people run in the
# same tree and this one cannot corrupt each other's classes), makes sure the engine and the test
# images exist, then writes each figure's Markdown to integration-tests/target/bench/<figure>.md
# and everything together to integration-tests/target/bench/results.md.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)

if [[ "${BENCH_SKIP_SETUP:-}" != 1 ]]; then
  bash scripts/ensure-docker.sh >&2
  bash scripts/build-test-images.sh >&2   # reuses images whose source hash matches: quick
fi

BUILD=$(mktemp -d /tmp/lambdarun-bench.XXXXXX)
trap 'rm -rf "$BUILD"' EXIT
tar -C "$ROOT" --exclude=./.git --exclude='./*/target' --exclude=./target -cf - . | tar -C "$BUILD" -xf -
(cd "$BUILD" && mvn -q -B -ntp ${BENCH_MVN_ARGS--o} -pl integration-tests,examples/hello-java -am test-compile \
  dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile=target/bench.classpath \
  -DskipTests >&2)
CP="$BUILD/integration-tests/target/test-classes:$(cat "$BUILD/integration-tests/target/bench.classpath")"

OUT=$ROOT/integration-tests/target/bench
mkdir -p "$OUT"
{
  echo "- date: $(date -u +%Y-%m-%dT%H:%MZ), commit $(git -C "$ROOT" rev-parse --short HEAD)$(git -C "$ROOT" diff --quiet HEAD -- . 2>/dev/null || echo ' (working tree has uncommitted changes)')"
  echo "- machine: nproc $(nproc), memory $(free -g | awk '/^Mem:/{print $2}') GiB, $(uname -sr)"
  echo "- JDK: $(java -version 2>&1 | head -2 | tail -1)"
  echo "- Docker: $(docker version --format 'engine {{.Server.Version}}, API {{.Server.APIVersion}}' 2>/dev/null || echo none)"
  echo "- python3: $(python3 -c 'import sys; print(sys.version.split()[0], sys.executable)' 2>&1)"
  echo "- load average (1/5/15 min) before the run: $(cut -d' ' -f1-3 /proc/loadavg)"
  echo "- command: scripts/bench.sh $*${BENCH_OPTS:+ (BENCH_OPTS=\"$BENCH_OPTS\")}"
} > "$OUT/machine.md"
cat "$OUT/machine.md"

figures=("$@")
if [[ ${#figures[@]} -eq 0 || " ${figures[*]} " == *" all "* ]]; then
  figures=(docker-cold warm scaling k8s-ready local-cold local-cold-java footprint scale-cold overhead
    footprint-rss sandbox provisioned)
fi
status=0
for figure in "${figures[@]}"; do
  # one JVM per figure: no threads, heap or JIT state carried from one figure to the next
  (cd "$BUILD/integration-tests" && java -Xms256m -Xmx1g -XX:+UseG1GC -Dsun.net.httpserver.nodelay=true \
    -Dorg.slf4j.simpleLogger.defaultLogLevel=warn -Dorg.slf4j.simpleLogger.log.io.lambdarun=warn \
    -Dbench.out="$OUT" ${BENCH_OPTS:-} -cp "$CP" io.lambdarun.it.bench.Bench "$figure") || status=$?
done

echo "- load average (1/5/15 min) after the run: $(cut -d' ' -f1-3 /proc/loadavg)" >> "$OUT/machine.md"
{
  cat "$OUT/machine.md"
  for figure in "${figures[@]}"; do
    echo
    echo "### $figure"
    echo
    cat "$OUT/$figure.md"
  done
} > "$OUT/results.md"
echo "results: $OUT/results.md" >&2
exit $status
