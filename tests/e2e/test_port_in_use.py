"""A port already in use is found before the gateway starts, and said in one line."""

from __future__ import annotations

import asyncio
import json
import os
import socket
import sys
import time
from pathlib import Path


async def test_a_busy_port_is_one_error_line_and_a_non_zero_exit(tmp_path: Path) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        started = time.monotonic()
        proc = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "entrypoints.cli", "serve", "--port", str(port),
            "--log-format", "json",
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
            env={**os.environ, "XDG_STATE_HOME": str(tmp_path)},
        )  # fmt: skip
        _, err = await asyncio.wait_for(proc.communicate(), 30)
    assert proc.returncode == 1
    events = [json.loads(line) for line in err.decode().splitlines() if line.strip()]
    errors = [e for e in events if e["level"] == "error"]
    assert [e["event"] for e in errors] == ["service.port_unavailable"], events
    assert f"127.0.0.1:{port}" in errors[0]["message"]
    assert "Address already in use" in errors[0]["message"]
    # Nothing started: no gateway, no simulator, no broker session.
    assert not [e for e in events if e["event"].startswith(("gateway.", "simulator.", "ib."))]
    assert time.monotonic() - started < 15
