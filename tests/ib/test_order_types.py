"""Every order type through the real IbBroker against the simulator, read back in open orders."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import msgspec
import pytest

from adapters.ib.broker import IbBroker
from adapters.simulated_gateway import SimWorld, TwsSimulator
from domain.errors import OrderRejected
from domain.orders import OrderRequest
from tests.ib.conftest import SESSION_OPEN, eventually, make_broker, stock

MANUAL_CLOCK = 3600.0


@pytest.fixture
async def manual() -> AsyncIterator[tuple[TwsSimulator, IbBroker]]:
    sim = TwsSimulator(SimWorld(start=SESSION_OPEN), port=0, tick_interval=MANUAL_CLOCK)
    await sim.start()
    broker = make_broker(sim)
    await broker.start()
    try:
        assert await broker.wait_connected(5)
        yield sim, broker
    finally:
        await broker.stop()
        await sim.stop()


def _order(con_id: int, **fields: Any) -> OrderRequest:
    return msgspec.convert(
        {"action": "SELL", "quantity": 10, "contract_id": con_id, **fields}, OrderRequest
    )


# Terms far from the market: each order stays working, to be read back.
RESTING = [
    ({"order_type": "TRAIL", "trailing_amount": 50.0}, {"trailing_amount": 50.0}),
    ({"order_type": "TRAIL", "trailing_percent": 20.0, "trail_stop_price": 100.0},
     {"trailing_percent": 20.0}),
    ({"order_type": "TRAIL LIMIT", "trailing_amount": 50.0, "limit_offset": 0.25},
     {"trailing_amount": 50.0, "limit_offset": 0.25}),
    ({"order_type": "MIT", "trigger_price": 9000.0}, {"trigger_price": 9000.0}),
    ({"order_type": "LIT", "trigger_price": 9000.0, "limit_price": 8999.0},
     {"trigger_price": 9000.0, "limit_price": 8999.0}),
    ({"order_type": "MOC"}, {}),
    ({"order_type": "LOC", "limit_price": 9000.0}, {"limit_price": 9000.0}),
    ({"order_type": "REL", "offset": 0.01, "limit_price": 9000.0},
     {"offset": 0.01, "limit_price": 9000.0}),
    ({"order_type": "MIDPRICE", "limit_price": 9000.0}, {"limit_price": 9000.0}),
    ({"order_type": "LMT", "limit_price": 9000.0,
      "algo": {"strategy": "Adaptive", "params": {"adaptivePriority": "Patient"}}}, {}),
]  # fmt: skip


@pytest.mark.parametrize(
    ("fields", "expected"), RESTING, ids=lambda f: str(f.get("order_type", ""))
)
async def test_each_type_is_placed_and_listed_with_its_terms(
    manual: tuple[TwsSimulator, IbBroker], fields: dict[str, Any], expected: dict[str, Any]
) -> None:
    _, broker = manual
    async with asyncio.timeout(10):
        aapl = await stock(broker)
        placed = await broker.place_order(aapl, _order(aapl.con_id, **fields))
        assert placed.status in ("PreSubmitted", "Submitted")
        (listed,) = await broker.open_orders()
        assert listed.order_type == fields["order_type"]
        for name, value in expected.items():
            assert getattr(listed, name) == value, name
        if fields.get("algo"):
            assert listed.algo is not None and listed.algo.strategy == "Adaptive"
            assert listed.algo.params == {"adaptivePriority": "Patient"}


async def test_open_orders_show_the_trailing_stop_as_it_moves(
    manual: tuple[TwsSimulator, IbBroker],
) -> None:
    sim, broker = manual
    async with asyncio.timeout(15):
        aapl = await stock(broker)
        order = _order(aapl.con_id, order_type="TRAIL", trailing_amount=20.0)
        await broker.place_order(aapl, order)
        high = sim.world.quote(aapl.con_id).last
        (listed,) = await broker.open_orders()
        assert listed.trail_stop_price == round(high - 20.0, 2)
        for _ in range(200):
            sim.advance(30)
            last = sim.world.quote(aapl.con_id).last
            if last > high:
                high = last
                break
        await eventually(
            lambda: broker.supervisor.ib.trades()[-1].order.trailStopPrice == round(high - 20, 2)
        )
        (listed,) = await broker.open_orders()
        assert listed.trail_stop_price == round(high - 20.0, 2)


async def test_ibs_refusal_of_a_late_market_on_close_is_order_rejected() -> None:
    late = SimWorld(start=SESSION_OPEN.replace(hour=20, minute=55))  # 15:55 New York
    sim = TwsSimulator(late, port=0, tick_interval=MANUAL_CLOCK)
    await sim.start()
    broker = make_broker(sim)
    await broker.start()
    try:
        assert await broker.wait_connected(5)
        aapl = await stock(broker)
        with pytest.raises(OrderRejected, match="before 15:50"):
            await broker.place_order(aapl, _order(aapl.con_id, order_type="MOC"))
    finally:
        await broker.stop()
        await sim.stop()
