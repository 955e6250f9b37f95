"""An in-process simulated IB Gateway and an ``IbBroker`` connected to it over TCP."""

from __future__ import annotations

import asyncio
import functools
import inspect
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import replace
from datetime import UTC, datetime

import pytest

from adapters.ib.broker import IbBroker, IbSettings
from adapters.simulated_gateway import SimWorld, TwsSimulator
from domain.contract import Contract, ContractQuery

SESSION_OPEN = datetime(2025, 3, 4, 15, 0, tzinfo=UTC)

# Short limits and back-off so that fault tests run in seconds.
FAST = IbSettings(
    host="127.0.0.1",
    port=0,
    connect_timeout=3.0,
    request_timeout=3.0,
    historical_timeout=5.0,
    order_ack_timeout=3.0,
    backoff_initial=0.05,
    backoff_max=0.4,
    backoff_jitter=0.2,
)


@pytest.fixture
async def simulator() -> AsyncIterator[TwsSimulator]:
    # A fixed simulated time (a Tuesday, 10:00 in New York): what the market has to say
    # (e.g. intraday bars with use_rth) must not depend on when the tests run.
    sim = TwsSimulator(SimWorld(start=SESSION_OPEN), port=0, tick_interval=0.1)
    await sim.start()
    try:
        yield sim
    finally:
        await sim.stop()


def make_broker(sim: TwsSimulator, **changes: object) -> IbBroker:
    settings = replace(FAST, **changes)  # type: ignore[arg-type]
    return IbBroker(settings, endpoint=lambda: ("127.0.0.1", sim.port))


@asynccontextmanager
async def connected(sim: TwsSimulator, **changes: object) -> AsyncIterator[IbBroker]:
    """A broker (``make_broker(sim, **changes)``) connected to the simulator; stopped after."""
    ib_broker = make_broker(sim, **changes)
    await ib_broker.start()
    try:
        assert await ib_broker.wait_connected(5), "broker did not connect to the simulator"
        yield ib_broker
    finally:
        await ib_broker.stop()


@pytest.fixture
async def broker(simulator: TwsSimulator) -> AsyncIterator[IbBroker]:
    async with connected(simulator) as ib_broker:
        yield ib_broker


async def stock(broker: IbBroker, symbol: str = "AAPL") -> Contract:
    found = await broker.contract_details(
        ContractQuery(symbol=symbol, sec_type="STK", exchange="SMART", currency="USD")
    )
    assert len(found) == 1
    return found[0]


async def eventually(condition: Callable[[], bool], limit: float = 5.0) -> float:
    """Poll ``condition`` until it holds; the seconds it took (TimeoutError after ``limit``)."""
    loop = asyncio.get_running_loop()
    started = loop.time()
    async with asyncio.timeout(limit):
        while True:
            if condition():
                return loop.time() - started
            await asyncio.sleep(0.01)


TEST_LIMIT = 60.0  # no test here may hang: each async test runs under this asyncio timeout


def _bounded(test: Callable[..., object]) -> Callable[..., object]:
    @functools.wraps(test)
    async def run(*args: object, **kwargs: object) -> object:
        async with asyncio.timeout(TEST_LIMIT):
            return await test(*args, **kwargs)  # type: ignore[misc]

    return run


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        mine = "tests/ib/" in str(item.path).replace("\\", "/")
        if mine and isinstance(item, pytest.Function) and inspect.iscoroutinefunction(item.obj):
            item.obj = _bounded(item.obj)
