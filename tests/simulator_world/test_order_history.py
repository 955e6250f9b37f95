"""The simulated exchange keeps every working order and only the most recent finished orders
and fills (``orders/order_history``): a long run of trading stays bounded."""

from __future__ import annotations

from dataclasses import replace

import pytest

from adapters.simulated_gateway import SimWorld
from adapters.simulated_gateway.model import OrderSpec, UnknownOrder

from .conftest import MARKET_OPEN, one


def far_limit(order_id: int, **changes: object) -> OrderSpec:
    """A buy limit far below the market: it rests until cancelled."""
    return replace(OrderSpec(order_id, 0, "BUY", 1, "LMT", lmt_price=1.0), **changes)


def test_finished_orders_beyond_the_cap_are_forgotten_working_ones_never() -> None:
    world = SimWorld(seed=7, start=MARKET_OPEN, finished_kept=3)
    aapl = one(world, symbol="AAPL", sec_type="STK", currency="USD")
    world.place_order(far_limit(1), aapl)
    world.place_order(far_limit(2), aapl)
    for order_id in range(10, 22):
        world.place_order(far_limit(order_id), aapl)
        world.cancel_order(order_id)

    assert [r.spec.order_id for r in world.open_orders()] == [1, 2]
    # the cap holds before each new order: the newest three finished ones are kept
    assert [r.spec.order_id for r in world.completed_orders()] == [19, 20, 21]
    with pytest.raises(UnknownOrder, match="cannot be cancelled"):
        world.cancel_order(21)  # still known: finished
    with pytest.raises(UnknownOrder, match="is not found"):
        world.cancel_order(10)  # forgotten
    assert world.cancel_order(1).status == "Cancelled"  # the oldest working one still works


def test_a_finished_parent_stays_while_a_child_works() -> None:
    world = SimWorld(seed=7, start=MARKET_OPEN, finished_kept=1)
    aapl = one(world, symbol="AAPL", sec_type="STK", currency="USD")
    world.place_order(OrderSpec(1, 0, "BUY", 1, "MKT", transmit=False), aapl)
    world.place_order(far_limit(2, action="SELL", lmt_price=10_000.0, parent_id=1), aapl)
    assert world.open_orders()[0].spec.order_id == 2
    for order_id in range(10, 15):
        world.place_order(far_limit(order_id), aapl)
        world.cancel_order(order_id)

    finished = [r.spec.order_id for r in world.completed_orders()]
    assert finished == [1, 14]  # the filled parent, and the one most recent other
    assert [r.spec.order_id for r in world.open_orders()] == [2]


def test_only_the_most_recent_fills_are_kept() -> None:
    world = SimWorld(seed=7, start=MARKET_OPEN, fills_kept=4)
    aapl = one(world, symbol="AAPL", sec_type="STK", currency="USD")
    for order_id in range(1, 8):
        world.place_order(OrderSpec(order_id, 0, "BUY", 1, "MKT"), aapl)

    assert [f.order_id for f in world.fills()] == [4, 5, 6, 7]
    assert [p.position for p in world.positions()] == [7]  # the book keeps every fill's effect
