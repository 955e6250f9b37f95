"""The service as a process with JSON logs: every line on stderr is a JSON object (FastMCP,
uvicorn and ib_async included), each HTTP request has one access line, no secret shows."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import socket
import sys
from pathlib import Path

import httpx
from fastmcp import Client
from fastmcp.client.transports import StreamableHttpTransport

LIMIT = 30.0
TOKEN = "json-logs-token-0123456789abcdef"
AUTH = {"Authorization": f"Bearer {TOKEN}"}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def test_every_stderr_line_is_json(tmp_path: Path) -> None:
    port = free_port()
    env = {
        **os.environ,
        "XDG_STATE_HOME": str(tmp_path),
        "IBKR_MCP_TOKEN": f"ops:{TOKEN}",
        "PYTHONWARNINGS": "always",  # a warning must come out as JSON too
    }
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "entrypoints.cli", "serve", "--port", str(port),
        "--log-format", "json", "--log-level", "DEBUG", "--connect-timeout", "5",
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE, env=env,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        async with httpx.AsyncClient(base_url=base, timeout=LIMIT) as http:
            async with asyncio.timeout(LIMIT):
                while True:
                    try:
                        if (await http.get("/health", headers=AUTH)).status_code == 200:
                            break
                    except httpx.TransportError:
                        pass
                    await asyncio.sleep(0.1)
            assert (await http.get("/ibkr/account/summary", headers=AUTH)).status_code == 200
            assert (await http.get("/ibkr/orders/999999", headers=AUTH)).status_code == 404
            assert (await http.get("/ibkr/account/summary")).status_code == 401
            bad = await http.get(
                "/ibkr/market_data/historical", params={"contract_id": "x"}, headers=AUTH
            )
            assert bad.status_code == 400
            transport = StreamableHttpTransport(f"{base}/mcp/", headers=AUTH)
            async with Client(transport, timeout=LIMIT, init_timeout=LIMIT) as mcp:
                await mcp.call_tool("get_positions", {})
                failed = await mcp.call_tool(
                    "get_order_status", {"order_id": 999999}, raise_on_error=False
                )
                assert failed.is_error
    finally:
        proc.send_signal(signal.SIGINT)
        out, err = await asyncio.wait_for(proc.communicate(), LIMIT)
    lines = [line for line in err.decode().splitlines() if line.strip()]
    assert out == b""
    events = []
    for line in lines:
        try:
            events.append(json.loads(line))
        except ValueError:
            raise AssertionError(f"not JSON on stderr: {line!r}") from None
    assert all(isinstance(e, dict) and "event" in e and "level" in e for e in events)
    assert TOKEN not in err.decode()
    access = [e for e in events if e["event"] == "http.request"]
    summary = next(e for e in access if e["path"] == "/ibkr/account/summary" and e["status"] == 200)
    assert summary["operation"] == "get_account_summary" and summary["caller"] == "ops"
    assert summary["method"] == "GET" and summary["duration_ms"] >= 0 and summary["request_id"]
    assert any(e["status"] == 401 and e["caller"] == "anonymous" for e in access)
    assert any(e["status"] == 404 and e["operation"] == "get_order_status" for e in access)
    assert len({e["request_id"] for e in access}) == len(access)  # one line per request
    # Over HTTP a tool call is told on its request's access line: the tool as the operation,
    # the call's outcome (a tool error is HTTP 200); no second line for it.
    calls = [e for e in access if e["path"] == "/mcp/" and "outcome" in e]
    assert {(e["operation"], e["outcome"], e["status"]) for e in calls} == {
        ("get_positions", "ok", 200),
        ("get_order_status", "error", 200),
    }
    assert all(e["caller"] == "ops" for e in calls)
    assert not [e for e in events if e["event"] == "mcp.tool_call"]
    # The rest of the session's requests (initialize, tools/list, ...) are the transport's.
    assert {e["operation"] for e in access if e["path"] == "/mcp/" and "outcome" not in e} == {
        "mcp_transport"
    }
    loggers = {e.get("logger") for e in events}
    assert {"ibkr_mcp.access", "uvicorn.error"} <= loggers, loggers
