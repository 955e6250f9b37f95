"""The standard flow through IB's own Python client, ``ibapi`` 9.81 (it negotiates 157).

Every step asserts what ibapi decoded; at the end its reader thread and message loop must be
alive (a message it cannot decode kills the loop) and nothing may have been logged as a
decoding failure (a message with the wrong field count is logged and dropped).
"""

from __future__ import annotations

import asyncio
import logging

import ibapi.client
import pytest
from ibapi.contract import Contract
from ibapi.execution import ExecutionFilter
from ibapi.order import Order

from tests.simulator.e2e import simulator
from tests.simulator_clients.ibapi_app import IbapiApp, ibapi_client


def _stock(symbol: str) -> Contract:
    c = Contract()
    c.symbol, c.secType, c.exchange, c.currency = symbol, "STK", "SMART", "USD"
    return c


def _order(
    version: int, action: str, quantity: float, order_type: str, limit: float | None = None
) -> Order:
    o = Order()
    o.action, o.totalQuantity, o.orderType = action, quantity, order_type
    if limit is not None:
        o.lmtPrice = limit
    # ibapi 9.81 defaults these to True; IB refuses them since TWS 983, so clients clear them
    o.eTradeOnly = False
    o.firmQuoteOnly = False
    if version < 111:
        o.cashQty = 0  # ibapi 9.81 defaults it to "unset", which it refuses to send below 111
    return o


def _statuses(app: IbapiApp, order_id: int) -> list[str]:
    return [args[1] for args in app.named("orderStatus") if args[0] == order_id]


@pytest.fixture
def ibapi_logs(caplog: pytest.LogCaptureFixture):
    """ibapi logs a message it cannot fit to its wrapper ("diff len fields and params") at
    ERROR and drops it: any such record fails the test."""
    with caplog.at_level(logging.WARNING, logger="ibapi"):
        yield caplog
    bad = [r for r in caplog.records if r.name.startswith("ibapi") and r.levelno >= logging.ERROR]
    assert not bad, [r.getMessage()[:300] for r in bad]


# 157: what ibapi 9.81 offers; 124 and 100: the same client told to offer less (its decoder
# has IB's branches for every version down to 100), to run the flow in those layouts too
@pytest.mark.parametrize("version", [157, 124, 100])
async def test_ibapi_runs_the_standard_flow(ibapi_logs, monkeypatch, version: int) -> None:
    monkeypatch.setattr(ibapi.client, "MAX_CLIENT_VER", version)
    async with simulator() as sim, ibapi_client(sim.port) as app, asyncio.timeout(60):
        assert app.serverVersion() == version
        (accounts,) = app.named("managedAccounts")[0]
        account = accounts.split(",")[0]
        next_id = app.named("nextValidId")[0][0]
        assert next_id > 0
        await app.until(lambda: {2104, 2106, 2158} <= set(app.codes()))  # the farm notices

        # account: summary and the account-update stream
        app.reqAccountSummary(9001, "All", "NetLiquidation,TotalCashValue,BuyingPower")
        await app.until(lambda: bool(app.named("accountSummaryEnd")))
        summary = {args[2]: args for args in app.named("accountSummary")}
        assert set(summary) == {"NetLiquidation", "TotalCashValue", "BuyingPower"}
        assert summary["NetLiquidation"][1] == account
        assert float(summary["NetLiquidation"][3]) > 0 and summary["NetLiquidation"][4] == "USD"
        app.reqAccountUpdates(True, account)
        await app.until(lambda: bool(app.named("accountDownloadEnd")))
        values = {args[0]: args for args in app.named("updateAccountValue")}
        assert float(values["NetLiquidation"][1]) == pytest.approx(
            float(summary["NetLiquidation"][3]), rel=1e-3
        )

        # contract details, then one IB does not know (error 200 ends the request)
        app.reqContractDetails(9002, _stock("AAPL"))
        await app.until(lambda: (9002,) in app.named("contractDetailsEnd"))
        ((req_id, details),) = app.named("contractDetails")
        aapl = details.contract
        assert req_id == 9002 and aapl.conId > 0 and aapl.symbol == "AAPL"
        assert aapl.primaryExchange == "NASDAQ" and details.minTick == pytest.approx(0.01)
        assert details.longName and details.timeZoneId
        assert bool(details.marketRuleIds) == (version >= 126)  # market rules from 126 on
        if version >= 110:
            assert details.mdSizeMultiplier == 1  # sizes in shares, and it says so
        app.reqContractDetails(9003, _stock("NOSUCHSYMBOL"))
        await app.until(lambda: any(e[0] == 9003 for e in app.errors))
        assert (9003, 200) in [(e[0], e[1]) for e in app.errors]

        # a snapshot
        app.reqMktData(9004, aapl, "", True, False, [])
        await app.until(lambda: (9004,) in app.named("tickSnapshotEnd"))
        prices = {args[1]: args[2] for args in app.named("tickPrice") if args[0] == 9004}
        assert prices[1] > 0 and prices[2] >= prices[1]  # bid, ask
        sizes = {args[1]: args[2] for args in app.named("tickSize") if args[0] == 9004}
        assert isinstance(sizes[0], int) and sizes[0] > 0  # bid size, whole shares

        # bars
        app.reqHistoricalData(9005, aapl, "", "1 D", "5 mins", "TRADES", 1, 1, False, [])
        await app.until(lambda: any(a[0] == 9005 for a in app.named("historicalDataEnd")))
        bars = [bar for req, bar in app.named("historicalData") if req == 9005]
        assert len(bars) >= 6  # 09:30 to 10:00 in 5-minute bars
        assert all(b.low <= min(b.open, b.close) <= max(b.open, b.close) <= b.high for b in bars)
        assert all(isinstance(b.volume, int) for b in bars)

        # a limit order far from the market: placed, modified, cancelled
        limit_id = next_id
        app.placeOrder(limit_id, aapl, _order(version, "BUY", 10, "LMT", round(prices[1] * 0.8, 2)))
        await app.until(lambda: "Submitted" in _statuses(app, limit_id))
        opened = [a for a in app.named("openOrder") if a[0] == limit_id]
        assert opened[-1][2].lmtPrice == round(prices[1] * 0.8, 2)
        assert opened[-1][2].totalQuantity == 10 and opened[-1][3].status == "Submitted"
        lower = round(prices[1] * 0.7, 2)
        app.placeOrder(limit_id, aapl, _order(version, "BUY", 10, "LMT", lower))
        await app.until(
            lambda: any(a[0] == limit_id and a[2].lmtPrice == lower for a in app.named("openOrder"))
        )
        app.cancelOrder(limit_id)
        await app.until(lambda: "Cancelled" in _statuses(app, limit_id))

        # a market order fills: execution, then its commission
        market_id = limit_id + 1
        app.placeOrder(market_id, aapl, _order(version, "BUY", 5, "MKT"))
        await app.until(lambda: "Filled" in _statuses(app, market_id))
        await app.until(lambda: bool(app.named("commissionReport")))
        ((req, contract, execution),) = [
            a for a in app.named("execDetails") if a[2].orderId == market_id
        ]
        assert req == -1 and contract.conId == aapl.conId
        assert execution.shares == 5 and execution.side == "BOT" and execution.price > 0
        (report,) = [a[0] for a in app.named("commissionReport")]
        assert report.execId == execution.execId and report.commission > 0
        assert report.currency == "USD"

        # the position it opened, and (from 127 on) its P&L
        app.reqPositions()
        await app.until(lambda: bool(app.named("positionEnd")))
        ((_, _, quantity, avg_cost),) = [
            a for a in app.named("position") if a[1].conId == aapl.conId
        ]
        assert quantity == 5 and avg_cost == pytest.approx(execution.price, rel=0.01)
        if version >= 127:
            app.reqPnLSingle(9007, account, "", aapl.conId)
            await app.until(lambda: bool(app.named("pnlSingle")))
            assert app.named("pnlSingle")[0][:2] == (9007, 5)
            app.cancelPnLSingle(9007)

        # streaming quotes (and, from 137 on, tick-by-tick quotes) until cancelled
        app.reqMktData(9008, aapl, "", False, False, [])
        await app.until(lambda: sum(a[0] == 9008 for a in app.named("tickPrice")) >= 4)
        app.cancelMktData(9008)
        if version >= 137:
            app.reqTickByTickData(9009, aapl, "BidAsk", 0, False)
            await app.until(lambda: bool(app.named("tickByTickBidAsk")))
            (_, _, bid, ask, bid_size, _, _) = app.named("tickByTickBidAsk")[0]
            assert 0 < bid <= ask and bid_size > 0
            app.cancelTickByTickData(9009)

        # what was done, asked for again: executions, open and completed orders
        app.reqExecutions(9006, ExecutionFilter())
        await app.until(lambda: (9006,) in app.named("execDetailsEnd"))
        assert [a[2].execId for a in app.named("execDetails") if a[0] == 9006] == [execution.execId]
        # the answer carries the execution's commission report again
        again = [a[0] for a in app.named("commissionReport")][1:]
        assert [(r.execId, r.commission) for r in again] == [(report.execId, report.commission)]
        before = len(app.events)
        app.reqAllOpenOrders()
        await app.until(lambda: bool(app.named("openOrderEnd")))
        working = [a for name, a in app.events[before:] if name == "openOrder"]
        assert [a[3].status for a in working if a[3].status in ("Submitted", "PreSubmitted")] == []
        if version >= 150:  # completed orders exist from 150 on
            app.reqCompletedOrders(False)
            await app.until(lambda: bool(app.named("completedOrdersEnd")))
            completed = {a[1].permId: a for a in app.named("completedOrder")}
            statuses = sorted(state.status for _, _, state in completed.values())
            assert statuses == ["Cancelled", "Filled"]
            (filled,) = [a for a in completed.values() if a[2].status == "Filled"]
            assert filled[0].conId == aapl.conId and filled[1].filledQuantity == 5

        # a what-if preview carries the margin figures
        preview = _order(version, "BUY", 10, "LMT", round(prices[1] * 0.9, 2))
        preview.whatIf = True
        app.placeOrder(market_id + 1, aapl, preview)
        await app.until(lambda: any(a[0] == market_id + 1 for a in app.named("openOrder")))
        ((_, _, order, state),) = [a for a in app.named("openOrder") if a[0] == market_id + 1]
        assert order.whatIf and float(state.initMarginAfter) > 0
        if version >= 142:  # the before and change figures come from 142 on
            assert float(state.initMarginChange) > 0 and float(state.equityWithLoanBefore) > 0

        # a reject: error 201 for that order id
        sim.faults.reject_next_order("No trading permissions.")
        app.placeOrder(market_id + 2, aapl, _order(version, "BUY", 1, "MKT"))
        await app.until(lambda: any(e[0] == market_id + 2 for e in app.errors))
        ((_, code, text),) = [e for e in app.errors if e[0] == market_id + 2]
        assert code == 201 and "No trading permissions." in text

        # IB's connectivity notices reach the client as errors without a request id
        sim.faults.sever_with_1100()
        sim.faults.restore_1102()
        await app.until(lambda: {1100, 1102} <= set(app.codes()))
        assert [e[0] for e in app.errors if e[1] in (1100, 1102)] == [-1, -1]

        assert app.alive(), app.run_failure
        assert app.run_failure is None
