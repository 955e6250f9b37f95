#!/usr/bin/env bash
# Make a Python base image from Debian's packages and import it: for machines that reach
# Debian's archive and PyPI but no image registry (this project's CI). The image holds a
# minimal Debian (debootstrap's minbase) with python3 and python3-venv, nothing else.
#
# Usage (as root, with DOCKER_HOST set if the engine is not the default one):
#   bash deploy/docker/make-base-image.sh [TAG]        # TAG: local/debian-python:bookworm
#   docker build -f deploy/docker/Dockerfile --build-arg PYTHON_IMAGE=TAG -t ibkr-mcp:local .
#
# An image already tagged TAG is kept (IBKR_MCP_BASE_FORCE=1 makes it anew). The Debian suite
# and mirror can be changed with IBKR_MCP_BASE_SUITE and IBKR_MCP_BASE_MIRROR. Where HTTPS goes
# through an intercepting proxy, the host's CA bundle (/etc/ssl/certs/ca-certificates.crt) is
# copied in and named by SSL_CERT_FILE and PIP_CERT, so pip and uv in the build trust it.
set -euo pipefail

TAG="${1:-local/debian-python:bookworm}"
SUITE="${IBKR_MCP_BASE_SUITE:-bookworm}"
MIRROR="${IBKR_MCP_BASE_MIRROR:-http://deb.debian.org/debian}"
CA_BUNDLE=/etc/ssl/certs/ca-certificates.crt

if [ -z "${IBKR_MCP_BASE_FORCE:-}" ] && docker image inspect "$TAG" >/dev/null 2>&1; then
  echo "base image $TAG exists: kept (IBKR_MCP_BASE_FORCE=1 makes it anew)"
  exit 0
fi
if ! command -v debootstrap >/dev/null 2>&1; then
  echo "installing: debootstrap"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends debootstrap >/dev/null
fi

rootfs="$(mktemp -d "${TMPDIR:-/tmp}/ibkr-mcp-rootfs.XXXXXX")"
trap 'rm -rf "$rootfs"' EXIT
chmod 0755 "$rootfs" # it becomes the image's /: mktemp's 0700 would lock out every other user
debootstrap --variant=minbase --include=python3,python3-venv "$SUITE" "$rootfs" "$MIRROR" \
  >"$rootfs.log" 2>&1 || { tail -n 30 "$rootfs.log" >&2; rm -f "$rootfs.log"; exit 1; }
rm -f "$rootfs.log"
# Smaller: no package archives or lists (the image installs nothing with apt), no docs.
rm -rf "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/lib/apt/lists/* \
  "$rootfs"/usr/share/doc/* "$rootfs"/usr/share/man/* "$rootfs"/usr/share/info/* \
  "$rootfs"/usr/share/locale/* "$rootfs"/var/log/*

changes=(
  --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'
  --change 'ENV LANG=C.UTF-8'
  --change 'CMD ["python3"]'
)
if [ -f "$CA_BUNDLE" ]; then
  install -D -m 0644 "$CA_BUNDLE" "$rootfs$CA_BUNDLE"
  changes+=(--change "ENV SSL_CERT_FILE=$CA_BUNDLE" --change "ENV PIP_CERT=$CA_BUNDLE")
fi
tar --numeric-owner -C "$rootfs" -c . | docker import "${changes[@]}" - "$TAG" >/dev/null
echo "base image $TAG made from Debian $SUITE ($(docker image inspect -f '{{.Size}}' "$TAG") bytes)"
