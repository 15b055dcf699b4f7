#!/usr/bin/env bash
# Makes sure a Docker engine answers on this machine, for the tests of runtime-docker:
#  - installs Debian's docker.io when dockerd or the docker CLI is missing (needs root and apt);
#  - starts dockerd in the background when no engine answers, after removing the pid files a killed
#    dockerd leaves: its own (dockerd refuses to start while /var/run/docker.pid names another
#    process) and its containerd's (see forget_dead_containerd);
#  - waits for the engine, at most LAMBDARUN_DOCKERD_WAIT seconds (default 60).
# Idempotent and silent when the engine already answers. dockerd's output goes to
# LAMBDARUN_DOCKERD_LOG (default /var/log/lambdarun-dockerd.log); its pid file is
# LAMBDARUN_DOCKERD_PIDFILE (default /var/run/docker.pid). Fails at once if dockerd exits.
set -euo pipefail

LOG=${LAMBDARUN_DOCKERD_LOG:-/var/log/lambdarun-dockerd.log}
WAIT=${LAMBDARUN_DOCKERD_WAIT:-60}
PIDFILE=${LAMBDARUN_DOCKERD_PIDFILE:-/var/run/docker.pid}
CONTAINERD_PIDFILE=/var/run/docker/containerd/containerd.pid

log() { echo "ensure-docker: $*" >&2; }

answering() { docker version >/dev/null 2>&1; }

install_docker() {
  log "installing Debian's docker.io"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null
  apt-get install -y -qq --no-install-recommends docker.io >/dev/null
}

# True when the pid in file $1 names a live process (not a zombie) whose command is $2.
running() {
  local pid stat
  [[ -r "$1" ]] || return 1
  pid=$(cat "$1" 2>/dev/null || true)
  [[ "$pid" =~ ^[0-9]+$ ]] || return 1
  stat=$(cat "/proc/$pid/stat" 2>/dev/null) || return 1
  [[ "$(cat "/proc/$pid/comm" 2>/dev/null || true)" == "$2" ]] && [[ "${stat##*) }" != Z* ]]
}

dockerd_running() { running "$PIDFILE" dockerd; }

# A killed dockerd takes the containerd it started along (parent-death signal), but that containerd's
# pid stays in /proc as a zombie until init reaps it, a second or more on some machines. dockerd
# 20.10 takes any pid in containerd's pid file that is still in /proc for a running containerd,
# waits for a socket nobody serves and exits ("timeout waiting for containerd to start"). So: give
# a dying containerd a moment, then drop a pid file that names no running containerd.
forget_dead_containerd() {
  local deadline=$((SECONDS + 5))
  [[ -e "$CONTAINERD_PIDFILE" ]] || return 0
  while running "$CONTAINERD_PIDFILE" containerd && ((SECONDS < deadline)); do
    sleep 0.1
  done
  if ! running "$CONTAINERD_PIDFILE" containerd; then
    log "removing stale $CONTAINERD_PIDFILE"
    rm -f "$CONTAINERD_PIDFILE"
  fi
}

start_dockerd() {
  if [[ -e "$PIDFILE" ]] && ! dockerd_running; then
    log "removing stale $PIDFILE"
    rm -f "$PIDFILE"
  fi
  if ! dockerd_running; then
    forget_dead_containerd
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
