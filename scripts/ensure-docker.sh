#!/usr/bin/env bash
# Makes sure a Docker engine answers on this machine, for the tests of runtime-docker:
#  - installs Debian's docker.io when dockerd or the docker CLI is missing (needs root and apt);
#  - starts dockerd in the background when no engine answers, after removing a pid file left by a
#    killed dockerd (dockerd refuses to start while /var/run/docker.pid names another process);
#  - waits for the engine, at most LAMBDARUN_DOCKERD_WAIT seconds (default 60).
# Idempotent and silent when the engine already answers. dockerd's output goes to
# LAMBDARUN_DOCKERD_LOG (default /var/log/lambdarun-dockerd.log); its pid file is
# LAMBDARUN_DOCKERD_PIDFILE (default /var/run/docker.pid). Fails at once if dockerd exits.
set -euo pipefail

LOG=${LAMBDARUN_DOCKERD_LOG:-/var/log/lambdarun-dockerd.log}
WAIT=${LAMBDARUN_DOCKERD_WAIT:-60}
PIDFILE=${LAMBDARUN_DOCKERD_PIDFILE:-/var/run/docker.pid}

log() { echo "ensure-docker: $*" >&2; }

answering() { docker version >/dev/null 2>&1; }

install_docker() {
  log "installing Debian's docker.io"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null
  apt-get install -y -qq --no-install-recommends docker.io >/dev/null
}

dockerd_running() {
  local pid
  [[ -r "$PIDFILE" ]] || return 1
  pid=$(cat "$PIDFILE" 2>/dev/null || true)
  [[ "$pid" =~ ^[0-9]+$ ]] && [[ "$(cat "/proc/$pid/comm" 2>/dev/null || true)" == dockerd ]]
}

start_dockerd() {
  if [[ -e "$PIDFILE" ]] && ! dockerd_running; then
    log "removing stale $PIDFILE"
    rm -f "$PIDFILE"
  fi
  if ! dockerd_running; then
    log "starting dockerd (log: $LOG)"
    mkdir -p "$(dirname "$LOG")"
    setsid nohup dockerd --pidfile "$PIDFILE" >>"$LOG" 2>&1 </dev/null &
    started_pid=$!
  fi
}

if command -v docker >/dev/null && answering; then
  exit 0
fi
if ! command -v dockerd >/dev/null || ! command -v docker >/dev/null; then
  install_docker
fi
started_pid=""
answering || start_dockerd
deadline=$((SECONDS + WAIT))
until answering; do
  if [[ -n "$started_pid" ]] && ! kill -0 "$started_pid" 2>/dev/null; then
    log "dockerd exited; last lines of $LOG:"
    tail -n 20 "$LOG" >&2 || true
    exit 1
  fi
  if ((SECONDS >= deadline)); then
    log "no Docker engine answered within ${WAIT}s; last lines of $LOG:"
    tail -n 20 "$LOG" >&2 || true
    exit 1
  fi
  sleep 0.2
done
