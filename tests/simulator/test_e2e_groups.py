"""Order families over the wire with ib_async: brackets (parentId, transmit), OCA groups,
IB's global cancel across clients, and a child whose parent is unknown (IB's 135)."""

from __future__ import annotations

import asyncio

from ib_async import LimitOrder, MarketOrder, Stock, StopOrder

from tests.simulator.e2e import client, error_codes, simulator, wait_until


async def _aapl(ib):
    (aapl,) = await ib.qualifyContractsAsync(Stock("AAPL", "SMART", "USD"))
    (ticker,) = await ib.reqTickersAsync(aapl)
    return aapl, ticker


async def test_a_bracket_waits_for_its_last_child_then_holds_the_exits() -> None:
    async with simulator() as sim, client(sim) as ib, asyncio.timeout(5):
        aapl, ticker = await _aapl(ib)
        low = round(ticker.bid * 0.9, 2)
        parent = LimitOrder("BUY", 10, low, transmit=False)
        parent.orderId = ib.client.getReqId()
        take = LimitOrder("SELL", 10, round(low * 1.2, 2), parentId=parent.orderId,
                          transmit=False, ocaGroup="g1", ocaType=1)  # fmt: skip
        stop = StopOrder("SELL", 10, round(low * 0.9, 2), parentId=parent.orderId,
                         transmit=True, ocaGroup="g1", ocaType=1)  # fmt: skip
        first = ib.placeOrder(aapl, parent)
        await wait_until(lambda: first.orderStatus.status == "PreSubmitted")
        children = [ib.placeOrder(aapl, order) for order in (take, stop)]
        await wait_until(lambda: first.orderStatus.status == "Submitted")
        await wait_until(lambda: all(t.orderStatus.status == "PreSubmitted" for t in children))
        ib.cancelOrder(parent)  # a parent takes its children along
        await wait_until(
            lambda: all(t.orderStatus.status == "Cancelled" for t in (first, *children))
        )


async def test_a_fill_cancels_the_rest_of_an_oca_group() -> None:
    async with simulator() as sim, client(sim) as ib, asyncio.timeout(5):
        aapl, ticker = await _aapl(ib)
        resting = LimitOrder("BUY", 5, round(ticker.bid * 0.5, 2), ocaGroup="one", ocaType=1)
        rest = ib.placeOrder(aapl, resting)
        await wait_until(lambda: rest.orderStatus.status == "Submitted")
        fill = ib.placeOrder(aapl, MarketOrder("BUY", 5, ocaGroup="one", ocaType=1))
        await wait_until(lambda: fill.orderStatus.status == "Filled")
        await wait_until(lambda: rest.orderStatus.status == "Cancelled")


async def test_a_fill_reduces_the_rest_of_a_reducing_oca_group() -> None:
    async with simulator() as sim, client(sim) as ib, asyncio.timeout(5):
        aapl, ticker = await _aapl(ib)
        resting = LimitOrder("SELL", 10, round(ticker.ask * 2, 2), ocaGroup="two", ocaType=2)
        rest = ib.placeOrder(aapl, resting)
        await wait_until(lambda: rest.orderStatus.status == "Submitted")
        fill = ib.placeOrder(aapl, MarketOrder("BUY", 4, ocaGroup="two", ocaType=2))
        await wait_until(lambda: fill.orderStatus.status == "Filled")
        await wait_until(lambda: rest.orderStatus.remaining == 6)
        (left,) = sim.world.open_orders()
        assert left.spec.total_quantity == 6 and left.status == "Submitted"


async def test_global_cancel_cancels_the_orders_of_every_client() -> None:
    async with simulator() as sim, client(sim, 1) as one, client(sim, 2) as two:
        async with asyncio.timeout(5):
            aapl, ticker = await _aapl(one)
            await _aapl(two)
            low = round(ticker.bid * 0.5, 2)
            mine = one.placeOrder(aapl, LimitOrder("BUY", 1, low))
            theirs = two.placeOrder(aapl, LimitOrder("BUY", 2, low))
            await wait_until(
                lambda: mine.orderStatus.status == theirs.orderStatus.status == "Submitted"
            )
            one.reqGlobalCancel()
            await wait_until(
                lambda: mine.orderStatus.status == theirs.orderStatus.status == "Cancelled"
            )
            assert not sim.world.open_orders()


async def test_a_child_of_an_unknown_parent_is_refused_with_135() -> None:
    async with simulator() as sim, client(sim) as ib, asyncio.timeout(5):
        aapl, ticker = await _aapl(ib)
        orphan = StopOrder("SELL", 1, round(ticker.bid * 0.5, 2), parentId=4242)
        ib.placeOrder(aapl, orphan)
        await wait_until(lambda: 135 in error_codes(ib))
        assert not sim.world.open_orders()
