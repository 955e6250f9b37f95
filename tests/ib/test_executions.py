"""Executions and completed orders through the real IbBroker and the simulator."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from adapters.ib.broker import IbBroker
from domain.executions import ExecutionQuery
from domain.orders import OrderRequest
from tests.ib.conftest import stock


async def test_fills_come_with_commission_and_realized_pnl(broker: IbBroker) -> None:
    aapl = await stock(broker)
    buy = OrderRequest(action="BUY", quantity=10, contract_id=aapl.con_id, client_order_id="b1")
    bought = await broker.place_order(aapl, buy)
    sold = await broker.place_order(
        aapl, OrderRequest(action="SELL", quantity=4, contract_id=aapl.con_id)
    )
    ids = {bought.order_id, sold.order_id}

    async def ours() -> list:
        return [e for e in await broker.executions(ExecutionQuery()) if e.order_id in ids]

    found = await ours()
    for _ in range(50):  # a fill may still be on its way
        if len(found) == 2:
            break
        await asyncio.sleep(0.05)
        found = await ours()
    by_side = {e.side: e for e in found}
    assert set(by_side) == {"BUY", "SELL"}
    buy_fill, sell_fill = by_side["BUY"], by_side["SELL"]
    assert buy_fill.client_order_id == "b1" and buy_fill.quantity == 10
    assert buy_fill.commission is not None and buy_fill.commission > 0
    assert buy_fill.commission_currency == "USD" and buy_fill.currency == "USD"
    assert buy_fill.realized_pnl is None
    assert sell_fill.realized_pnl is not None and sell_fill.commission is not None
    assert buy_fill.time.tzinfo is not None and buy_fill.contract_id == aapl.con_id

    sells = await broker.executions(ExecutionQuery(side="SELL", symbol="AAPL"))
    assert [e.exec_id for e in sells] == [sell_fill.exec_id]
    later = await broker.executions(ExecutionQuery(since=sell_fill.time + timedelta(hours=1)))
    assert later == []


async def test_completed_orders_name_their_order_and_fill_price(broker: IbBroker) -> None:
    aapl = await stock(broker)
    placed = await broker.place_order(
        aapl, OrderRequest(action="BUY", quantity=2, contract_id=aapl.con_id, client_order_id="c1")
    )
    done = []
    for _ in range(50):
        done = [o for o in await broker.completed_orders() if o.client_order_id == "c1"]
        if done and done[0].status == "Filled":
            break
        await asyncio.sleep(0.05)
    (order,) = done
    assert order.order_id == placed.order_id and order.status == "Filled"
    assert order.filled_quantity == 2 and order.quantity == 2 and order.action == "BUY"
    assert order.average_fill_price and order.average_fill_price > 0
    assert order.completed_time is not None and order.limit_price is None
