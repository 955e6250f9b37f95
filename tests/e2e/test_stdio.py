"""`ibkr-mcp stdio` as Claude Desktop runs it: the real command, the embedded simulator,
and nothing but JSON-RPC on stdout."""

from __future__ import annotations

import asyncio
import json
import sys
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]
LIMIT = 30.0


def message(id_: int | None, method: str, params: dict[str, Any] | None = None) -> bytes:
    body: dict[str, Any] = {"jsonrpc": "2.0", "method": method, "params": params or {}}
    if id_ is not None:
        body["id"] = id_
    return (json.dumps(body) + "\n").encode()


async def test_stdio_command_speaks_only_protocol_on_stdout():
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "entrypoints.cli", "stdio", "--log-level", "INFO",
        cwd=REPO,
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        limit=1 << 20,  # tools/list is one line of JSON, past asyncio's 64 KiB default
    )  # fmt: skip
    assert process.stdin and process.stdout
    replies: dict[int, dict[str, Any]] = {}
    try:
        init = {
            "protocolVersion": "2025-06-18",
            "capabilities": {},
            "clientInfo": {"name": "e2e", "version": "0"},
        }
        process.stdin.write(message(1, "initialize", init))
        process.stdin.write(message(None, "notifications/initialized"))
        process.stdin.write(message(2, "tools/list"))
        await process.stdin.drain()

        async def read_until(wanted: int) -> None:
            while wanted not in replies:
                line = await process.stdout.readline()
                assert line, "the server closed stdout early"
                reply = json.loads(line)  # a log line on stdout would fail here
                assert reply["jsonrpc"] == "2.0"
                if "id" in reply:
                    replies[reply["id"]] = reply

        async with asyncio.timeout(LIMIT):
            await read_until(2)
            # The broker connects to the simulator in the background: retry until it has.
            attempt = 10
            while True:
                attempt += 1
                call = {"name": "get_account_summary", "arguments": {}}
                process.stdin.write(message(attempt, "tools/call", call))
                await process.stdin.drain()
                await read_until(attempt)
                if not replies[attempt]["result"].get("isError"):
                    break
                await asyncio.sleep(0.2)
        process.stdin.close()
        async with asyncio.timeout(LIMIT):
            rest, stderr = await process.communicate()
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
    assert rest.strip() == b""
    names = {tool["name"] for tool in replies[2]["result"]["tools"]}
    assert {"get_account_summary", "place_order", "get_options_chain"} <= names
    summary = replies[attempt]["result"]["structuredContent"]
    assert summary["account_id"] == "DU1234567"
    assert b"SIMULATED" in stderr  # the start-up warning went to stderr, not stdout
    logged = [json.loads(line) for line in stderr.splitlines() if line.strip()]  # JSON only
    calls = [e for e in logged if e["event"] == "mcp.tool_call"]
    assert {(e["tool"], e["outcome"]) for e in calls} >= {("get_account_summary", "ok")}
