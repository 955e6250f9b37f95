"""Quotes under load and live streams, the service against a floor, in one run on one simulator.

Processes, all on loopback: the simulated gateway (``ibkr-mcp simulate``, with its control
interface counting requests by TWS message id and pacing errors), the service in front of it
(``--gateway external``), and the floor (``bare_quotes.py``: a bare Litestar app serving
ib_async's live tickers of the same contracts from memory).

1. Load: N keep-alive connections (``load_client.py``, two processes, connections opened over
   2 s and warmed up 3 s before measuring) asking for snapshots of 28 symbols in turn for S
   seconds, against the floor and against the service (``GET
   /ibkr/market_data/snapshot?contract_id=``). Answers/s, latency median/p95/max, errors, the
   simulator's reqMktData (message 1) per 1,000 answers and its pacing errors (100).
2. One warm snapshot at a time over one keep-alive connection (httpx): median and p95 wall
   time per call, service / floor.
3. Streams: SSE subscribers to all 28 symbols (``GET /ibkr/market_data/stream``) for S seconds,
   in a separate client process, beside one direct ib_async client to the simulator counting
   its ticker updates: quote events per subscriber against ib_async's updates, the spread
   between subscribers (every one gets every tick, or some were dropped), and the delivery
   lag (arrival at the client minus the quote's timestamp, the moment the service's ib_async
   received the tick).

Not a test: it prints a table.

    uv run python tests/benchmarks/live_market_data.py [--seconds 30] [--connections 200]
        [--subscribers 100]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).parents[2]
HERE = Path(__file__).parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def listings() -> list[tuple[str, int]]:
    from adapters.simulated_gateway.markets.universe import LISTINGS

    return [(x.symbol, x.con_id) for x in LISTINGS if x.currency == "USD"][:28]


@contextmanager
def process(
    args: list[str], env: dict[str, str] | None = None
) -> Iterator[subprocess.Popen[bytes]]:
    proc = subprocess.Popen(
        args, cwd=ROOT, env={**os.environ, **(env or {})},
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        yield proc
    finally:
        proc.terminate()
        try:
            proc.wait(15)
        except subprocess.TimeoutExpired:
            proc.kill()


def wait_ready(url: str, limit: float = 60.0) -> None:
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        try:
            if httpx.get(url, timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise SystemExit(f"{url} not ready within {limit:g} s")


def sim_status(control: int) -> dict[str, Any]:
    return dict(httpx.get(f"http://127.0.0.1:{control}/status", timeout=5).json())


def load(port: int, paths: list[str], seconds: int, connections: int) -> dict[str, Any]:
    """``load_client.py`` in two processes (half the connections each), merged."""
    clients = [
        subprocess.Popen(
            [
                sys.executable,
                str(HERE / "load_client.py"),
                "--port",
                str(port),
                "--paths",
                ",".join(paths),
                "--connections",
                str(connections // 2),
                "--seconds",
                str(seconds),
            ],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    latencies: list[float] = []
    answers = errors = 0
    for client in clients:
        out, _ = client.communicate(timeout=seconds + 60)
        result = json.loads(out.strip().splitlines()[-1])
        for ms, count in result["histogram"].items():
            latencies += [float(ms)] * count
        answers += result["answers"]
        errors += result["errors"]
    latencies.sort()
    return {"answers": answers, "errors": errors, "seconds": seconds, "latencies": latencies}


def sequential(url: str, calls: int) -> tuple[float, float]:
    """Median and p95 wall time (ms) of one call at a time over one keep-alive connection."""
    times = []
    with httpx.Client(timeout=10) as client:
        for _ in range(50):
            client.get(url).raise_for_status()
        for _ in range(calls):
            t0 = time.perf_counter()
            client.get(url).raise_for_status()
            times.append((time.perf_counter() - t0) * 1000)
    times.sort()
    return statistics.median(times), times[int(len(times) * 0.95)]


def load_row(name: str, result: dict[str, Any], ib_requests: int, pacing: int) -> str:
    answers = result["answers"]
    per_s = answers / result["seconds"]
    per_k = 1000 * ib_requests / answers if answers else float("nan")
    lat = result["latencies"] or [float("nan")]
    p50, p95 = lat[len(lat) // 2], lat[int(len(lat) * 0.95)]
    return (f"| {name} | {per_s:,.0f} | {p50:.1f} | {p95:.1f} | {lat[-1]:.0f} | "
            f"{result['errors']} | {per_k:.2f} | {pacing} |")  # fmt: skip


async def count_ib_updates(ib_port: int, ids: list[int], seconds: float) -> dict[int, int]:
    """ib_async's ticker updates per contract over ``seconds``: what the simulator sent."""
    from ib_async import IB, Contract

    ib = IB()
    await ib.connectAsync("127.0.0.1", ib_port, clientId=92)
    counts = dict.fromkeys(ids, 0)
    try:
        contracts = await ib.qualifyContractsAsync(*(Contract(conId=i) for i in ids))
        for contract in contracts:
            ib.reqMktData(contract)
        await asyncio.sleep(2)  # the first burst of every ticker

        def on_pending(tickers: Any) -> None:
            for t in tickers:
                counts[t.contract.conId] += 1

        ib.pendingTickersEvent += on_pending
        await asyncio.sleep(seconds)
        ib.pendingTickersEvent -= on_pending
    finally:
        ib.disconnect()
    return counts


def streams(base: str, ib_port: int, ids: list[int], subscribers: int, seconds: int) -> list[str]:
    url = f"{base}/ibkr/market_data/stream?" + "&".join(f"contract_ids={i}" for i in ids)
    clients = [  # two processes, half the subscribers each
        subprocess.Popen(
            [sys.executable, str(HERE / "sse_clients.py"), "--url", url, "--subscribers",
             str(share), "--seconds", str(seconds)],
            cwd=ROOT, stdout=subprocess.PIPE, text=True,
        )
        for share in (subscribers // 2, subscribers - subscribers // 2)
    ]  # fmt: skip
    direct = asyncio.run(count_ib_updates(ib_port, ids, seconds))
    counts: list[int] = []
    lags: list[float] = []
    result = {"connected": 0, "ended": 0}
    for client in clients:
        out, _ = client.communicate(timeout=seconds + 120)
        part = json.loads(out.strip().splitlines()[-1])
        counts += part["events"]
        result["connected"] += part["connected"]
        result["ended"] += part["ended"]
        for ms, count in part["lags"].items():
            lags += [float(ms)] * count
    lags.sort()
    lags = lags or [float("nan")]
    result["lag_p50"], result["lag_p95"] = lags[len(lags) // 2], lags[int(len(lags) * 0.95)]
    result["lag_max"] = lags[-1]
    per_symbol = sum(direct.values())
    return [
        f"| SSE subscribers (2 client processes) | {subscribers} (all connected: "
        f"{result['connected']}) |",
        f"| quote events per subscriber, min / median / max | {min(counts)} / "
        f"{statistics.median(counts):.0f} / {max(counts)} |",
        f"| ib_async updates over the window (direct client) | {per_symbol} |",
        f"| streams ended early (slow consumer or error) | {result['ended']} |",
        f"| delivery lag median / p95 / max (ms) | {result['lag_p50']:.1f} / "
        f"{result['lag_p95']:.1f} / {result['lag_max']:.1f} |",
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=int, default=30)
    parser.add_argument("--connections", type=int, default=200)
    parser.add_argument("--subscribers", type=int, default=100)
    parser.add_argument("--calls", type=int, default=2000)
    args = parser.parse_args()
    symbols = listings()
    ids = [con_id for _, con_id in symbols]
    ib_port, control, service, floor = free_port(), free_port(), free_port(), free_port()
    state = tempfile.mkdtemp(prefix="live-bench-")
    py = sys.executable
    sim_cmd = [py, "-m", "entrypoints.cli", "simulate", "--port", str(ib_port),
               "--control-port", str(control), "--log-level", "WARNING"]  # fmt: skip
    svc_cmd = [py, "-m", "entrypoints.cli", "serve", "--port", str(service), "--gateway",
               "external", "--ib-port", str(ib_port), "--log-level", "WARNING",
               # every subscriber is the same (anonymous) caller here
               "--streams-per-caller", str(max(8, args.subscribers))]  # fmt: skip
    bare_cmd = [py, str(HERE / "bare_quotes.py"), "--port", str(floor), "--ib-port", str(ib_port),
                "--contract-ids", ",".join(map(str, ids))]  # fmt: skip
    with process(sim_cmd):
        wait_ready(f"http://127.0.0.1:{control}/status")
        with process(svc_cmd, {"XDG_STATE_HOME": state}), process(bare_cmd):
            svc, bare = f"http://127.0.0.1:{service}", f"http://127.0.0.1:{floor}"
            wait_ready(f"{svc}/health/live")
            wait_ready(f"{bare}/health")
            snap = [f"/ibkr/market_data/snapshot?contract_id={i}" for i in ids]
            for path in snap:  # warm: each symbol's line is open
                httpx.get(svc + path, timeout=15).raise_for_status()
            rows = ["| target | answers/s | median ms | p95 ms | max ms | errors | "
                    "IB reqMktData per 1,000 | pacing errors (100) |",
                    "|---|---|---|---|---|---|---|---|"]  # fmt: skip
            for name, port, paths in (
                ("floor: bare Litestar + ib_async live tickers", floor,
                 [f"/quote?contract_id={i}" for i in ids]),
                ("service: GET /ibkr/market_data/snapshot", service, snap),
            ):  # fmt: skip
                before = sim_status(control)
                result = load(port, paths, args.seconds, args.connections)
                after = sim_status(control)
                asked = after["requests"].get("1", 0) - before["requests"].get("1", 0)
                pacing = after["pacing_violations"] - before["pacing_violations"]
                rows.append(load_row(name, result, asked, pacing))
            floor_ms = sequential(f"{bare}/quote?contract_id={ids[0]}", args.calls)
            svc_ms = sequential(f"{svc}/ibkr/market_data/snapshot?contract_id={ids[0]}", args.calls)
            stream_rows = (
                streams(svc, ib_port, ids, args.subscribers, args.seconds)
                if args.subscribers
                else []
            )
    print(f"\nLoad: {args.connections} keep-alive connections (load_client.py, 2 processes; "
          f"opened over 2 s, 3 s warm-up), {len(ids)} symbols, {args.seconds} s each, "
          f"{os.cpu_count()} cores shared by every process\n")  # fmt: skip
    print("\n".join(rows))
    print(f"\nOne warm snapshot at a time ({args.calls} calls, {symbols[0][0]}), wall ms\n")
    print("| target | median | p95 |\n|---|---|---|")
    print(f"| floor | {floor_ms[0]:.3f} | {floor_ms[1]:.3f} |")
    print(f"| service | {svc_ms[0]:.3f} | {svc_ms[1]:.3f} |")
    print(f"| service / floor | {svc_ms[0] / floor_ms[0]:.2f}x | {svc_ms[1] / floor_ms[1]:.2f}x |")
    print(f"\nStreams: {args.subscribers} SSE subscribers x {len(ids)} symbols, "
          f"{args.seconds} s\n\n| measure | value |\n|---|---|")  # fmt: skip
    print("\n".join(stream_rows))


if __name__ == "__main__":
    main()
