"""``ibkr-mcp serve`` as separate OS processes on one gateway: what two instances really are."""

from __future__ import annotations

import asyncio
import contextlib
import socket
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import httpx

REPO = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@asynccontextmanager
async def service_process(
    *, ib_port: int, client_id: int, journal_dsn: str, state: Path, limit: float = 30.0
) -> AsyncIterator[str]:
    """One service on the external gateway at ``ib_port``; yields its base URL once the broker
    is connected, and stops it (SIGTERM, then SIGKILL) on exit."""
    port = free_port()
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "entrypoints.cli", "serve", "--port", str(port),
        "--gateway", "external", "--ib-port", str(ib_port), "--ib-client-id", str(client_id),
        "--journal-dsn", journal_dsn, "--audit-file", str(state / f"audit-{client_id}.jsonl"),
        "--no-monitor", "--log-format", "json", "--log-level", "WARNING",
        cwd=REPO, stdin=asyncio.subprocess.DEVNULL, stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    try:
        async with httpx.AsyncClient(base_url=url, timeout=5) as http, asyncio.timeout(limit):
            while True:
                if process.returncode is not None:
                    err = await process.stderr.read() if process.stderr else b""
                    raise RuntimeError(f"the service exited: {err.decode()[-2000:]}")
                with contextlib.suppress(httpx.TransportError):
                    status = (await http.get("/ibkr/connection/status")).json()
                    if status.get("connected"):
                        break
                await asyncio.sleep(0.1)
        yield url
    finally:
        if process.returncode is None:
            process.terminate()
            try:
                await asyncio.wait_for(process.wait(), 10)
            except TimeoutError:
                process.kill()
                await process.wait()
