"""Order types on the simulator's price path, through a real ib_async client, with the
simulator's clock moved by hand (``tick_interval=3600`` + ``advance``)."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

from ib_async import IB, Order, Stock, TagValue

from adapters.ib.order_terms import track_order_terms
from adapters.simulated_gateway import SimWorld
from tests.simulator.e2e import client, simulator, wait_until

MANUAL = 3600.0
AT_15_00 = datetime(2025, 3, 4, 20, 0, tzinfo=UTC)  # 15:00 New York, an hour before the close


async def _aapl(ib: IB):
    (aapl,) = await ib.qualifyContractsAsync(Stock("AAPL", "SMART", "USD"))
    return aapl


async def _step(sim, ib: IB, seconds: float) -> None:
    sim.advance(seconds)
    await ib.reqCurrentTimeAsync()  # a round trip: whatever the step sent has arrived


def _last(sim, con_id: int) -> float:
    return sim.world.quote(con_id).last


async def test_a_trailing_stop_follows_the_price_path_and_fills_when_the_price_reverses():
    async with simulator(tick_interval=MANUAL) as sim, client(sim) as ib, asyncio.timeout(10):
        track_order_terms(ib)  # as the adapter does: keep IB's reported trailStopPrice
        aapl = await _aapl(ib)
        amount = 0.3
        order = Order(action="SELL", totalQuantity=10, orderType="TRAIL", auxPrice=amount)
        trade = ib.placeOrder(aapl, order)
        high = _last(sim, aapl.conId)
        await wait_until(lambda: trade.orderStatus.status == "PreSubmitted")
        await wait_until(lambda: trade.order.trailStopPrice == round(high - amount, 2))
        moves = 0
        for _ in range(300):
            await _step(sim, ib, 30)
            last = _last(sim, aapl.conId)
            if last <= round(high - amount, 2):  # the reversal reached the stop
                break
            if last > high:
                high, moves = last, moves + 1
            assert trade.orderStatus.status == "PreSubmitted"
            assert trade.order.trailStopPrice == round(high - amount, 2)
        await wait_until(lambda: trade.orderStatus.status == "Filled")
        assert moves > 0  # the stop did trail the market up
        assert trade.fills[0].execution.price <= round(high - amount, 2)


async def test_a_trailing_percent_stop_limit_becomes_a_limit_at_stop_minus_offset():
    async with simulator(tick_interval=MANUAL) as sim, client(sim) as ib, asyncio.timeout(10):
        track_order_terms(ib)
        aapl = await _aapl(ib)
        order = Order(action="SELL", totalQuantity=5, orderType="TRAIL LIMIT",
                      trailingPercent=0.1, lmtPriceOffset=0.05)  # fmt: skip
        trade = ib.placeOrder(aapl, order)
        await wait_until(lambda: trade.orderStatus.status == "PreSubmitted")
        for _ in range(400):
            if trade.orderStatus.status != "PreSubmitted":
                break
            stop = trade.order.trailStopPrice
            await _step(sim, ib, 30)
        await wait_until(lambda: trade.orderStatus.status in ("Submitted", "Filled"))
        assert trade.order.lmtPrice == round(trade.order.trailStopPrice - 0.05, 2)
        assert trade.order.trailStopPrice >= stop


async def test_market_on_close_fills_at_the_close_and_not_before():
    world = SimWorld(seed=7, start=AT_15_00)
    async with simulator(world, tick_interval=MANUAL) as sim, client(sim) as ib:
        aapl = await _aapl(ib)
        trade = ib.placeOrder(aapl, Order(action="BUY", totalQuantity=7, orderType="MOC"))
        await wait_until(lambda: trade.orderStatus.status == "PreSubmitted")
        await _step(sim, ib, 3599)
        assert trade.orderStatus.status == "PreSubmitted" and not trade.fills
        await _step(sim, ib, 1)  # 16:00:00, the close
        await wait_until(lambda: trade.orderStatus.status == "Filled")
        assert trade.fills[0].execution.price == _last(sim, aapl.conId)


async def test_on_close_orders_are_refused_in_the_last_ten_minutes():
    world = SimWorld(seed=7, start=datetime(2025, 3, 4, 20, 51, tzinfo=UTC))  # 15:51
    async with simulator(world, tick_interval=MANUAL) as sim, client(sim) as ib:
        aapl = await _aapl(ib)
        trade = ib.placeOrder(aapl, Order(action="BUY", totalQuantity=1, orderType="MOC"))
        await wait_until(lambda: any(code == 201 for _, code, _ in ib.errors))
        text = next(t for _, code, t in ib.errors if code == 201)
        assert "before 15:50" in text
        assert trade.orderStatus.status in ("Cancelled", "Inactive", "PendingSubmit")


async def test_limit_on_close_is_cancelled_when_the_close_misses_its_limit():
    world = SimWorld(seed=7, start=AT_15_00)
    async with simulator(world, tick_interval=MANUAL) as sim, client(sim) as ib:
        aapl = await _aapl(ib)
        low = round(_last(sim, aapl.conId) * 0.5, 2)
        trade = ib.placeOrder(aapl, Order(action="BUY", totalQuantity=3, orderType="LOC",
                                          lmtPrice=low))  # fmt: skip
        await wait_until(lambda: trade.orderStatus.status == "PreSubmitted")
        await _step(sim, ib, 3600)
        await wait_until(lambda: trade.orderStatus.status == "Cancelled")
        assert not trade.fills


async def test_market_if_touched_buy_triggers_once_the_price_touches_from_above():
    async with simulator(tick_interval=MANUAL) as sim, client(sim) as ib, asyncio.timeout(10):
        aapl = await _aapl(ib)
        trigger = round(_last(sim, aapl.conId) - 0.2, 2)
        trade = ib.placeOrder(aapl, Order(action="BUY", totalQuantity=4, orderType="MIT",
                                          auxPrice=trigger))  # fmt: skip
        await wait_until(lambda: trade.orderStatus.status == "PreSubmitted")
        for _ in range(600):
            await _step(sim, ib, 30)
            if _last(sim, aapl.conId) <= trigger:
                break
            assert trade.orderStatus.status == "PreSubmitted"
        await wait_until(lambda: trade.orderStatus.status == "Filled")


async def test_twap_fills_in_equal_slices_across_its_window():
    async with simulator(tick_interval=MANUAL) as sim, client(sim) as ib, asyncio.timeout(10):
        aapl = await _aapl(ib)
        order = Order(action="BUY", totalQuantity=100, orderType="MKT", algoStrategy="Twap",
                      algoParams=[TagValue("startTime", "10:00:00 US/Eastern"),
                                  TagValue("endTime", "11:00:00 US/Eastern")])  # fmt: skip
        trade = ib.placeOrder(aapl, order)
        await wait_until(lambda: trade.orderStatus.status == "Submitted")
        filled = []
        for quarter in (1, 2, 3, 4):
            await _step(sim, ib, 900)
            await wait_until(lambda q=quarter: trade.orderStatus.filled == 25 * q)
            filled.append(trade.orderStatus.filled)
        assert filled == [25, 50, 75, 100] and trade.orderStatus.status == "Filled"
        assert [f.execution.shares for f in trade.fills] == [25, 25, 25, 25]
        open_trades = await ib.reqAllOpenOrdersAsync()
        assert not any(t.order.permId == trade.order.permId for t in open_trades)


async def test_midprice_fills_at_the_midpoint_and_rel_pegs_to_the_bid():
    async with simulator(tick_interval=MANUAL) as sim, client(sim) as ib, asyncio.timeout(10):
        aapl = await _aapl(ib)
        q = sim.world.quote(aapl.conId)
        mid = ib.placeOrder(aapl, Order(action="BUY", totalQuantity=2, orderType="MIDPRICE"))
        await wait_until(lambda: mid.orderStatus.status == "Filled")
        assert mid.fills[0].execution.price == round((q.bid + q.ask) / 2, 6)
        rel = ib.placeOrder(aapl, Order(action="BUY", totalQuantity=2, orderType="REL",
                                        auxPrice=0.0, lmtPrice=round(q.bid * 0.9, 2)))  # fmt: skip
        await wait_until(lambda: rel.orderStatus.status == "Submitted")
        await _step(sim, ib, 60)
        assert rel.orderStatus.status == "Submitted"  # capped far below the market


async def test_ib_refuses_an_algo_on_a_stop_and_a_trail_without_its_distance():
    async with simulator(tick_interval=MANUAL) as sim, client(sim) as ib:
        aapl = await _aapl(ib)
        ib.placeOrder(aapl, Order(action="SELL", totalQuantity=1, orderType="TRAIL"))
        ib.placeOrder(aapl, Order(action="SELL", totalQuantity=1, orderType="STP", auxPrice=1.0,
                                  algoStrategy="Adaptive",
                                  algoParams=[TagValue("adaptivePriority", "Normal")]))  # fmt: skip
        await wait_until(lambda: [c for _, c, _ in ib.errors].count(201) == 2)
        texts = [t for _, c, t in ib.errors if c == 201]
        assert "Trailing amount or trailing percent" in texts[0]
        assert "Adaptive algo does not support STP" in texts[1]
        assert not sim.world.open_orders()


async def test_a_stop_does_not_trigger_outside_regular_hours_unless_told():
    evening = datetime(2025, 3, 4, 22, 0, tzinfo=UTC)  # 17:00 New York, after the close
    async with simulator(SimWorld(seed=7, start=evening), tick_interval=MANUAL) as sim, \
            client(sim) as ib:  # fmt: skip
        aapl = await _aapl(ib)
        high = round(_last(sim, aapl.conId) * 2, 2)
        held = ib.placeOrder(aapl, Order(action="SELL", totalQuantity=1, orderType="STP",
                                         auxPrice=high))  # fmt: skip
        await _step(sim, ib, 60)
        assert held.orderStatus.status == "PreSubmitted"
        told = ib.placeOrder(aapl, Order(action="SELL", totalQuantity=1, orderType="STP",
                                         auxPrice=high, outsideRth=True))  # fmt: skip
        await wait_until(lambda: told.orderStatus.status == "Filled")
