"""A mixed soak of the whole service: does its memory stay flat under a steady load?

Starts the real service (``ibkr-mcp serve``: uvicorn on loopback, the embedded simulated IB
Gateway) in a child process and keeps a bounded mix of callers busy against it for
``--minutes``: snapshots and tickers, positions and account summaries, limit orders placed far
from the market and cancelled, /health, MCP tool calls, and MCP sessions opened and abandoned
(as a client that crashes leaves them). Every ``--sample`` seconds it reads the child's RSS.
It prints a table and says whether RSS stayed within ``--tolerance`` of its level at the end
of the warm-up. Linux only (RSS from /proc).

Columns: minutes into the load; the service's RSS; its change since the end of the warm-up;
snapshots answered; orders placed (each then cancelled); MCP sessions opened and abandoned;
refusals by the MCP session cap (expected once abandoned sessions fill it, until they expire);
other errors (any answer but 200).

    uv run python tests/benchmarks/soak.py [--minutes 10] [--warm-up 2] [--sample 15]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import itertools
import os
import socket
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Awaitable, Callable
from pathlib import Path

import httpx
from fastmcp import Client

STOCKS = [265598, 272093, 4815747, 3691937, 208813719, 107113386, 76792991, 1520593, 13977]
INITIALIZE = {
    "jsonrpc": "2.0",
    "id": 1,
    "method": "initialize",
    "params": {
        "protocolVersion": "2025-06-18",
        "capabilities": {},
        "clientInfo": {"name": "soak-abandoned", "version": "0"},
    },
}
MCP_HEADERS = {"Accept": "application/json, text/event-stream", "Content-Type": "application/json"}


class Tally:
    """What the callers did: requests by kind and answers by status."""

    def __init__(self) -> None:
        self.done: Counter[str] = Counter()
        self.answers: Counter[str] = Counter()

    def count(self, kind: str, status: int | str) -> None:
        self.done[kind] += 1
        self.answers[f"{kind} {status}"] += 1


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"no VmRSS for pid {pid}")


async def start_service(
    port: int, workdir: Path, idle_timeout: float
) -> asyncio.subprocess.Process:
    args = [
        "serve", "--port", str(port), "--log-level", "WARNING", "--log-format", "json",
        "--audit-file", str(workdir / "audit.jsonl"),
        "--mcp-session-idle-timeout", str(idle_timeout),
        "--max-orders-per-minute", "0",
    ]  # fmt: skip
    code = f"import sys; from entrypoints.cli import main; sys.exit(main({args!r}))"
    log = (workdir / "service.log").open("wb")
    return await asyncio.create_subprocess_exec(
        sys.executable, "-c", code, stdout=log, stderr=log, cwd=Path(__file__).parents[2]
    )


async def wait_ready(http: httpx.AsyncClient, limit: float = 90.0) -> None:
    async with asyncio.timeout(limit):
        while True:
            with contextlib.suppress(httpx.HTTPError):
                if (await http.get("/health")).status_code == 200:
                    return
            await asyncio.sleep(0.5)


async def every(
    period: float, stop: asyncio.Event, step: Callable[[int], Awaitable[None]], tally: Tally
) -> None:
    """Run ``step(i)`` every ``period`` seconds until ``stop``; a failed step is counted, not fatal."""
    for i in itertools.count():
        if stop.is_set():
            return
        started = time.monotonic()
        try:
            async with asyncio.timeout(30):
                await step(i)
        except Exception as exc:
            tally.count(step.__name__, type(exc).__name__)
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(max(0.0, period - (time.monotonic() - started))):
                await stop.wait()


def load(
    http: httpx.AsyncClient, url: str, tally: Tally, stop: asyncio.Event
) -> list[asyncio.Task[None]]:
    async def snapshot(i: int) -> None:
        con_id = STOCKS[i % len(STOCKS)]
        r = await http.get("/ibkr/market_data/snapshot", params={"contract_id": con_id})
        tally.count("snapshot", r.status_code)

    async def snapshot_by_symbol(i: int) -> None:
        symbol = ("AAPL", "MSFT", "KO", "XOM")[i % 4]
        r = await http.get("/ibkr/market_data/snapshot", params={"symbol": symbol})
        tally.count("snapshot", r.status_code)

    async def tickers(i: int) -> None:
        ids = ",".join(str(c) for c in STOCKS[i % 4 : i % 4 + 5])
        r = await http.get("/ibkr/market_data/tickers", params={"contract_ids": ids})
        tally.count("tickers", r.status_code)

    async def positions(i: int) -> None:
        path = "/ibkr/account/positions" if i % 2 else "/ibkr/account/summary"
        tally.count("account", (await http.get(path)).status_code)

    async def health(_: int) -> None:
        tally.count("health", (await http.get("/health")).status_code)

    async def order(i: int) -> None:
        body = {"contract_id": STOCKS[i % 3], "order_type": "LMT", "action": "BUY",
                "quantity": 1, "limit_price": 1.0}  # fmt: skip
        placed = await http.post(
            "/ibkr/orders/place", json=body, headers={"Idempotency-Key": f"soak-{os.getpid()}-{i}"}
        )
        tally.count("order place", placed.status_code)
        if placed.status_code == 200:
            cancelled = await http.delete(f"/ibkr/orders/{placed.json()['order_id']}")
            tally.count("order cancel", cancelled.status_code)

    async def abandon_mcp_session(_: int) -> None:
        r = await http.post("/mcp/", json=INITIALIZE, headers=MCP_HEADERS)
        tally.count("mcp abandoned session", r.status_code)

    async def mcp_tool_call(i: int) -> None:
        # alternately a sessionless (2026-era) client and a handshake-era one that says goodbye
        mode = "legacy" if i % 2 else "auto"
        try:
            async with Client(url, mode=mode, timeout=20, init_timeout=20) as client:
                await client.call_tool("get_market_data_snapshot", {"contract_id": STOCKS[i % 5]})
            tally.count(f"mcp tool call ({mode})", "ok")
        except Exception as exc:
            tally.count(f"mcp tool call ({mode})", type(exc).__name__)

    plan: list[tuple[float, Callable[[int], Awaitable[None]]]] = [
        (0.1, snapshot), (0.1, snapshot), (0.1, snapshot), (0.1, snapshot),
        (1.0, snapshot_by_symbol), (1.0, tickers), (1.0, positions), (2.0, health),
        (3.0, order), (1.0, abandon_mcp_session), (2.0, mcp_tool_call),
    ]  # fmt: skip
    return [asyncio.create_task(every(period, stop, step, tally)) for period, step in plan]


async def soak(
    minutes: float, warm_up: float, sample: float, tolerance: float, idle: float
) -> bool:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    workdir = Path(tempfile.mkdtemp(prefix="ibkr-mcp-soak-"))
    service = await start_service(port, workdir, idle)
    tally = Tally()
    stop = asyncio.Event()
    samples: list[tuple[float, float, dict[str, int]]] = []
    limits = httpx.Limits(max_connections=32)
    try:
        async with httpx.AsyncClient(base_url=base, timeout=30, limits=limits) as http:
            await wait_ready(http)
            print(f"service pid {service.pid} on {base}; log and audit in {workdir}")
            print(f"start RSS {rss_mb(service.pid):.1f} MB; load for {minutes:g} min, warm-up "
                  f"{warm_up:g} min, MCP idle timeout {idle:g} s\n")  # fmt: skip
            tasks = load(http, f"{base}/mcp/", tally, stop)
            started = time.monotonic()
            header = f"{'min':>6} {'RSS MB':>8} {'vs warm':>8} {'snapshots':>10} {'orders':>7} " \
                     f"{'mcp sess':>9} {'mcp cap':>8} {'errors':>7}"  # fmt: skip
            print(header)
            while (elapsed := time.monotonic() - started) < minutes * 60:
                await asyncio.sleep(min(sample, minutes * 60 - elapsed))
                if service.returncode is not None:
                    raise RuntimeError(f"the service exited ({service.returncode}); see {workdir}")
                elapsed = time.monotonic() - started
                samples.append((elapsed / 60, rss_mb(service.pid), dict(tally.done)))
                print(_row(samples[-1], _baseline(samples, warm_up), tally))
            stop.set()
            await asyncio.gather(*tasks)
    finally:
        if service.returncode is None:
            service.terminate()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(service.wait(), 15)
        if service.returncode is None:
            service.kill()
    return _verdict(samples, warm_up, tolerance, tally)


def _baseline(samples: list[tuple[float, float, dict[str, int]]], warm_up: float) -> float | None:
    after = [rss for minute, rss, _ in samples if minute >= warm_up]
    return after[0] if after else None


# Refusals the MCP session cap is meant to give while abandoned sessions fill it.
CAP_REFUSALS = ("mcp abandoned session 503", "mcp tool call (legacy) MCPError")


def _row(s: tuple[float, float, dict[str, int]], baseline: float | None, tally: Tally) -> str:
    minute, rss, done = s
    vs = f"{(rss / baseline - 1) * 100:+.1f}%" if baseline else "warm-up"
    refused = sum(tally.answers[k] for k in CAP_REFUSALS)
    errors = sum(
        n
        for k, n in tally.answers.items()
        if not k.endswith((" 200", " ok")) and k not in CAP_REFUSALS
    )
    return (
        f"{minute:>6.1f} {rss:>8.1f} {vs:>8} {done.get('snapshot', 0):>10} "
        f"{done.get('order place', 0):>7} {done.get('mcp abandoned session', 0):>9} "
        f"{refused:>8} {errors:>7}"
    )


def _verdict(samples: list[tuple[float, float, dict[str, int]]], warm_up: float,
             tolerance: float, tally: Tally) -> bool:  # fmt: skip
    print("\nanswers:", ", ".join(f"{k}: {n}" for k, n in sorted(tally.answers.items())))
    after = [(minute, rss) for minute, rss, _ in samples if minute >= warm_up]
    if len(after) < 2:
        print("verdict: too short to judge (no samples after the warm-up)")
        return False
    baseline = after[0][1]
    low, high = min(r for _, r in after), max(r for _, r in after)
    n = len(after)
    mean_t, mean_r = sum(t for t, _ in after) / n, sum(r for _, r in after) / n
    slope = sum((t - mean_t) * (r - mean_r) for t, r in after) / max(
        1e-9, sum((t - mean_t) ** 2 for t, _ in after)
    )
    flat = high <= baseline * (1 + tolerance) and low >= baseline * (1 - tolerance)
    print(
        f"after warm-up: RSS {baseline:.1f} MB at {after[0][0]:.1f} min, then {low:.1f}-{high:.1f} MB "
        f"({(high / baseline - 1) * 100:+.1f}% at most), trend {slope:+.2f} MB/min"
    )
    print(f"verdict: {'FLAT' if flat else 'NOT FLAT'} (within {tolerance:.0%} after warm-up)")
    return flat


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=10.0, help="length of the load (10)")
    parser.add_argument("--warm-up", type=float, default=2.0, help="minutes not judged (2)")
    parser.add_argument("--sample", type=float, default=15.0, help="seconds between RSS samples")
    parser.add_argument("--tolerance", type=float, default=0.10, help="allowed drift (0.10)")
    parser.add_argument(
        "--mcp-idle-timeout", type=float, default=120.0,
        help="the service's MCP session idle timeout, short so sessions expire during the run",
    )  # fmt: skip
    a = parser.parse_args()
    ok = asyncio.run(soak(a.minutes, a.warm_up, a.sample, a.tolerance, a.mcp_idle_timeout))
    sys.exit(0 if ok else 1)
