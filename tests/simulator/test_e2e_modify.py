"""Modifying an order over the wire: same order id, new terms; what IB refuses, and why."""

from __future__ import annotations

import asyncio
from copy import copy

from ib_async import LimitOrder, MarketOrder, Stock

from tests.simulator.e2e import client, error_codes, simulator, wait_until


async def _resting(ib):
    (aapl,) = await ib.qualifyContractsAsync(Stock("AAPL", "SMART", "USD"))
    (ticker,) = await ib.reqTickersAsync(aapl)
    trade = ib.placeOrder(aapl, LimitOrder("BUY", 5, round(ticker.bid * 0.5, 2)))
    await wait_until(lambda: trade.orderStatus.status == "Submitted")
    return aapl, ticker, trade


async def test_new_price_quantity_and_tif_are_announced_and_govern_fills() -> None:
    async with simulator() as sim, client(sim, 1) as ib, asyncio.timeout(8):
        aapl, ticker, trade = await _resting(ib)
        changed = copy(trade.order)
        changed.totalQuantity, changed.lmtPrice, changed.tif = 7, round(ticker.bid * 0.6, 2), "GTC"
        ib.placeOrder(aapl, changed)
        await wait_until(lambda: trade.order.lmtPrice == changed.lmtPrice)
        assert trade.order.totalQuantity == 7 and trade.orderStatus.remaining == 7
        async with client(sim, 2) as other:
            (seen,) = await other.reqAllOpenOrdersAsync()
        assert (seen.order.tif, seen.order.lmtPrice, seen.order.permId) == (
            "GTC",
            changed.lmtPrice,
            trade.order.permId,
        )
        marketable = copy(changed)
        marketable.lmtPrice = round(ticker.ask * 1.05, 2)  # now it takes the offer
        ib.placeOrder(aapl, marketable)
        await wait_until(lambda: trade.orderStatus.status == "Filled")
        assert sum(f.execution.shares for f in trade.fills) == 7


async def test_a_filled_order_cannot_be_modified() -> None:
    async with simulator() as sim, client(sim) as ib, asyncio.timeout(5):
        (aapl,) = await ib.qualifyContractsAsync(Stock("AAPL", "SMART", "USD"))
        trade = ib.placeOrder(aapl, MarketOrder("BUY", 1))
        await wait_until(trade.isDone)
        again = copy(trade.order)
        again.totalQuantity = 2
        ib.client.placeOrder(again.orderId, aapl, again)  # ib_async itself refuses to try
        await wait_until(lambda: 104 in error_codes(ib))


async def test_a_refused_modification_leaves_the_order_working() -> None:
    async with simulator() as sim, client(sim) as ib, asyncio.timeout(5):
        aapl, _, trade = await _resting(ib)
        sim.faults.reject_next_order("Simulated margin check failed")
        changed = copy(trade.order)
        changed.totalQuantity = 50
        ib.placeOrder(aapl, changed)
        await wait_until(lambda: 201 in error_codes(ib))
        await wait_until(lambda: trade.orderStatus.status == "Submitted")
        assert trade.order.totalQuantity == 5
        assert [t.order.totalQuantity for t in await ib.reqAllOpenOrdersAsync()] == [5]
