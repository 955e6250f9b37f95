"""The service as a process with JSON logs, through a mixed workload: every line on stderr is a
JSON object with level, event and timestamp (FastMCP, uvicorn and ib_async included), each HTTP
request has exactly one access line with all its fields, and no secret shows anywhere.

The workload: REST reads, 4xx answers (no token, unknown order, bad parameter, a secret in the
path), an order, an MCP session through a real fastmcp Client with a tool error, an SSE stream
opened and closed, a reconnect after the simulator drops every connection, and a shutdown."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import signal
import socket
import sys
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import httpx2
import pytest
from fastmcp import Client
from fastmcp.client.transports import StreamableHttpTransport

from application.redaction import REDACTED

LIMIT = 30.0
START_LIMIT = 90.0  # a process start-up, on a busy machine
TOKEN = "json-logs-token-0123456789abcdef"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
AAPL = 265598
ACCESS_FIELDS = {"method", "path", "status", "duration_ms", "request_id", "caller", "operation"}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Answered:
    """The request id of every HTTP response the test's clients got (REST and MCP)."""

    def __init__(self) -> None:
        self.ids: list[str] = []

    async def __call__(self, response: httpx.Response | httpx2.Response) -> None:
        self.ids.append(response.headers["x-request-id"])

    def mcp_client(self, **kwargs: Any) -> httpx2.AsyncClient:
        kwargs.setdefault("timeout", httpx2.Timeout(LIMIT))
        client = httpx2.AsyncClient(**kwargs)
        client.event_hooks["response"].append(self)
        return client


@dataclass(frozen=True)
class Gateway:
    port: int  # the TWS API
    control: str  # the fault-control interface's URL


@pytest.fixture
async def gateway() -> AsyncIterator[Gateway]:
    """``ibkr-mcp simulate`` as a process of its own, with its fault-control interface."""
    gateway = Gateway(free_port(), f"http://127.0.0.1:{free_port()}")
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "entrypoints.cli", "simulate", "--port", str(gateway.port),
        "--control-port", gateway.control.rsplit(":", 1)[1], "--log-format", "json",
        stdin=asyncio.subprocess.DEVNULL, stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.DEVNULL,
    )  # fmt: skip
    try:
        async with httpx.AsyncClient(timeout=5) as http, asyncio.timeout(START_LIMIT):
            while (await _status(http, gateway)) is None:  # listening once control answers
                assert proc.returncode is None, "the simulator exited"
                await asyncio.sleep(0.1)
        yield gateway
    finally:
        if proc.returncode is None:
            proc.terminate()
            try:
                await asyncio.wait_for(proc.wait(), LIMIT)
            except TimeoutError:
                proc.kill()
                await proc.wait()


async def _status(http: httpx.AsyncClient, gateway: Gateway) -> int | None:
    try:
        return (await http.get(f"{gateway.control}/status")).status_code
    except httpx.TransportError:
        return None


async def until_connected(
    http: httpx.AsyncClient, since: str | None = None, limit: float = LIMIT
) -> dict[str, Any]:
    """The connection status once the broker is connected (after ``since``, when given)."""
    async with asyncio.timeout(limit):
        while True:
            with contextlib.suppress(httpx.TransportError):
                status = (await http.get("/ibkr/connection/status", headers=AUTH)).json()
                if status.get("connected") and status.get("connection_time") != since:
                    return status
            await asyncio.sleep(0.1)


async def workload(base: str, gateway: Gateway, answered: Answered) -> None:
    hooks = {"response": [answered]}
    async with httpx.AsyncClient(base_url=base, timeout=LIMIT, event_hooks=hooks) as http:
        first = await until_connected(http, limit=START_LIMIT)
        assert (await http.get("/ibkr/account/summary", headers=AUTH)).status_code == 200
        assert (await http.get("/ibkr/orders/999999", headers=AUTH)).status_code == 404
        assert (await http.get("/ibkr/account/summary")).status_code == 401
        bad = await http.get(
            "/ibkr/market_data/historical", params={"contract_id": "x"}, headers=AUTH
        )
        assert bad.status_code == 400
        # A secret in a path is the caller's mistake; it must not reach the log either.
        assert (await http.get(f"/ibkr/orders/{TOKEN}", headers=AUTH)).status_code in (400, 404)
        placed = await http.post(
            "/ibkr/orders/place",
            json={"contract_id": AAPL, "action": "BUY", "quantity": 1, "order_type": "LMT",
                  "limit_price": 1.0},
            headers={**AUTH, "Idempotency-Key": "json-logs-order-1"},
        )  # fmt: skip
        assert placed.status_code == 200, placed.text

        async with http.stream(
            "GET", "/ibkr/market_data/stream", params={"contract_ids": AAPL}, headers=AUTH
        ) as stream:
            assert stream.status_code == 200
            async with asyncio.timeout(LIMIT):
                async for line in stream.aiter_lines():
                    if line.startswith("data:"):
                        break  # one event, then the client goes away

        transport = StreamableHttpTransport(
            f"{base}/mcp/", headers=AUTH, httpx_client_factory=answered.mcp_client
        )
        async with Client(transport, timeout=LIMIT, init_timeout=LIMIT) as mcp:
            await mcp.call_tool("get_positions", {})
            failed = await mcp.call_tool(
                "get_order_status", {"order_id": 999999}, raise_on_error=False
            )
            assert failed.is_error

        async with httpx.AsyncClient(timeout=LIMIT) as control:  # not the service: not logged
            dropped = await control.post(f"{gateway.control}/faults/drop_all_connections")
            assert dropped.status_code == 200, dropped.text
        again = await until_connected(http, since=first["connection_time"])
        assert again["connection_time"] != first["connection_time"]
        assert (await http.get("/health", headers=AUTH)).status_code == 200


async def test_every_stderr_line_is_json_through_a_mixed_workload(
    tmp_path: Path, gateway: Gateway
) -> None:
    port = free_port()
    env = {
        **os.environ,
        "XDG_STATE_HOME": str(tmp_path),
        "IBKR_MCP_TOKEN": f"ops:{TOKEN}",
        "PYTHONWARNINGS": "always",  # a warning must come out as JSON too
    }
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "entrypoints.cli", "serve", "--port", str(port),
        "--gateway", "external", "--ib-port", str(gateway.port), "--no-monitor",
        "--log-format", "json", "--log-level", "DEBUG", "--connect-timeout", "5",
        stdin=asyncio.subprocess.DEVNULL, stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE, env=env,
    )  # fmt: skip
    assert proc.stdout is not None and proc.stderr is not None
    # Read both pipes while the service runs: at DEBUG it writes more than a pipe holds.
    reading = asyncio.gather(proc.stdout.read(), proc.stderr.read())
    answered = Answered()
    try:
        await workload(f"http://127.0.0.1:{port}", gateway, answered)
    finally:
        proc.send_signal(signal.SIGINT)
        async with asyncio.timeout(LIMIT):
            out, err = await reading
            code = await proc.wait()
    text = err.decode()
    assert out == b""
    assert code == 0, text[-3000:]
    events = []
    for line in text.splitlines():
        try:
            event = json.loads(line)
        except ValueError:
            raise AssertionError(f"not JSON on stderr: {line!r}") from None
        assert isinstance(event, dict), line
        assert {"level", "event", "timestamp"} <= event.keys(), line
        events.append(event)
    assert TOKEN not in text

    access = [e for e in events if e["event"] == "http.request"]
    for line in access:
        assert line.keys() >= ACCESS_FIELDS, line
        assert line["duration_ms"] >= 0 and line["request_id"]
    # Exactly one access line per request the server answered, and none for anything else.
    logged = sorted(e["request_id"] for e in access)
    assert logged == sorted(answered.ids)
    assert len(set(logged)) == len(logged)

    def one(**fields: Any) -> dict[str, Any]:
        found = [e for e in access if fields.items() <= e.items()]
        assert len(found) == 1, (fields, found)
        return found[0]

    summary = one(path="/ibkr/account/summary", status=200)
    assert summary["operation"] == "get_account_summary" and summary["caller"] == "ops"
    assert summary["method"] == "GET"
    assert one(path="/ibkr/account/summary", status=401)["caller"] == "anonymous"
    assert one(status=404, path="/ibkr/orders/999999")["operation"] == "get_order_status"
    assert one(status=400, operation="get_historical_data")["method"] == "GET"
    assert one(path=f"/ibkr/orders/{REDACTED}")["caller"] == "ops"
    assert one(method="POST", path="/ibkr/orders/place")["status"] == 200
    assert one(path="/ibkr/market_data/stream")["operation"] == "stream_quotes"
    # Over HTTP a tool call is told on its request's access line: the tool as the operation,
    # the call's outcome (a tool error is HTTP 200); no second line for it.
    calls = [e for e in access if e["path"].startswith("/mcp") and "outcome" in e]
    assert {(e["operation"], e["outcome"], e["status"]) for e in calls} == {
        ("get_positions", "ok", 200),
        ("get_order_status", "error", 200),
    }
    assert all(e["caller"] == "ops" for e in calls)
    assert not [e for e in events if e["event"] == "mcp.tool_call"]
    # The rest of the session's requests (initialize, tools/list, ...) are the transport's.
    assert {
        e["operation"] for e in access if e["path"].startswith("/mcp") and "outcome" not in e
    } == {"mcp_transport"}
    states = [e["state"] for e in events if e["event"] == "ib.connection_state"]
    assert states.count("connected") >= 2, states  # connected, dropped, connected again
    loggers = {e.get("logger") for e in events}
    assert {"ibkr_mcp.access", "uvicorn.error", "ib_async.client"} <= loggers, loggers
