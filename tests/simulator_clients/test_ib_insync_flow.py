"""The standard flow through ib_insync 0.9.86 (it negotiates 176: orders still carry faProfile,
executions have no pendingPriceRevision).

ib_insync drops a message it cannot decode and logs the failure at ERROR: any such record fails
the test, and every step asserts what the client decoded.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator

import pytest
from ib_insync import IB, ExecutionFilter, LimitOrder, MarketOrder, Stock

from adapters.simulated_gateway.tws.server import TwsSimulator
from tests.simulator.e2e import HOST, simulator, wait_until


@pytest.fixture
def insync_logs(caplog: pytest.LogCaptureFixture):
    with caplog.at_level(logging.WARNING, logger="ib_insync"):
        yield caplog
    bad = [
        r for r in caplog.records if r.name.startswith("ib_insync") and r.levelno >= logging.ERROR
    ]
    assert not bad, [r.getMessage()[:300] for r in bad]


@contextlib.asynccontextmanager
async def insync_client(sim: TwsSimulator, client_id: int = 1) -> AsyncIterator[IB]:
    ib = IB()
    errors: list[tuple[int, int, str]] = []
    ib.errorEvent += lambda req_id, code, text, _contract: errors.append((req_id, code, text))
    ib.errors = errors  # type: ignore[attr-defined]
    async with asyncio.timeout(8):
        await ib.connectAsync(HOST, sim.port, clientId=client_id, timeout=6)
    try:
        yield ib
    finally:
        ib.disconnect()


async def test_ib_insync_negotiates_176_and_runs_the_standard_flow(insync_logs) -> None:
    async with simulator() as sim, insync_client(sim) as ib, asyncio.timeout(60):
        assert ib.client.serverVersion() == 176
        (account,) = ib.managedAccounts()

        # account: summary and the account-update stream it subscribed to while connecting
        summary = {v.tag: v for v in await ib.accountSummaryAsync()}
        assert summary["NetLiquidation"].account == account
        assert float(summary["NetLiquidation"].value) > 0
        values = {v.tag: v for v in ib.accountValues() if v.currency in ("USD", "BASE")}
        assert float(values["NetLiquidation"].value) == pytest.approx(
            float(summary["NetLiquidation"].value), rel=1e-3
        )

        # contract details, then one IB does not know
        (details,) = await ib.reqContractDetailsAsync(Stock("AAPL", "SMART", "USD"))
        aapl = details.contract
        assert aapl.conId > 0 and aapl.primaryExchange == "NASDAQ"
        assert details.minTick == pytest.approx(0.01) and details.sizeIncrement == 1
        assert await ib.reqContractDetailsAsync(Stock("NOSUCHSYMBOL", "SMART", "USD")) == []
        assert 200 in [code for _, code, _ in ib.errors]

        # a snapshot
        (ticker,) = await ib.reqTickersAsync(aapl)
        assert ticker.bid > 0 and ticker.ask >= ticker.bid and ticker.bidSize > 0

        # bars
        bars = await ib.reqHistoricalDataAsync(aapl, "", "1 D", "5 mins", "TRADES", True)
        assert len(bars) >= 6
        assert all(b.low <= min(b.open, b.close) <= max(b.open, b.close) <= b.high for b in bars)

        # a limit order far from the market: placed, modified, cancelled
        resting = ib.placeOrder(aapl, LimitOrder("BUY", 10, round(ticker.bid * 0.8, 2)))
        await wait_until(lambda: resting.orderStatus.status == "Submitted")
        assert resting.order.permId > 0
        resting.order.lmtPrice = round(ticker.bid * 0.7, 2)
        ib.placeOrder(aapl, resting.order)
        await wait_until(
            lambda: any(
                t.order.lmtPrice == round(ticker.bid * 0.7, 2)
                for t in ib.openTrades()
                if t.order.orderId == resting.order.orderId
            )
        )
        ib.cancelOrder(resting.order)
        await wait_until(lambda: resting.orderStatus.status == "Cancelled")

        # a market order fills: execution and commission
        bought = ib.placeOrder(aapl, MarketOrder("BUY", 5))
        await wait_until(lambda: bought.isDone() and bool(bought.fills), within=5)
        await wait_until(lambda: bought.fills[0].commissionReport.commission > 0)
        (fill,) = bought.fills
        assert fill.execution.shares == 5 and fill.execution.side == "BOT"
        assert fill.contract.conId == aapl.conId and fill.execution.price > 0
        assert fill.commissionReport.currency == "USD"

        # the position and the portfolio row it opened, pushed while subscribed
        await wait_until(
            lambda: [(p.contract.conId, p.position) for p in ib.positions()] == [(aapl.conId, 5)]
        )
        await wait_until(lambda: any(i.position == 5 for i in ib.portfolio()))
        (item,) = ib.portfolio()
        assert item.contract.conId == aapl.conId and item.marketPrice > 0

        # streaming quotes until cancelled
        streaming = ib.reqMktData(aapl)
        await wait_until(lambda: streaming.bid > 0 and streaming.ask > 0)
        ib.cancelMktData(aapl)

        # what was done, asked for again: executions, open and completed orders
        fills = await ib.reqExecutionsAsync(ExecutionFilter(symbol="AAPL"))
        assert [f.execution.execId for f in fills] == [fill.execution.execId]
        assert await ib.reqAllOpenOrdersAsync() == []
        completed = await ib.reqCompletedOrdersAsync(False)
        by_perm = {t.order.permId: t for t in completed}
        assert by_perm[bought.order.permId].orderStatus.status == "Filled"
        assert by_perm[bought.order.permId].order.filledQuantity == 5
        assert by_perm[resting.order.permId].orderStatus.status == "Cancelled"

        # a what-if preview
        state = await asyncio.wait_for(
            ib.whatIfOrderAsync(aapl, LimitOrder("BUY", 10, round(ticker.bid * 0.9, 2))), 5
        )
        assert float(state.initMarginChange) > 0 and float(state.equityWithLoanBefore) > 0

        # a reject: error 201, and ib_insync marks the order Cancelled
        sim.faults.reject_next_order("No trading permissions.")
        refused = ib.placeOrder(aapl, MarketOrder("BUY", 1))
        await wait_until(lambda: refused.orderStatus.status == "Cancelled")
        assert (refused.order.orderId, 201) in [(r, c) for r, c, _ in ib.errors]
        assert ib.isConnected()
