#!/usr/bin/env bash
# Builds the local AppContainer base image from Debian's packages, for machines that cannot pull from a registry.
# Result: a Docker image (default tag cms-base:bookworm) with Node.js, npm, a Java 17 runtime and CA certificates.
# Use it with CMS_BASE_IMAGE=cms-base:bookworm. Needs root, debootstrap and a running Docker engine.
set -euo pipefail

TAG="${1:-${CMS_LOCAL_BASE_TAG:-cms-base:bookworm}}"
MIRROR="${DEBIAN_MIRROR:-http://deb.debian.org/debian}"
FORCE="${FORCE:-0}"

if [ "$FORCE" != 1 ] && docker image inspect "$TAG" >/dev/null 2>&1; then
  echo "base image $TAG already present (FORCE=1 rebuilds it)"
  exit 0
fi
command -v debootstrap >/dev/null || { echo "debootstrap missing: apt-get install -y debootstrap" >&2; exit 1; }

ROOT="$(mktemp -d /tmp/cms-base.XXXXXX)"
cleanup() {
  umount "$ROOT/proc" 2>/dev/null || true
  rm -rf "$ROOT"
}
trap cleanup EXIT

echo "[base-image] debootstrap bookworm (minbase) into $ROOT"
debootstrap --variant=minbase bookworm "$ROOT" "$MIRROR" >/tmp/cms-base-debootstrap.log 2>&1 \
  || { tail -50 /tmp/cms-base-debootstrap.log >&2; exit 1; }

echo "[base-image] installing nodejs, npm, openjdk-17-jre-headless, ca-certificates"
mount -t proc proc "$ROOT/proc"
cp /etc/resolv.conf "$ROOT/etc/resolv.conf"
chroot "$ROOT" /bin/sh -c 'export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq &&
  apt-get install -y -qq --no-install-recommends nodejs npm openjdk-17-jre-headless ca-certificates procps >/dev/null &&
  apt-get clean && rm -rf /var/lib/apt/lists/*' 
umount "$ROOT/proc"
: > "$ROOT/etc/resolv.conf"

echo "[base-image] docker import as $TAG"
tar -C "$ROOT" -c . | docker import \
  -c 'ENV LANG=C.UTF-8' \
  -c 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
  -c 'CMD ["/bin/bash"]' - "$TAG" >/dev/null
echo "[base-image] done: $(docker image inspect -f '{{.Id}} {{.Size}}' "$TAG")"
