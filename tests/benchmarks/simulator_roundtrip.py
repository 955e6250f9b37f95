"""Round trips per second through the simulated gateway, and its start-up time.

One ib_async client (client-side throttling off) keeps up to 100 requests in flight against
an in-process ``TwsSimulator`` over loopback TCP; client and server share one event loop, so
the numbers include ib_async's own encoding/decoding cost.

    uv run python tests/benchmarks/simulator_roundtrip.py [--requests 20000] [--in-flight 100]
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import time
from collections.abc import Awaitable, Callable

from ib_async import IB, Stock

from adapters.simulated_gateway import SimWorld, TwsSimulator, World


def build_world() -> tuple[World, str]:
    return SimWorld(seed=7), "SimWorld"


async def measure(
    label: str, request: Callable[[], Awaitable[object]], total: int, in_flight: int
) -> tuple[str, int, float]:
    remaining = total

    async def worker() -> None:
        nonlocal remaining
        while remaining > 0:  # bounded by ``total``
            remaining -= 1
            async with asyncio.timeout(10):
                await request()

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(in_flight)))
    return label, total, time.perf_counter() - started


async def main(total: int, in_flight: int) -> None:
    logging.getLogger("ib_async").setLevel(logging.CRITICAL)
    started = time.perf_counter()
    world, world_name = build_world()
    built = time.perf_counter() - started
    simulator = TwsSimulator(world, port=0)
    started = time.perf_counter()
    await simulator.start()
    start_up = time.perf_counter() - started
    ib = IB()
    ib.client.MaxRequests = 0  # only a benchmark against the simulator may do this
    try:
        async with asyncio.timeout(10):
            await ib.connectAsync("127.0.0.1", simulator.port, clientId=1, timeout=5)
            (aapl,) = await ib.qualifyContractsAsync(Stock("AAPL", "SMART", "USD"))
        rows = [
            await measure(
                "reqContractDetails", lambda: ib.reqContractDetailsAsync(aapl), total, in_flight
            ),
            await measure("reqExecutions", lambda: ib.reqExecutionsAsync(), total, in_flight),
            await measure(
                "snapshot reqTickers", lambda: ib.reqTickersAsync(aapl), total // 4, in_flight
            ),
        ]
    finally:
        ib.disconnect()
        await simulator.stop()

    print(f"world: {world_name}, built in {built * 1000:.1f} ms")
    print(f"TwsSimulator.start(): {start_up * 1000:.1f} ms")
    print(f"{'request':<22}{'count':>8}{'seconds':>10}{'round trips/s':>16}")
    for label, count, seconds in rows:
        print(f"{label:<22}{count:>8}{seconds:>10.2f}{count / seconds:>16,.0f}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=20_000)
    parser.add_argument("--in-flight", type=int, default=100)
    args = parser.parse_args()
    asyncio.run(main(args.requests, args.in_flight))
