#!/usr/bin/env bash
# Start a private Docker engine for the gateway tests and build the fake gateway image.
#
# Usage (as root):  bash deploy/ci/start-dockerd.sh
#   then:           export DOCKER_HOST=unix:///tmp/ibkr-mcp-docker.sock
# Idempotent: an engine already answering on the socket is reused. The socket path can be
# changed with IBKR_MCP_DOCKER_SOCK. Exits non-zero (with the engine log) when the engine
# does not come up, so CI fails loudly instead of skipping the Docker tests.
set -euo pipefail

SOCK="${IBKR_MCP_DOCKER_SOCK:-/tmp/ibkr-mcp-docker.sock}"
DATA_ROOT="${IBKR_MCP_DOCKER_DATA:-/tmp/ibkr-mcp-docker}"
LOG="${DATA_ROOT}.log"
HERE="$(cd "$(dirname "$0")" && pwd)"

need_packages=()
command -v dockerd >/dev/null 2>&1 || need_packages+=(docker.io)
command -v docker >/dev/null 2>&1 || need_packages+=(docker.io)
# The fake gateway image needs a static busybox (the dynamic one has no libc in the image).
if [ ! -x /bin/busybox ] || ldd /bin/busybox >/dev/null 2>&1; then
  need_packages+=(busybox-static)
fi
if [ "${#need_packages[@]}" -gt 0 ]; then
  echo "installing: ${need_packages[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${need_packages[@]}" >/dev/null
fi

engine_up() { timeout 10 docker -H "unix://$SOCK" info >/dev/null 2>&1; }

if engine_up; then
  echo "docker engine already answering on unix://$SOCK"
else
  mkdir -p "$DATA_ROOT"
  rm -f "$SOCK"
  # A pidfile left by an engine that was killed with its session would stop dockerd starting.
  if [ -f "$DATA_ROOT.pid" ] && ! kill -0 "$(cat "$DATA_ROOT.pid")" 2>/dev/null; then
    rm -f "$DATA_ROOT.pid"
  fi
  # vfs: overlayfs is not available inside this sandbox. The default bridge network works
  # here, and so does publishing ports on 127.0.0.1 (through docker-proxy), which the
  # gateway tests rely on; extra flags can be passed in IBKR_MCP_DOCKERD_FLAGS.
  nohup dockerd \
    -H "unix://$SOCK" \
    --data-root "$DATA_ROOT" \
    --exec-root "$DATA_ROOT-exec" \
    --pidfile "$DATA_ROOT.pid" \
    --storage-driver vfs \
    ${IBKR_MCP_DOCKERD_FLAGS:-} \
    >"$LOG" 2>&1 &
  for _ in $(seq 1 60); do
    engine_up && break
    sleep 1
  done
  if ! engine_up; then
    echo "dockerd did not answer on unix://$SOCK within 60 s; its log:" >&2
    tail -n 40 "$LOG" >&2 || true
    exit 1
  fi
  echo "docker engine started on unix://$SOCK (log: $LOG)"
fi

DOCKER_HOST="unix://$SOCK" bash "$HERE/../fake-gateway/build-image.sh"
