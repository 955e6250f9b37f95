"""Helpers for end-to-end tests: a real ib_async client against an in-process simulator."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime

from ib_async import IB

from adapters.simulated_gateway import SimWorld, TwsSimulator, World

HOST = "127.0.0.1"
MARKET_OPEN = datetime(2025, 3, 4, 15, 0, tzinfo=UTC)  # a Tuesday, 10:00 New York


def make_world() -> World:
    """The real simulated world at a fixed instant inside US regular trading hours, so the
    tests do not depend on the time of day they run."""
    return SimWorld(seed=7, start=MARKET_OPEN)


@contextlib.asynccontextmanager
async def simulator(world: World | None = None, **kwargs) -> AsyncIterator[TwsSimulator]:
    sim = TwsSimulator(world if world is not None else make_world(), host=HOST, port=0, **kwargs)
    async with asyncio.timeout(5):
        await sim.start()
    try:
        yield sim
    finally:
        async with asyncio.timeout(5):
            await sim.stop()


@contextlib.asynccontextmanager
async def client(sim: TwsSimulator, client_id: int = 1, **kwargs) -> AsyncIterator[IB]:
    ib = IB()
    errors: list[tuple[int, int, str]] = []
    ib.errorEvent += lambda req_id, code, text, _contract: errors.append((req_id, code, text))
    ib.errors = errors  # type: ignore[attr-defined]
    async with asyncio.timeout(6):
        await ib.connectAsync(HOST, sim.port, clientId=client_id, timeout=4, **kwargs)
    try:
        yield ib
    finally:
        ib.disconnect()


async def wait_until(condition: Callable[[], bool], within: float = 3.0) -> None:
    """Poll ``condition`` every 10 ms, at most ``within`` seconds (ib_async state has no event
    for most of what the tests check)."""
    for _ in range(int(within / 0.01)):
        if condition():
            return
        await asyncio.sleep(0.01)
    raise TimeoutError(f"condition not met within {within} s")


def error_codes(ib: IB) -> list[int]:
    return [code for _, code, _ in ib.errors]  # type: ignore[attr-defined]
