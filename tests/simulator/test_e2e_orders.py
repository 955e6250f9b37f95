"""Orders through a real ib_async client: fills, resting, cancels, modifies, what-if, lists."""

from __future__ import annotations

import asyncio

from ib_async import ExecutionFilter, LimitOrder, MarketOrder, Stock

from tests.simulator.e2e import client, error_codes, simulator, wait_until


async def _aapl(ib):
    (aapl,) = await ib.qualifyContractsAsync(Stock("AAPL", "SMART", "USD"))
    return aapl


def _cash(ib) -> float:
    return next(
        float(v.value)
        for v in ib.accountValues()
        if v.tag == "TotalCashValue" and v.currency == "USD"
    )


def _position(ib, con_id: int) -> float:
    return sum(p.position for p in ib.positions() if p.contract.conId == con_id)


async def test_market_order_fills_with_commission_and_updates_account() -> None:
    async with simulator() as sim, client(sim) as ib, asyncio.timeout(5):
        aapl = await _aapl(ib)
        cash_before, held_before = _cash(ib), _position(ib, aapl.conId)
        trade = ib.placeOrder(aapl, MarketOrder("BUY", 10))
        await wait_until(lambda: trade.isDone() and bool(trade.fills))
        assert trade.orderStatus.status == "Filled"
        assert trade.orderStatus.filled == 10 and trade.orderStatus.avgFillPrice > 0
        fill = trade.fills[0]
        assert fill.execution.side == "BOT" and fill.execution.shares == 10
        await wait_until(lambda: fill.commissionReport.commission > 0)
        await wait_until(lambda: _position(ib, aapl.conId) == held_before + 10)
        await wait_until(lambda: _cash(ib) < cash_before)
        assert any(p.contract.conId == aapl.conId for p in ib.portfolio())


async def test_limit_order_rests_then_is_cancelled() -> None:
    async with simulator() as sim, client(sim) as ib, asyncio.timeout(5):
        aapl = await _aapl(ib)
        (ticker,) = await ib.reqTickersAsync(aapl)
        trade = ib.placeOrder(aapl, LimitOrder("BUY", 5, round(ticker.bid * 0.5, 2)))
        await wait_until(lambda: trade.orderStatus.status == "Submitted")
        open_trades = await ib.reqAllOpenOrdersAsync()
        assert any(t.order.orderId == trade.order.orderId for t in open_trades)
        ib.cancelOrder(trade.order)
        await wait_until(lambda: trade.orderStatus.status == "Cancelled")
        await wait_until(lambda: 202 in error_codes(ib))


async def test_limit_order_modified_then_filled_later() -> None:
    async with simulator(tick_interval=0.02) as sim, client(sim) as ib, asyncio.timeout(8):
        aapl = await _aapl(ib)
        (ticker,) = await ib.reqTickersAsync(aapl)
        order = LimitOrder("SELL", 3, round(ticker.bid * 1.5, 2))
        trade = ib.placeOrder(aapl, order)
        await wait_until(lambda: trade.orderStatus.status == "Submitted")
        # modify: same order id, a price just above the market, then let the market walk to it
        order.lmtPrice = round(ticker.bid * 1.001 + 0.02, 2)
        ib.placeOrder(aapl, order)
        await wait_until(lambda: any(e.message == "Modified" for e in trade.log))
        world = sim.world
        for _ in range(5000):  # bounded: drive simulated time until the limit is reached
            if trade.isDone():
                break
            world.step(60.0)
            await asyncio.sleep(0)
        await wait_until(lambda: trade.orderStatus.status == "Filled")
        assert trade.fills and trade.fills[0].execution.price >= order.lmtPrice


async def test_what_if_returns_margin_impact() -> None:
    async with simulator() as sim, client(sim) as ib, asyncio.timeout(5):
        aapl = await _aapl(ib)
        state = await ib.whatIfOrderAsync(aapl, MarketOrder("BUY", 10))
        assert float(state.initMarginChange) > 0
        assert state.commission > 0
        assert not ib.openTrades()


async def test_executions_and_completed_orders_are_listed() -> None:
    async with simulator() as sim, client(sim) as ib, asyncio.timeout(5):
        aapl = await _aapl(ib)
        trade = ib.placeOrder(aapl, MarketOrder("BUY", 2))
        await wait_until(trade.isDone)
        fills = await ib.reqExecutionsAsync()
        assert any(f.execution.permId == trade.order.permId for f in fills)
        sells = await ib.reqExecutionsAsync(ExecutionFilter(side="SELL"))
        assert all(f.execution.side == "SLD" for f in sells)
        completed = await ib.reqCompletedOrdersAsync(False)
        assert any(t.order.permId == trade.order.permId for t in completed)


async def test_open_orders_after_reconnect() -> None:
    async with simulator() as sim:
        async with client(sim, 5) as ib, asyncio.timeout(5):
            aapl = await _aapl(ib)
            (ticker,) = await ib.reqTickersAsync(aapl)
            trade = ib.placeOrder(aapl, LimitOrder("BUY", 1, round(ticker.bid * 0.5, 2)))
            await wait_until(lambda: trade.orderStatus.status == "Submitted")
        async with client(sim, 5) as again, asyncio.timeout(5):
            assert [t.order.orderId for t in again.openTrades()] == [trade.order.orderId]
            assert again.client.getReqId() > trade.order.orderId
            again.reqGlobalCancel()
            await wait_until(lambda: not again.openTrades())


async def test_rejected_and_unknown_orders() -> None:
    async with simulator() as sim, client(sim) as ib, asyncio.timeout(5):
        aapl = await _aapl(ib)
        sim.faults.reject_next_order("Simulated margin check failed")
        trade = ib.placeOrder(aapl, MarketOrder("BUY", 1))
        await wait_until(lambda: trade.orderStatus.status == "Cancelled")
        assert 201 in error_codes(ib)
        assert any("Simulated margin check failed" in e.message for e in trade.log)
        stray = LimitOrder("BUY", 1, 1.0)
        stray.orderId = 9999
        ib.client.cancelOrder(stray.orderId, "")
        await wait_until(lambda: 10147 in error_codes(ib))


async def test_two_clients_may_use_the_same_order_id() -> None:
    async with simulator() as sim, client(sim, 1) as one, client(sim, 2) as two:
        async with asyncio.timeout(5):
            aapl = await _aapl(one)
            await _aapl(two)
            (ticker,) = await one.reqTickersAsync(aapl)
            low = round(ticker.bid * 0.5, 2)
            order_one, order_two = LimitOrder("BUY", 1, low), LimitOrder("BUY", 2, low)
            order_one.orderId = order_two.orderId = 500
            first, second = one.placeOrder(aapl, order_one), two.placeOrder(aapl, order_two)
            await wait_until(
                lambda: first.orderStatus.status == second.orderStatus.status == "Submitted"
            )
            assert first.order.permId != second.order.permId
            one.cancelOrder(first.order)
            await wait_until(lambda: first.orderStatus.status == "Cancelled")
            await asyncio.sleep(0.05)
            assert second.orderStatus.status == "Submitted"
            assert [t.order.totalQuantity for t in await two.reqOpenOrdersAsync()] == [2]
