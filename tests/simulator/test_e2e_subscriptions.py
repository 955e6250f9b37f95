"""Missing market data subscriptions (faults.require_subscription) as a real ib_async client
meets them over TCP: IB's codes and texts, delayed data after 10167, per symbol, clearable."""

from __future__ import annotations

import asyncio
import math

import pytest
from ib_async import IB, Contract, RequestError, ScannerSubscription, Stock

from adapters.simulated_gateway.tws.server import TwsSimulator
from tests.simulator.e2e import client, simulator, wait_until


def _errors_for(ib: IB, req_id: int) -> list[tuple[int, str]]:
    return [(code, text) for rid, code, text in ib.errors if rid == req_id]  # type: ignore[attr-defined]


async def _snapshot(ib: IB, contract: Contract) -> tuple[int, asyncio.Future]:
    req_id = ib.client.getReqId()
    ticker = ib.wrapper.startTicker(req_id, contract, "mktData")  # type: ignore[no-untyped-call]
    future = ib.wrapper.startReq(req_id, contract)  # type: ignore[no-untyped-call]
    ib.client.reqMktData(req_id, contract, "", True, False, [])  # type: ignore[no-untyped-call]
    future.ticker = ticker  # type: ignore[attr-defined]
    return req_id, future


async def _qualified(ib: IB, symbol: str = "AAPL") -> Contract:
    (found,) = await ib.qualifyContractsAsync(Stock(symbol, "SMART", "USD"))
    return found


async def _refused(sim: TwsSimulator, ib: IB, send) -> tuple[int, str]:
    """Send a request (``send(req_id)``) and wait for the error IB answers it with."""
    req_id = ib.client.getReqId()
    send(req_id)
    await wait_until(lambda: bool(_errors_for(ib, req_id)))
    return _errors_for(ib, req_id)[0]


@pytest.mark.parametrize(
    ("code", "text"),
    [
        (354, "Requested market data is not subscribed."),
        (10089, "Requested market data requires additional subscription for API."),
        (10168, "Requested market data is not subscribed. Delayed market data is not enabled."),
        (10197, "No market data during competing live session"),
    ],
)
async def test_a_quote_request_is_refused_with_the_code_asked_for(code: int, text: str) -> None:
    async with simulator() as sim, client(sim) as ib, asyncio.timeout(5):
        aapl = await _qualified(ib)
        sim.faults.require_subscription("quotes", code=code)
        ib.RaiseRequestErrors = True
        _, future = await _snapshot(ib, aapl)
        with pytest.raises(RequestError) as refused:
            await future
        assert refused.value.code == code and refused.value.message.startswith(text)
        assert math.isnan(future.ticker.bid)  # type: ignore[attr-defined]


async def test_live_data_without_a_subscription_is_354_and_delayed_data_comes_with_10167() -> None:
    async with simulator() as sim, client(sim) as ib, asyncio.timeout(5):
        aapl = await _qualified(ib)
        sim.faults.require_subscription("quotes")
        (live,) = await ib.reqTickersAsync(aapl)
        assert 354 in [code for _, code, _ in ib.errors] and math.isnan(live.bid)  # type: ignore[attr-defined]
        ib.reqMarketDataType(3)
        req_id, future = await _snapshot(ib, aapl)
        await future
        ticker = future.ticker  # type: ignore[attr-defined]
        assert ticker.bid > 0 and ticker.marketDataType == 3
        assert [code for code, _ in _errors_for(ib, req_id)] == [10167]


async def test_part_of_the_data_not_subscribed_still_streams_the_rest() -> None:
    async with simulator() as sim, client(sim) as ib, asyncio.timeout(5):
        aapl = await _qualified(ib)
        sim.faults.require_subscription("quotes", code=10090)
        ticker = ib.reqMktData(aapl)
        await wait_until(lambda: ticker.bid > 0)
        req_id = next(rid for rid, t in ib.wrapper.reqId2Ticker.items() if t is ticker)
        assert [code for code, _ in _errors_for(ib, req_id)] == [10090]
        ib.cancelMktData(aapl)


async def test_history_depth_ticks_bars_and_scans_are_refused_and_only_for_the_symbols_named() -> (
    None
):
    async with simulator() as sim, client(sim) as ib, asyncio.timeout(8):
        aapl, msft = await _qualified(ib, "AAPL"), await _qualified(ib, "MSFT")
        sim.faults.require_subscription(["history", "depth", "ticks", "bars"], symbols=["AAPL"])
        sim.faults.require_subscription("scanner")
        code, text = await _refused(sim, ib, lambda r: ib.client.reqHistoricalData(
            r, aapl, "", "1 D", "1 hour", "TRADES", True, 1, False, []))  # fmt: skip
        assert code == 162 and "No market data permissions for NASDAQ STK" in text
        code, _ = await _refused(sim, ib, lambda r: ib.client.reqMktDepth(r, aapl, 5, True, []))
        assert code == 354
        code, _ = await _refused(sim, ib, lambda r: ib.client.reqTickByTickData(
            r, aapl, "Last", 0, False))  # fmt: skip
        assert code == 354
        code, _ = await _refused(sim, ib, lambda r: ib.client.reqRealTimeBars(
            r, aapl, 5, "TRADES", False, []))  # fmt: skip
        assert code == 354
        scan = ScannerSubscription(instrument="STK", locationCode="STK.US.MAJOR",
                                   scanCode="MOST_ACTIVE")  # fmt: skip
        code, text = await _refused(sim, ib, lambda r: ib.client.reqScannerSubscription(
            r, scan, [], []))  # fmt: skip
        assert code == 162 and "permissions" in text and "STK.US.MAJOR" in text
        # MSFT is not named: its history is served
        bars = await ib.reqHistoricalDataAsync(msft, "", "1 D", "1 hour", "TRADES", True)
        assert bars
        sim.faults.clear_subscriptions()
        assert await ib.reqHistoricalDataAsync(aapl, "", "1 D", "1 hour", "TRADES", True)


async def test_history_in_a_competing_session_is_10197() -> None:
    async with simulator() as sim, client(sim) as ib, asyncio.timeout(5):
        aapl = await _qualified(ib)
        sim.faults.require_subscription("history", code=10197)
        ib.RaiseRequestErrors = True
        with pytest.raises(RequestError) as refused:
            await ib.reqHistoricalDataAsync(aapl, "", "1 D", "1 hour", "TRADES", True)
        assert refused.value.code == 10197
        sim.faults.reset()
        assert await ib.reqHistoricalDataAsync(aapl, "", "1 D", "1 hour", "TRADES", True)


def test_codes_ib_does_not_use_for_a_kind_are_refused() -> None:
    from adapters.simulated_gateway.tws.subscription_faults import make_rules

    with pytest.raises(ValueError, match="does not answer 430"):
        make_rules("quotes", None, 430)
    with pytest.raises(ValueError, match="unknown kinds"):
        make_rules("news", None, None)
    rules = make_rules("all", "aapl, msft", None)
    assert set(rules) >= {"quotes", "history", "depth", "ticks", "bars", "scanner"}
    assert rules["quotes"].symbols == frozenset({"AAPL", "MSFT"})


async def test_the_control_interface_requires_and_clears_subscriptions() -> None:
    from adapters.simulated_gateway.control.standalone import ControlServer
    from tests.simulator.test_control import _http

    async with simulator() as sim:
        control = ControlServer(sim)
        await control.start()
        try:
            target = "/faults/require_subscription?kinds=history,depth&symbols=AAPL&code=10197"
            status, body = await _http(control.port, "POST", target)
            assert status == 200
            assert body["subscriptions_required"]["depth"] == {"code": 10197, "symbols": ["AAPL"]}
            status, body = await _http(
                control.port, "POST", "/faults/require_subscription?code=430"
            )
            assert status == 400 and "430" in body["error"]
            status, body = await _http(control.port, "POST", "/faults/require_subscription")
            assert status == 200 and body["subscriptions_required"]["quotes"]["code"] is None
            status, body = await _http(control.port, "POST", "/faults/clear_subscriptions")
            assert status == 200 and body["subscriptions_required"] == {}
        finally:
            await control.stop()
