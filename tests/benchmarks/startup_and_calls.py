"""How fast the service starts and what one call costs, against the framework floor, in one run.

1. Start to ready: ``python -m entrypoints.cli serve`` (the embedded simulated gateway) from
   spawn until ``GET /health`` answers 200, against a bare Litestar app under uvicorn
   (``bare_litestar.py``) until its ``/health`` answers. Median of ``--starts`` runs each,
   after one untimed start of each (bytecode cached, as a user's second start).
2. Cost per call: sequential calls over one keep-alive connection. "wall" is the client's
   view; "server CPU" is the serving process's utime+stime (``/proc/<pid>/stat``) over the
   series divided by the calls, less what the process burns idle. Rows:
   - the floors: the bare Litestar app returning the same ``ConnectionStatus`` struct (for
     REST), and a bare FastMCP app whose one tool returns it (``bare_fastmcp.py``, stateless
     JSON as the service serves MCP; for MCP, in both protocol eras);
   - ``get_connection_status`` (no IB round trip) over REST, and over MCP as raw JSON-RPC
     posts (the 2026-07-28 protocol: one POST per call; and the 2025-06-18 handshake era,
     which gets a session when the server keeps them) and through ``fastmcp.Client``;
   - ``get_positions`` (one TWS API round trip) over REST and MCP, and ``reqPositionsAsync``
     straight from ib_async to the service's simulator (the service's CPU then is the
     simulator's share alone). The service paces its TWS requests (ib_async's throttle, 45
     per 1.1 s), so the wall time of those rows is the pacing, not the work.

Linux only (/proc). Not a test: it prints a table.

    uv run python tests/benchmarks/startup_and_calls.py [--starts 3] [--calls 2000]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
from fastmcp import Client
from ib_async import IB

ROOT = Path(__file__).parents[2]
BARE = Path(__file__).with_name("bare_litestar.py")
BARE_MCP = Path(__file__).with_name("bare_fastmcp.py")
MODERN = "2026-07-28"
LEGACY = "2025-06-18"
CLIENT_INFO = {"name": "startup-and-calls", "version": "0"}
ACCEPT = "application/json, text/event-stream"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def cpu_seconds(pid: int) -> float:
    """utime + stime of ``pid`` (its threads included), in seconds."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def service_command(port: int, workdir: Path, *, via_uv: bool) -> list[str]:
    head = (
        ["uv", "run", "--frozen", "ibkr-mcp"]
        if via_uv
        else [sys.executable, "-m", "entrypoints.cli"]
    )
    return [
        *head, "serve", "--port", str(port), "--log-level", "WARNING", "--log-format", "json",
        "--tool-profile", "full",  # get_connection_status is in the connection toolset
        "--audit-file", str(workdir / "audit.jsonl"),
        "--journal-dsn", f"sqlite:///{workdir / 'journal.sqlite3'}",
    ]  # fmt: skip


def bare_command(port: int, status_file: Path | None = None, *, mcp: bool = False) -> list[str]:
    extra = ["--status-file", str(status_file)] if status_file else []
    return [sys.executable, str(BARE_MCP if mcp else BARE), "--port", str(port), *extra]


def spawn(command: list[str], log: Path) -> subprocess.Popen[bytes]:
    # Bytecode is written and read as on a user's machine: a shell (or CI) that sets
    # PYTHONDONTWRITEBYTECODE would make every start compile whatever was never cached.
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    with log.open("ab") as sink:
        return subprocess.Popen(command, cwd=ROOT, env=env, stdout=sink, stderr=sink)


def stop(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    try:
        process.wait(10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def time_to_ready(
    command: list[str], port: int, log: Path, *, mcp: bool = False
) -> tuple[float, float, float | None]:
    """Seconds from spawn to the first HTTP answer of /health, to its first 200, and (with
    ``mcp``) to the first MCP answer (``tools/list`` of the 2026 era): the MCP door opens
    after REST is ready."""
    started = time.perf_counter()
    process = spawn(command, log)
    first = None
    try:
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=35) as http:
            while time.perf_counter() - started < 60:
                if process.poll() is not None:
                    raise RuntimeError(f"{command[:3]} exited; see {log}")
                with contextlib.suppress(httpx.TransportError):
                    status = http.get("/health").status_code
                    now = time.perf_counter() - started
                    first = first if first is not None else now
                    if status == 200:
                        return first, now, _mcp_answers(http, started) if mcp else None
                time.sleep(0.005)
        raise TimeoutError(f"{command[:3]} not ready within 60 s; see {log}")
    finally:
        stop(process)


def _mcp_answers(http: httpx.Client, started: float) -> float:
    """Seconds from ``started`` to the first 200 of an MCP ``tools/list`` (an early request
    waits for the door to open)."""
    body = {"jsonrpc": "2.0", "id": 1, "method": "tools/list", "params": {"_meta": {
        "io.modelcontextprotocol/protocolVersion": MODERN,
        "io.modelcontextprotocol/clientInfo": CLIENT_INFO,
        "io.modelcontextprotocol/clientCapabilities": {},
    }}}  # fmt: skip
    headers = {"accept": ACCEPT, "mcp-protocol-version": MODERN, "mcp-method": "tools/list"}
    while time.perf_counter() - started < 60:
        if http.post("/mcp/", json=body, headers=headers).status_code == 200:
            return time.perf_counter() - started
        time.sleep(0.005)
    raise TimeoutError("MCP did not answer within 60 s")


@dataclass
class Row:
    label: str
    calls: int
    wall_ms: float
    cpu_ms: float


async def series(
    label: str, pid: int, calls: int, call: Callable[[], Awaitable[None]], warm_up: int = 50
) -> Row:
    for _ in range(warm_up):
        await call()
    idle_from = cpu_seconds(pid)
    await asyncio.sleep(1.0)
    idle_rate = cpu_seconds(pid) - idle_from  # per second
    cpu_from, started = cpu_seconds(pid), time.perf_counter()
    for _ in range(calls):
        await call()
    wall = time.perf_counter() - started
    cpu = max(0.0, cpu_seconds(pid) - cpu_from - idle_rate * wall)
    return Row(label, calls, wall / calls * 1000, cpu / calls * 1000)


class RawMcp:
    """JSON-RPC posts over one keep-alive connection, as a minimal MCP client sends them."""

    def __init__(self, http: httpx.AsyncClient, protocol: str) -> None:
        self.http = http
        self.protocol = protocol
        self.session: str | None = None
        self.http_session: str | None = None  # what the last answer named
        self.ids = 0

    async def open(self) -> None:
        if self.protocol == MODERN:
            return
        opened = await self._post(
            "initialize",
            {"protocolVersion": self.protocol, "capabilities": {}, "clientInfo": CLIENT_INFO},
        )
        assert "result" in opened, opened
        self.session = self.http_session
        headers = self._headers("notifications/initialized")
        note = {"jsonrpc": "2.0", "method": "notifications/initialized"}
        assert (await self.http.post("/mcp/", json=note, headers=headers)).status_code == 202

    async def close(self) -> None:
        if self.session is not None:
            await self.http.delete("/mcp/", headers=self._headers(None))

    async def call_tool(self, name: str, arguments: dict[str, Any]) -> dict[str, Any]:
        answer = await self._post("tools/call", {"name": name, "arguments": arguments}, name)
        result = answer.get("result") or {}
        if result.get("isError") or "error" in answer:
            raise RuntimeError(f"{name}: {answer}")
        return dict(result["structuredContent"])

    async def _post(self, method: str, params: dict[str, Any], name: str | None = None) -> Any:
        self.ids += 1
        if self.protocol == MODERN:
            params = {
                **params,
                "_meta": {
                    "io.modelcontextprotocol/protocolVersion": MODERN,
                    "io.modelcontextprotocol/clientInfo": CLIENT_INFO,
                    "io.modelcontextprotocol/clientCapabilities": {},
                },
            }
        body = {"jsonrpc": "2.0", "id": self.ids, "method": method, "params": params}
        response = await self.http.post("/mcp/", json=body, headers=self._headers(method, name))
        response.raise_for_status()
        self.http_session = response.headers.get("mcp-session-id")
        if response.headers["content-type"].startswith("text/event-stream"):
            for line in response.text.splitlines():
                if line.startswith("data:") and '"id"' in line:
                    return json.loads(line[5:])
            raise RuntimeError(f"no answer in the event stream: {response.text[:200]}")
        return response.json()

    def _headers(self, method: str | None, name: str | None = None) -> dict[str, str]:
        headers = {"accept": ACCEPT, "mcp-protocol-version": self.protocol}
        if self.protocol == MODERN and method:
            headers["mcp-method"] = method
            if name:
                headers["mcp-name"] = name
        if self.session:
            headers["mcp-session-id"] = self.session
        return headers


async def status_by_era(http: httpx.AsyncClient, label: str, pid: int, calls: int) -> list[Row]:
    """``get_connection_status`` as raw JSON-RPC posts, in each protocol era."""
    rows = []
    for protocol, era in ((MODERN, "2026 era"), (LEGACY, "2025 handshake")):
        mcp = RawMcp(http, protocol)
        await mcp.open()

        async def status_call(mcp: RawMcp = mcp) -> None:
            await mcp.call_tool("get_connection_status", {})

        rows.append(await series(f"{label} ({era})", pid, calls, status_call))
        await mcp.close()
    return rows


@dataclass
class Floor:
    """A bare app serving the same struct: where it listens and which process serves it."""

    port: int
    pid: int


async def measure_calls(
    service: subprocess.Popen[bytes], port: int, bare: Floor, bare_mcp: Floor, calls: int
) -> list[Row]:
    base = f"http://127.0.0.1:{port}"
    ib_calls = max(50, calls // 10)  # paced by the service's TWS throttle: ~40 per second
    rows: list[Row] = []
    limits = httpx.Limits(max_connections=1)
    async with (
        httpx.AsyncClient(base_url=base, timeout=30, limits=limits) as http,
        httpx.AsyncClient(base_url=f"http://127.0.0.1:{bare.port}", limits=limits) as litestar,
        httpx.AsyncClient(base_url=f"http://127.0.0.1:{bare_mcp.port}", limits=limits) as fast,
    ):

        async def get(client: httpx.AsyncClient, path: str) -> None:
            response = await client.get(path)
            response.raise_for_status()

        rows.append(
            await series(
                "bare Litestar: same struct", bare.pid, calls, lambda: get(litestar, "/status")
            )
        )
        rows += await status_by_era(fast, "bare FastMCP: same struct", bare_mcp.pid, calls)
        rows.append(
            await series(
                "REST get_connection_status",
                service.pid,
                calls,
                lambda: get(http, "/ibkr/connection/status"),
            )
        )
        rows += await status_by_era(http, "MCP get_connection_status", service.pid, calls)
        async with Client(f"{base}/mcp/", timeout=30) as client:

            async def client_call() -> None:
                await client.call_tool("get_connection_status", {})

            rows.append(
                await series(
                    "MCP get_connection_status (fastmcp.Client)",
                    service.pid,
                    calls // 4,
                    client_call,
                )
            )
        rows.append(
            await series(
                "REST get_positions",
                service.pid,
                ib_calls,
                lambda: get(http, "/ibkr/account/positions"),
            )
        )
        mcp = RawMcp(http, MODERN)

        async def positions_call() -> None:
            await mcp.call_tool("get_positions", {})

        rows.append(
            await series("MCP get_positions (2026 era)", service.pid, ib_calls, positions_call)
        )
        api_port = (await http.get("/gateway/status")).json()["api_port"]
    ib = IB()
    # Paced as the service paces its own session: the simulator, like IB, allows 50 per second.
    ib.client.RequestsInterval = 1.1  # type: ignore[assignment]
    await ib.connectAsync("127.0.0.1", api_port, clientId=99, timeout=10)
    try:

        async def direct() -> None:
            await ib.reqPositionsAsync()

        rows.append(
            await series("ib_async reqPositionsAsync direct", service.pid, ib_calls, direct)
        )
    finally:
        ib.disconnect()
    return rows


def report(starts: dict[str, list[tuple[float, float, float | None]]], rows: list[Row]) -> None:
    bare_ready = statistics.median(r for _, r, _ in starts["bare Litestar app"])
    print(f"\nstart to ready (median of {len(next(iter(starts.values())))})")
    print(f"{'':<44}{'first answer s':>15}{'ready s':>10}{'x bare':>8}{'MCP answers s':>15}")
    for label, runs in starts.items():
        first = statistics.median(f for f, _, _ in runs)
        ready = statistics.median(r for _, r, _ in runs)
        mcps = [m for _, _, m in runs if m is not None]
        mcp = f"{statistics.median(mcps):.2f}" if mcps else ""
        print(f"{label:<44}{first:>15.2f}{ready:>10.2f}{ready / bare_ready:>8.2f}{mcp:>15}")

    by_label = {row.label: row for row in rows}
    floors = {
        "rest": by_label["bare Litestar: same struct"],
        "2026 era": by_label["bare FastMCP: same struct (2026 era)"],
        "2025 handshake": by_label["bare FastMCP: same struct (2025 handshake)"],
    }
    rest = by_label["REST get_connection_status"]
    rest_ib = by_label["REST get_positions"]
    print("\ncost per call (sequential, one keep-alive connection)")
    print("  floor: the bare app of the same door (Litestar for REST, FastMCP for MCP)")
    print(
        f"{'':<44}{'calls':>6}{'wall ms':>9}{'server CPU ms':>15}{'CPU - floor':>13}"
        f"{'CPU x floor':>13}{'CPU x REST':>12}"
    )
    for row in rows:
        ref = rest_ib if "positions" in row.label.lower() else rest
        floor = _floor_of(row.label, floors)
        over = f"{row.cpu_ms - floor.cpu_ms:+.3f}" if floor is not None else ""
        times = f"{row.cpu_ms / floor.cpu_ms:.2f}" if floor is not None else ""
        print(
            f"{row.label:<44}{row.calls:>6}{row.wall_ms:>9.3f}{row.cpu_ms:>15.3f}{over:>13}"
            f"{times:>13}{row.cpu_ms / ref.cpu_ms:>12.2f}"
        )


def _floor_of(label: str, floors: dict[str, Row]) -> Row | None:
    """The floor a row compares with: same door, same protocol era, no TWS round trip."""
    if "get_connection_status" not in label:
        return None
    if label.startswith("REST"):
        return floors["rest"]
    era = "2025 handshake" if "2025" in label else "2026 era"
    return floors[era]


def main(starts: int, calls: int, via_uv: bool) -> None:
    with tempfile.TemporaryDirectory(prefix="ibkr-mcp-bench-") as tmp:
        workdir = Path(tmp)
        log = workdir / "processes.log"
        timings: dict[str, list[tuple[float, float, float | None]]] = {
            "bare Litestar app": [],
            f"ibkr-mcp serve ({'uv run' if via_uv else 'python -m'}, simulator)": [],
        }
        for label in timings:  # one start each, not timed: as a user's second start
            port = free_port()
            command = (
                bare_command(port)
                if label.startswith("bare")
                else service_command(port, workdir, via_uv=via_uv)
            )
            time_to_ready(command, port, log, mcp=not label.startswith("bare"))
        for _ in range(starts):  # interleaved, so that a noisy moment hits both
            for label in timings:
                port = free_port()
                command = (
                    bare_command(port)
                    if label.startswith("bare")
                    else service_command(port, workdir, via_uv=via_uv)
                )
                timings[label].append(
                    time_to_ready(command, port, log, mcp=not label.startswith("bare"))
                )

        port, bare_port, mcp_port = free_port(), free_port(), free_port()
        service = spawn(service_command(port, workdir, via_uv=False), log)
        try:
            time_to_ready_wait(port, service, log)
            status = httpx.get(f"http://127.0.0.1:{port}/ibkr/connection/status").content
            status_file = workdir / "status.json"
            status_file.write_bytes(status)
            bare = spawn(bare_command(bare_port, status_file), log)
            bare_mcp = spawn(bare_command(mcp_port, status_file, mcp=True), log)
            try:
                time_to_ready_wait(bare_port, bare, log)
                time_to_ready_wait(mcp_port, bare_mcp, log)
                rows = asyncio.run(
                    measure_calls(
                        service,
                        port,
                        Floor(bare_port, bare.pid),
                        Floor(mcp_port, bare_mcp.pid),
                        calls,
                    )
                )
            finally:
                stop(bare_mcp)
                stop(bare)
        finally:
            stop(service)
        report(timings, rows)


def time_to_ready_wait(port: int, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"process exited; see {log}")
        with contextlib.suppress(httpx.TransportError):
            if httpx.get(f"http://127.0.0.1:{port}/health").status_code == 200:
                return
        time.sleep(0.05)
    raise TimeoutError(f"not ready within 60 s; see {log}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--starts", type=int, default=3, help="start-ups timed per app (3)")
    parser.add_argument("--calls", type=int, default=2000, help="calls per series (2000)")
    parser.add_argument(
        "--via-uv", action="store_true", help="start the service with `uv run ibkr-mcp`"
    )
    args = parser.parse_args()
    main(args.starts, args.calls, args.via_uv)
