"""Snapshots, historical bars and scanners through the real IbBroker."""

from __future__ import annotations

import asyncio
from datetime import date, datetime

from adapters.ib.broker import IbBroker
from adapters.simulated_gateway import TwsSimulator
from application.services.contracts import ContractService
from application.services.market_data import MarketDataService
from domain.market_data import HistoricalQuery
from domain.scanner import ScanQuery
from tests.ib.conftest import stock


async def test_snapshot_is_a_live_quote(broker: IbBroker) -> None:
    async with asyncio.timeout(10):
        aapl = await stock(broker)
        quote = await broker.snapshot(aapl)
        assert quote.symbol == "AAPL" and quote.contract_id == aapl.con_id
        assert quote.market_data_type == "live"
        assert quote.bid and quote.ask and quote.bid <= quote.ask
        assert quote.last_price and quote.volume and quote.close


async def test_a_snapshot_without_data_never_shows_the_previous_prices(
    broker: IbBroker, simulator: TwsSimulator
) -> None:
    async with asyncio.timeout(15):
        aapl = await stock(broker)
        live = await broker.snapshot(aapl)
        assert live.bid and live.last_price
        simulator.faults.stop_market_data()
        try:
            silent = await broker.snapshot(aapl)
        finally:
            simulator.faults.resume_market_data()
        assert silent.bid is None and silent.ask is None and silent.last_price is None
        again = await broker.snapshot(aapl)
        assert again.bid and again.last_price


async def test_tickers_for_several_contract_ids(broker: IbBroker) -> None:
    async with asyncio.timeout(10):
        service = MarketDataService(broker, ContractService(broker))
        ids = [265598, 272093, 4815747]
        result = await service.tickers([*ids, 1])
        assert sorted(q.contract_id for q in result.tickers) == sorted(ids)
        assert list(result.errors) == ["1"]


async def test_option_snapshot_has_greeks(broker: IbBroker) -> None:
    async with asyncio.timeout(10):
        chains = await broker.option_chains("CCJ", "STK", 1447060)
        chain = chains[0]
        mid = chain.strikes[len(chain.strikes) // 2]
        (option, *_) = await broker.qualify_options(
            "CCJ", chain, chain.expirations[:1], [mid], ["C"]
        )
        quote = await broker.snapshot(option)
        assert quote.implied_volatility is not None and 0 < quote.delta < 1


async def test_historical_bars_intraday_and_daily(broker: IbBroker) -> None:
    async with asyncio.timeout(15):
        aapl = await stock(broker)
        hourly = await broker.historical_bars(
            aapl, HistoricalQuery(contract_id=aapl.con_id, duration="1 D", bar_size="1 hour")
        )
        assert hourly and datetime.fromisoformat(hourly[0].time).tzinfo is not None
        assert all(b.low <= b.open <= b.high and b.volume >= 0 for b in hourly)
        daily = await broker.historical_bars(
            aapl, HistoricalQuery(contract_id=aapl.con_id, duration="1 M", bar_size="1 day")
        )
        assert len(daily) > 15 and date.fromisoformat(daily[0].time)


async def test_identical_historical_requests_reach_ib_once(broker: IbBroker) -> None:
    async with asyncio.timeout(15):
        aapl = await stock(broker)
        query = HistoricalQuery(contract_id=aapl.con_id, duration="1800 S", bar_size="5 secs")
        together = await asyncio.gather(*(broker.historical_bars(aapl, query) for _ in range(5)))
        again = await broker.historical_bars(aapl, query)  # within 15 s: from the cache
        assert all(bars == together[0] for bars in together) and again == together[0]
        assert broker.history.requests_sent == 1
        # IB's 6-per-2-seconds rule for small bars: the limiter spaces the 7th out (no 162)
        other = [
            HistoricalQuery(
                contract_id=aapl.con_id, duration=f"{60 * (i + 2)} S", bar_size="5 secs"
            )
            for i in range(7)
        ]
        loop = asyncio.get_running_loop()
        started = loop.time()
        results = await asyncio.gather(*(broker.historical_bars(aapl, q) for q in other))
        assert all(results) and loop.time() - started >= 1.0
        assert broker.supervisor.error_counts[162] == 0


async def test_scanner_results_and_parameters(broker: IbBroker) -> None:
    async with asyncio.timeout(10):
        rows = await broker.scan(ScanQuery(scan_code="MOST_ACTIVE", rows=5))
        assert len(rows) == 5 and [r.rank for r in rows] == [1, 2, 3, 4, 5]
        assert all(r.contract_id > 0 and r.sec_type == "STK" for r in rows)
        params = await broker.scanner_parameters()
        assert "STK" in params.instruments and "STK.US.MAJOR" in params.location_codes
        assert "MOST_ACTIVE" in params.scan_codes and "priceAbove" in params.filters
