#!/usr/bin/env bash
# Builds the images the tests run, locally, because no image registry is reachable (images/README.md):
#   lambdarun/test-python:latest  a Debian rootfs (debootstrap) with python3 and busybox, laid out as
#                                 AWS's base images (images/common, images/test-python), running the
#                                 local backend's Python runtime client (one client for both)
#   lambdarun/test-java:latest    the same with Debian's OpenJDK 17 JRE and AWS's Java runtime
#                                 interface client, fetched with Maven (images/test-java/pom.xml)
#   busybox:1.36                  FROM scratch: Debian's busybox-static binary and its applet links
# An image that already exists with the same source hash is reused, so a second run is quick and
# silent. Needs root (debootstrap, apt-get), Maven and a running Docker engine (scripts/ensure-docker.sh).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
IMAGES="$ROOT/images"
PYTHON_CLIENT="$ROOT/runtime-local/src/main/resources/io/lambdarun/local/lambdarun_runtime.py"
PYTHON_IMAGE=lambdarun/test-python:latest
JAVA_IMAGE=lambdarun/test-java:latest
BUSYBOX_IMAGE=busybox:1.36
PYTHON_PACKAGES=python3,busybox
JAVA_PACKAGES=python3,busybox,openjdk-17-jre-headless
HASH_LABEL=io.lambdarun.source-hash

log() { echo "build-test-images: $*" >&2; }

# Runs a command quietly, showing its output only when it fails.
quietly() {
  local out
  out=$(mktemp)
  if ! "$@" >"$out" 2>&1; then
    cat "$out" >&2
    rm -f "$out"
    log "failed: $*"
    return 1
  fi
  rm -f "$out"
}

hash_of() { sha256sum | cut -c1-16; }

dir_hash() { (cd "$1" && find . -type f -print0 | LC_ALL=C sort -z | xargs -0 sha256sum) | hash_of; }

image_exists() { docker image inspect "$1" >/dev/null 2>&1; }

image_hash() {
  docker image inspect -f "{{ index .Config.Labels \"$HASH_LABEL\" }}" "$1" 2>/dev/null || true
}

suite() {
  local codename=""
  if [[ -r /etc/os-release ]]; then
    codename=$(. /etc/os-release && echo "${VERSION_CODENAME:-}")
  fi
  echo "${codename:-bookworm}"
}

# The first Debian mirror in the machine's apt sources (deb822 or one-line format).
debian_mirror() {
  local uri=""
  if [[ -r /etc/apt/sources.list.d/debian.sources ]]; then
    uri=$(awk '/^URIs:/ && $2 !~ /security/ { print $2; exit }' /etc/apt/sources.list.d/debian.sources)
  fi
  if [[ -z "$uri" && -r /etc/apt/sources.list ]]; then
    uri=$(awk '$1 == "deb" && $0 !~ /security/ { for (i = 2; i <= NF; i++) if ($i ~ /^https?:/) { print $i; exit } }' \
      /etc/apt/sources.list)
  fi
  echo "${uri:-http://deb.debian.org/debian}"
}

apt_install() {
  if ! quietly apt-get install -y --no-install-recommends "$@"; then
    quietly apt-get update
    quietly apt-get install -y --no-install-recommends "$@"
  fi
}

# A Debian rootfs of the given packages imported as an image; built once per suite and packages.
build_base() {
  local tag=$1 suite=$2 packages=$3 mirror rootfs
  mirror=$(debian_mirror)
  command -v debootstrap >/dev/null || apt_install debootstrap
  rootfs=$(mktemp -d /var/tmp/lambdarun-rootfs.XXXXXX)
  log "debootstrap $suite from $mirror (a few minutes, once)"
  if ! quietly debootstrap --variant=minbase --include="$packages" "$suite" "$rootfs" "$mirror"; then
    rm -rf "$rootfs"
    return 1
  fi
  rm -rf "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/lib/apt/lists/*
  tar -C "$rootfs" --numeric-owner -c . | quietly docker import -c 'CMD ["/bin/bash"]' - "$tag"
  rm -rf "$rootfs"
}

# Builds an image from a context folder unless the image's source hash label says it is current.
build_image() {
  local image=$1 packages=$2 sources_hash=$3 context=$4 suite base hash status=0
  suite=$(suite)
  base="${image%%:*}-base:$suite-$(echo "$packages" | hash_of)"
  hash=$( { echo "$base"; echo "$sources_hash"; } | hash_of)
  if [[ "$(image_hash "$image")" == "$hash" ]]; then
    return 0
  fi
  image_exists "$base" || build_base "$base" "$suite" "$packages"
  log "building $image"
  # The classic builder needs no buildx plugin and works with every engine version.
  DOCKER_BUILDKIT=0 quietly docker build --build-arg "BASE=$base" --label "$HASH_LABEL=$hash" \
    -t "$image" "$context" || status=$?
  return "$status"
}

build_python_image() {
  local context status=0
  context=$(mktemp -d /var/tmp/lambdarun-context.XXXXXX)
  cp -R "$IMAGES/common/." "$IMAGES/test-python/." "$PYTHON_CLIENT" "$context/"
  build_image "$PYTHON_IMAGE" "$PYTHON_PACKAGES" "$(dir_hash "$context")" "$context" || status=$?
  rm -rf "$context"
  return "$status"
}

# AWS's Java runtime interface client and its dependencies go to lib/ of the context, fetched by
# Maven from the machine's repository or Maven Central; the hash covers the jars themselves.
build_java_image() {
  local context status=0
  context=$(mktemp -d /var/tmp/lambdarun-context.XXXXXX)
  cp -R "$IMAGES/common/." "$IMAGES/test-java/." "$context/"
  rm "$context/pom.xml"
  if ! quietly mvn -B -q -f "$IMAGES/test-java/pom.xml" dependency:copy-dependencies \
    -DincludeScope=runtime -DoutputDirectory="$context/lib"; then
    rm -rf "$context"
    return 1
  fi
  build_image "$JAVA_IMAGE" "$JAVA_PACKAGES" "$(dir_hash "$context")" "$context" || status=$?
  rm -rf "$context"
  return "$status"
}

build_busybox_image() {
  local rootfs applet
  image_exists "$BUSYBOX_IMAGE" && return 0
  [[ -x /bin/busybox ]] && file_is_static /bin/busybox || apt_install busybox-static
  rootfs=$(mktemp -d /var/tmp/lambdarun-busybox.XXXXXX)
  mkdir -p "$rootfs/bin" "$rootfs/tmp" "$rootfs/etc"
  cp /bin/busybox "$rootfs/bin/busybox"
  for applet in $(/bin/busybox --list); do
    [[ "$applet" == busybox ]] || ln -s busybox "$rootfs/bin/$applet"
  done
  chmod 1777 "$rootfs/tmp"
  echo 'root:x:0:0:root:/root:/bin/sh' >"$rootfs/etc/passwd"
  echo 'root:x:0:' >"$rootfs/etc/group"
  log "building $BUSYBOX_IMAGE from $(/bin/busybox | head -1)"
  tar -C "$rootfs" --numeric-owner -c . |
    quietly docker import -c 'CMD ["sh"]' -c 'ENV PATH=/bin' - "$BUSYBOX_IMAGE"
  rm -rf "$rootfs"
}

# Debian's busybox-static is statically linked; the dynamic one would not run FROM scratch.
file_is_static() { ! grep -q 'ld-linux' <(head -c 4096 "$1" | tr -c '[:print:]' '\n'); }

docker version >/dev/null 2>&1 || { log "no Docker engine answers; run scripts/ensure-docker.sh first"; exit 1; }
build_python_image
build_java_image
build_busybox_image
