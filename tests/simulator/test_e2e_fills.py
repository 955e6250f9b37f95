"""Fills over the wire: commission reports live and in answer to reqExecutions, completed orders."""

from __future__ import annotations

import asyncio

from ib_async import ExecutionFilter, MarketOrder, Stock
from ib_async.ib import StartupFetch, StartupFetchALL

from tests.simulator.e2e import client, simulator, wait_until


async def test_commission_follows_each_execution_live_and_on_request() -> None:
    async with simulator() as sim, client(sim, 1) as ib, asyncio.timeout(8):
        (aapl,) = await ib.qualifyContractsAsync(Stock("AAPL", "SMART", "USD"))
        seen: list[str] = []
        ib.execDetailsEvent += lambda _t, fill: seen.append(f"exec {fill.execution.execId}")
        ib.commissionReportEvent += lambda _t, _f, report: seen.append(f"fee {report.execId}")
        bought = ib.placeOrder(aapl, MarketOrder("BUY", 10))
        await wait_until(lambda: bought.isDone() and len(seen) == 2)
        exec_id = bought.fills[0].execution.execId
        assert seen == [f"exec {exec_id}", f"fee {exec_id}"]
        sold = ib.placeOrder(aapl, MarketOrder("SELL", 4))
        await wait_until(lambda: sold.isDone() and len(seen) == 4)
        async with client(sim, 2) as other:
            # ib_async already asked for the executions while connecting; count the reports
            # that answer this request.
            answered: list[str] = []
            keep = other.wrapper.commissionReport
            other.wrapper.commissionReport = lambda r: (answered.append(r.execId), keep(r))
            fills = await other.reqExecutionsAsync(ExecutionFilter(symbol="AAPL"))
            assert sorted(answered) == sorted(f.execution.execId for f in fills)
            # ib_async files a report under the fill it saw first (the one from connecting)
            reports = {
                f.execution.side: other.wrapper.fills[f.execution.execId].commissionReport
                for f in fills
            }
        assert set(reports) == {"BOT", "SLD"}
        assert reports["BOT"].commission > 0 and reports["SLD"].commission > 0
        assert reports["BOT"].currency == "USD"
        assert reports["BOT"].realizedPNL == 0.0  # IB's "none" for an opening fill
        assert reports["SLD"].realizedPNL != 0.0
        assert reports["SLD"].execId == sold.fills[0].execution.execId


async def test_fills_first_seen_in_answer_to_req_executions_carry_their_commission() -> None:
    async with simulator() as sim, client(sim, 1) as ib, asyncio.timeout(8):
        (aapl,) = await ib.qualifyContractsAsync(Stock("AAPL", "SMART", "USD"))
        for side, quantity in (("BUY", 10), ("SELL", 4)):
            trade = ib.placeOrder(aapl, MarketOrder(side, quantity))
            await wait_until(trade.isDone)
        expected = {f.execution.execId: f.commissionReport.commission for f in ib.fills()}
        # a client that did not ask for the executions while connecting: its first sight of
        # them is this answer, so the Fill objects it returns are the ones the reports update
        unseen = StartupFetchALL & ~StartupFetch.EXECUTIONS
        async with client(sim, 2, fetchFields=unseen) as other:
            assert other.fills() == []
            fills = await other.reqExecutionsAsync()
            got = {f.execution.execId: f.commissionReport.commission for f in fills}
            assert got == expected and all(c > 0 for c in got.values())
            assert {f.commissionReport.execId for f in fills} == set(expected)


async def test_completed_orders_carry_the_filled_quantity() -> None:
    async with simulator() as sim, client(sim) as ib, asyncio.timeout(5):
        (aapl,) = await ib.qualifyContractsAsync(Stock("AAPL", "SMART", "USD"))
        trade = ib.placeOrder(aapl, MarketOrder("BUY", 3))
        await wait_until(trade.isDone)
        (done,) = await ib.reqCompletedOrdersAsync(False)
        assert done.order.permId == trade.order.permId
        assert (done.orderStatus.status, done.order.filledQuantity) == ("Filled", 3)
