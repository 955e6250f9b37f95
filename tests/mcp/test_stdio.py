"""MCP over stdio in a child process: stdout carries only the protocol, logs go to stderr."""

from __future__ import annotations

import asyncio
import json
import sys
from pathlib import Path
from typing import Any

from tests.mcp.conftest import TIMEOUT

REPO = Path(__file__).resolve().parents[2]
SERVER = """
import asyncio
from application.container import build_services
from entrypoints.mcp.server import build_mcp
from entrypoints.mcp.stdio import run_stdio
from tests.mcp.conftest import seeded_broker
from tests.fakes import FakeClock, FakeGateway

broker = seeded_broker()
broker.fail("positions", RuntimeError("boom in the broker"))
asyncio.run(run_stdio(build_mcp(build_services(broker, FakeGateway(), FakeClock()))))
"""


def request(id_: int, method: str, params: dict[str, Any] | None = None) -> bytes:
    message: dict[str, Any] = {"jsonrpc": "2.0", "method": method, "params": params or {}}
    if id_:
        message["id"] = id_
    return (json.dumps(message) + "\n").encode()


async def test_stdout_carries_only_json_rpc_even_when_a_tool_crashes():
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-c",
        SERVER,
        cwd=REPO,
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    assert process.stdin and process.stdout
    try:
        init = {
            "protocolVersion": "2025-06-18",
            "capabilities": {},
            "clientInfo": {"name": "test", "version": "0"},
        }
        process.stdin.write(request(1, "initialize", init))
        process.stdin.write(request(0, "notifications/initialized"))
        call = "tools/call"
        process.stdin.write(request(2, call, {"name": "get_positions", "arguments": {}}))
        process.stdin.write(request(3, call, {"name": "get_account_summary", "arguments": {}}))
        await process.stdin.drain()
        replies: dict[int, dict[str, Any]] = {}
        async with asyncio.timeout(TIMEOUT * 3):
            while len(replies) < 3:
                line = await process.stdout.readline()
                assert line, "the server closed stdout early"
                message = json.loads(line)  # anything but JSON-RPC on stdout fails here
                assert message["jsonrpc"] == "2.0"
                if "id" in message:
                    replies[message["id"]] = message
        process.stdin.close()
        async with asyncio.timeout(TIMEOUT):
            rest, stderr = await process.communicate()
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
    assert rest.strip() == b""
    crashed, summary = replies[2]["result"], replies[3]["result"]
    assert crashed["isError"] is True
    assert crashed["content"][0]["text"].startswith("internal_error: get_positions failed")
    assert summary["structuredContent"]["account_id"] == "DU1234567"
    assert b"boom in the broker" in stderr
