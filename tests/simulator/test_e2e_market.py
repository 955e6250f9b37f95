"""Contracts, quotes, history, option chains and the scanner through a real ib_async client."""

from __future__ import annotations

import asyncio
import math

from ib_async import Option, ScannerSubscription, Stock

from tests.simulator.e2e import client, error_codes, simulator, wait_until
from tests.simulator.stub_world import StubWorld


async def test_qualify_unique_and_ambiguous_contracts() -> None:
    async with simulator() as sim, client(sim) as ib, asyncio.timeout(5):
        (aapl,) = await ib.qualifyContractsAsync(Stock("AAPL", "SMART", "USD"))
        assert aapl is not None and aapl.conId > 0
        assert aapl.primaryExchange and aapl.exchange == "SMART"
        details = await ib.reqContractDetailsAsync(Stock("CCJ", "SMART"))
        assert len(details) == 2
        currencies = {d.contract.currency for d in details}
        assert len(currencies) == 2 and "USD" in currencies
        (ambiguous,) = await ib.qualifyContractsAsync(Stock("CCJ", "SMART"))
        assert ambiguous is None
        (unique,) = await ib.qualifyContractsAsync(Stock("CCJ", "SMART", "USD"))
        assert unique is not None and unique.conId > 0


async def test_unknown_contract_is_error_200() -> None:
    async with simulator() as sim, client(sim) as ib, asyncio.timeout(5):
        assert await ib.reqContractDetailsAsync(Stock("NOSUCHX", "SMART", "USD")) == []
        assert 200 in error_codes(ib)


async def test_snapshot_tickers_have_quotes() -> None:
    async with simulator() as sim, client(sim) as ib, asyncio.timeout(5):
        (aapl,) = await ib.qualifyContractsAsync(Stock("AAPL", "SMART", "USD"))
        (ticker,) = await ib.reqTickersAsync(aapl)
        assert ticker.bid > 0 and ticker.ask >= ticker.bid
        assert ticker.bidSize > 0 and ticker.askSize > 0
        assert ticker.last > 0 and ticker.close > 0


async def test_streaming_market_data_updates_then_cancel() -> None:
    async with simulator(tick_interval=0.02) as sim, client(sim) as ib, asyncio.timeout(5):
        (aapl,) = await ib.qualifyContractsAsync(Stock("AAPL", "SMART", "USD"))
        ticker = ib.reqMktData(aapl)
        updates: list[float] = []
        ticker.updateEvent += lambda t: updates.append(t.last)
        await wait_until(lambda: len(updates) >= 3)
        assert not math.isnan(ticker.bid)
        ib.cancelMktData(aapl)
        await wait_until(lambda: not sim.session_for(1).market.streams)


async def test_historical_bars_for_several_sizes() -> None:
    async with simulator() as sim, client(sim) as ib, asyncio.timeout(10):
        (aapl,) = await ib.qualifyContractsAsync(Stock("AAPL", "SMART", "USD"))
        for duration, bar_size in (("1 D", "5 mins"), ("2 D", "1 hour"), ("1 M", "1 day")):
            bars = await ib.reqHistoricalDataAsync(aapl, "", duration, bar_size, "TRADES", True)
            assert len(bars) > 1, (duration, bar_size)
            assert all(b.high >= b.low for b in bars)
            assert bars[0].date < bars[-1].date
        daily = await ib.reqHistoricalDataAsync(
            aapl, "", "1 M", "1 day", "TRADES", True, formatDate=2
        )
        assert len(daily) > 1


async def test_keep_up_to_date_bars_can_be_cancelled() -> None:
    async with simulator(tick_interval=0.02) as sim, client(sim) as ib, asyncio.timeout(5):
        (aapl,) = await ib.qualifyContractsAsync(Stock("AAPL", "SMART", "USD"))
        bars = await ib.reqHistoricalDataAsync(
            aapl, "", "2 D", "1 hour", "TRADES", True, keepUpToDate=True
        )
        assert len(bars) > 1
        ib.cancelHistoricalData(bars)
        await wait_until(lambda: not sim.session_for(1).contracts.live_bars)


async def test_option_chain_and_option_quote() -> None:
    async with simulator() as sim, client(sim) as ib, asyncio.timeout(5):
        (aapl,) = await ib.qualifyContractsAsync(Stock("AAPL", "SMART", "USD"))
        chains = await ib.reqSecDefOptParamsAsync("AAPL", "", "STK", aapl.conId)
        smart = next(c for c in chains if c.exchange == "SMART")
        assert smart.expirations and smart.strikes
        strike = smart.strikes[len(smart.strikes) // 2]
        option = Option(
            "AAPL", smart.expirations[0], strike, "C", "SMART", tradingClass=smart.tradingClass
        )
        (qualified,) = await ib.qualifyContractsAsync(option)
        assert qualified is not None and qualified.conId > 0
        (ticker,) = await ib.reqTickersAsync(qualified)
        greeks = ticker.modelGreeks
        assert greeks is not None and greeks.impliedVol and greeks.impliedVol > 0
        assert greeks.delta is not None and 0 < greeks.delta < 1


async def test_scanner_data_and_parameters() -> None:
    sub = ScannerSubscription(
        instrument="STK", locationCode="STK.US.MAJOR", scanCode="TOP_PERC_GAIN", numberOfRows=5
    )
    async with simulator() as sim, client(sim) as ib, asyncio.timeout(5):
        rows = await ib.reqScannerDataAsync(sub)  # the real world's scan: it must complete
        assert all(r.contractDetails.contract.conId > 0 for r in rows)
        assert len(rows) <= 5
        xml = await ib.reqScannerParametersAsync()
        assert xml.startswith("<")
    # rows from a world that surely has some
    async with simulator(StubWorld()) as sim, client(sim) as ib, asyncio.timeout(5):
        rows = await ib.reqScannerDataAsync(sub)
        assert [r.contractDetails.contract.symbol for r in rows] == ["AAPL", "CCJ"]
        assert rows[0].contractDetails.contract.conId == 265598


async def test_historical_pacing_violation_is_162() -> None:
    async with simulator() as sim, client(sim) as ib, asyncio.timeout(5):
        (aapl,) = await ib.qualifyContractsAsync(Stock("AAPL", "SMART", "USD"))
        first = await ib.reqHistoricalDataAsync(aapl, "", "60 S", "5 secs", "TRADES", False)
        assert len(first) > 0
        again = await ib.reqHistoricalDataAsync(aapl, "", "60 S", "5 secs", "TRADES", False)
        assert len(again) == 0 and 162 in error_codes(ib)


async def test_market_data_type_answered_after_switch() -> None:
    async with simulator() as sim, client(sim) as ib, asyncio.timeout(5):
        (aapl,) = await ib.qualifyContractsAsync(Stock("AAPL", "SMART", "USD"))
        ib.reqMarketDataType(3)
        (ticker,) = await ib.reqTickersAsync(aapl)
        assert ticker.marketDataType == 1 and ticker.bid > 0
