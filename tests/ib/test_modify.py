"""Modifying orders through the real IbBroker and the simulator: IB's answer, never the echo."""

from __future__ import annotations

import pytest

from adapters.ib.broker import IbBroker
from adapters.simulated_gateway import TwsSimulator
from domain.errors import OrderRejected
from domain.orders import OrderRequest
from tests.ib.conftest import eventually, stock
from tests.ib.test_orders import limit_buy


async def test_price_quantity_and_tif_as_ib_reports_them(broker: IbBroker) -> None:
    aapl = await stock(broker)
    placed = await broker.place_order(aapl, limit_buy(aapl.con_id, "m1"))
    current = await broker.session_order(placed.order_id)
    assert current is not None and current.time_in_force == "DAY"
    wanted = limit_buy(aapl.con_id, "m1", quantity=12, limit_price=2.0, time_in_force="GTC")
    result = await broker.modify_order(placed.order_id, aapl, wanted)
    assert (result.order_id, result.status, result.remaining_quantity) == (
        placed.order_id,
        "Submitted",
        12,
    )
    after = await broker.session_order(placed.order_id)
    assert after is not None
    assert (after.quantity, after.limit_price, after.time_in_force) == (12, 2.0, "GTC")
    (listed,) = await broker.open_orders()
    assert (listed.limit_price, listed.quantity, listed.time_in_force) == (2.0, 12, "GTC")


async def test_a_new_marketable_price_fills(broker: IbBroker) -> None:
    aapl = await stock(broker)
    placed = await broker.place_order(aapl, limit_buy(aapl.con_id, quantity=3))
    result = await broker.modify_order(
        placed.order_id, aapl, limit_buy(aapl.con_id, quantity=3, limit_price=10_000.0)
    )
    assert result.status in ("Submitted", "Filled")
    await eventually(lambda: _status(broker, placed.order_id) == "Filled")


async def test_a_refused_change_keeps_the_old_terms(
    broker: IbBroker, simulator: TwsSimulator
) -> None:
    aapl = await stock(broker)
    placed = await broker.place_order(aapl, limit_buy(aapl.con_id))
    simulator.faults.reject_next_order("Simulated margin check failed")
    with pytest.raises(OrderRejected) as caught:
        await broker.modify_order(placed.order_id, aapl, limit_buy(aapl.con_id, quantity=50))
    assert caught.value.ib_code == 201 and "keeps its previous terms" in caught.value.message
    await eventually(lambda: _status(broker, placed.order_id) == "Submitted")
    current = await broker.session_order(placed.order_id)
    assert current is not None and current.quantity == 10


async def test_a_filled_order_cannot_be_modified(broker: IbBroker) -> None:
    aapl = await stock(broker)
    placed = await broker.place_order(
        aapl, OrderRequest(action="BUY", quantity=1, contract_id=aapl.con_id)
    )
    await eventually(lambda: _status(broker, placed.order_id) == "Filled")
    with pytest.raises(OrderRejected) as caught:
        await broker.modify_order(placed.order_id, aapl, limit_buy(aapl.con_id, quantity=2))
    assert "Filled" in caught.value.message


def _status(broker: IbBroker, order_id: int) -> str:
    ib = broker.supervisor.ib
    assert ib is not None
    trade = next(t for t in ib.trades() if t.order.orderId == order_id)
    return trade.orderStatus.status
