#!/usr/bin/env bash
# The lower bounds in pyproject.toml are true: install the lowest versions of the direct
# dependencies they allow (uv's lowest-direct resolution) into a venv of their own, then start
# the service from it on the embedded simulator and ask for /health and an account summary.
# The project's lock and .venv are not touched.
set -euo pipefail
SECONDS=0
cd "$(dirname "$0")/../.."
work="$(mktemp -d)"
pid=""
cleanup() {
  if [ -n "$pid" ]; then kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

uv pip compile pyproject.toml --quiet --resolution lowest-direct --python-version 3.11 \
  -o "$work/requirements.txt"
grep -E '^(fastmcp|litestar|pydantic-settings|uvicorn|ib-async|msgspec)==' "$work/requirements.txt"
uv venv --quiet --python 3.11 "$work/venv"
uv pip install --quiet --python "$work/venv" -r "$work/requirements.txt"
uv pip install --quiet --python "$work/venv" --no-deps .

"$work/venv/bin/ibkr-mcp" --version
"$work/venv/bin/ibkr-mcp" --help >/dev/null
port="$("$work/venv/bin/python" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
XDG_STATE_HOME="$work/state" "$work/venv/bin/ibkr-mcp" serve --port "$port" --log-format json \
  --no-monitor >"$work/service.log" 2>&1 &
pid=$!
"$work/venv/bin/python" - "$port" <<'EOF' || { cat "$work/service.log"; exit 1; }
import json, sys, time, urllib.error, urllib.request

base = f"http://127.0.0.1:{sys.argv[1]}"
deadline = time.monotonic() + 60
while True:
    try:
        with urllib.request.urlopen(base + "/health", timeout=5) as response:
            health = json.load(response)
            break
    except (urllib.error.URLError, ConnectionError):
        if time.monotonic() > deadline:
            sys.exit("the service did not answer /health within 60 s")
        time.sleep(0.3)
with urllib.request.urlopen(base + "/ibkr/account/summary", timeout=10) as response:
    summary = json.load(response)
assert response.status == 200 and summary, summary
print("lowest-direct: /health", health.get("status"), "and /ibkr/account/summary answered")
EOF
echo "lowest-direct check: ${SECONDS}s"
