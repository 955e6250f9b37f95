#!/usr/bin/env bash
# Build ibkr-mcp/fake-gateway:test with `docker import` from a busybox-static root filesystem:
# no registry is needed. Uses DOCKER_HOST when set. Needs /bin/busybox (busybox-static).
#   usage: DOCKER_HOST=unix:///tmp/ibkr-mcp-docker.sock bash deploy/fake-gateway/build-image.sh [TAG]
set -euo pipefail

TAG="${1:-ibkr-mcp/fake-gateway:test}"
HERE="$(cd "$(dirname "$0")" && pwd)"
BUSYBOX=/bin/busybox
if [ ! -x "$BUSYBOX" ] || ldd "$BUSYBOX" >/dev/null 2>&1; then
  echo "$BUSYBOX is missing or not static: apt-get install -y busybox-static" >&2
  exit 1
fi

# Skip the build when the tagged image already holds this entrypoint and busybox.
STAMP="$(cat "$HERE/entrypoint.sh" "$BUSYBOX" | sha256sum | cut -c1-16)"
CURRENT="$(docker image inspect --format '{{ index .Config.Labels "io.ibkr-mcp.fake-gateway.stamp" }}' "$TAG" 2>/dev/null || true)"
if [ "$CURRENT" = "$STAMP" ]; then
  echo "$TAG is up to date"
  exit 0
fi

ROOT="$(mktemp -d)"
trap 'rm -rf "$ROOT"' EXIT
mkdir -p "$ROOT"/{bin,etc,tmp,run/secrets}
cp "$BUSYBOX" "$ROOT/bin/busybox"
for applet in sh cat echo sleep nc kill ls env; do
  ln -s busybox "$ROOT/bin/$applet"
done
install -m 0755 "$HERE/entrypoint.sh" "$ROOT/entrypoint.sh"
echo "root:x:0:0:root:/:/bin/sh" >"$ROOT/etc/passwd"

tar -C "$ROOT" -c . | docker import \
  --change 'ENTRYPOINT ["/entrypoint.sh"]' \
  --change 'ENV PATH=/bin' \
  --change 'EXPOSE 4004/tcp' \
  --change 'LABEL org.opencontainers.image.title=ibkr-mcp-fake-gateway' \
  --change "LABEL io.ibkr-mcp.fake-gateway.stamp=$STAMP" \
  - "$TAG" >/dev/null
echo "built $TAG"
