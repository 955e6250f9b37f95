"""Head timestamps, historical ticks and histograms through a real ib_async client."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from ib_async import (
    Contract,
    HistogramData,
    HistoricalTick,
    HistoricalTickBidAsk,
    HistoricalTickLast,
)

from tests.simulator.e2e import MARKET_OPEN, client, error_codes, simulator

MANUAL_CLOCK = 3600.0
AAPL, EURUSD, SPX = 265598, 12087792, 416904
RTH_OPEN = datetime(2025, 3, 4, 14, 30, tzinfo=UTC)  # 09:30 in New York


async def test_the_head_timestamp_is_a_fixed_listing_day_at_the_open(no_decoder_errors) -> None:
    async with simulator(tick_interval=MANUAL_CLOCK) as sim, client(sim) as ib:
        async with asyncio.timeout(5):
            aapl = Contract(conId=AAPL, exchange="SMART")
            rth = await ib.reqHeadTimeStampAsync(aapl, "TRADES", True, 2)
            again = await ib.reqHeadTimeStampAsync(aapl, "TRADES", True, 1)
            full = await ib.reqHeadTimeStampAsync(aapl, "TRADES", False, 2)
    assert rth == again and rth.tzinfo is not None and rth < MARKET_OPEN - timedelta(days=365)
    assert (rth.astimezone(UTC) - full.astimezone(UTC)) == timedelta(hours=5, minutes=30)


async def test_no_head_timestamp_for_data_that_does_not_exist(no_decoder_errors) -> None:
    async with simulator(tick_interval=MANUAL_CLOCK) as sim, client(sim) as ib:
        async with asyncio.timeout(5):
            fx = Contract(conId=EURUSD, exchange="IDEALPRO")
            try:
                await ib.reqHeadTimeStampAsync(fx, "TRADES", True, 2)
            except Exception as exc:  # RaiseRequestErrors is off: the future ends empty
                raise AssertionError(exc) from exc
            await asyncio.sleep(0)
    assert 162 in error_codes(ib)


async def test_trades_from_a_start_follow_the_session_and_the_bars(no_decoder_errors) -> None:
    async with simulator(tick_interval=MANUAL_CLOCK) as sim, client(sim) as ib:
        async with asyncio.timeout(10):
            aapl = Contract(conId=AAPL, exchange="SMART")
            start = RTH_OPEN - timedelta(hours=2)  # before the open: ticks start at 09:30
            ticks = await ib.reqHistoricalTicksAsync(aapl, start, "", 200, "TRADES", True)
            (bar,) = await ib.reqHistoricalDataAsync(
                aapl, ticks[0].time.astimezone(UTC).replace(second=0) + timedelta(minutes=1),
                "60 S", "1 min", "TRADES", True, 2,
            )  # fmt: skip
    assert len(ticks) == 200 and all(isinstance(t, HistoricalTickLast) for t in ticks)
    assert ticks[0].time >= RTH_OPEN and 162 not in error_codes(ib)
    times = [t.time for t in ticks]
    assert times == sorted(times) and len(set(times)) == len(times)
    assert all(t.price > 0 and t.size > 0 and t.exchange for t in ticks)
    first_minute = [t for t in ticks if t.time < RTH_OPEN + timedelta(minutes=1)]
    assert all(bar.low <= t.price <= bar.high for t in first_minute)


async def test_quotes_and_midpoints_up_to_an_end_are_the_latest(no_decoder_errors) -> None:
    async with simulator(tick_interval=MANUAL_CLOCK) as sim, client(sim) as ib:
        async with asyncio.timeout(10):
            aapl = Contract(conId=AAPL, exchange="SMART")
            quotes = await ib.reqHistoricalTicksAsync(aapl, "", MARKET_OPEN, 50, "BID_ASK", True)
            mids = await ib.reqHistoricalTicksAsync(aapl, "", MARKET_OPEN, 50, "MIDPOINT", True)
    assert len(quotes) == 50 and all(isinstance(t, HistoricalTickBidAsk) for t in quotes)
    assert all(0 < t.priceBid < t.priceAsk and t.sizeBid > 0 for t in quotes)
    assert quotes[-1].time < MARKET_OPEN and quotes[0].time > MARKET_OPEN - timedelta(hours=1)
    assert len(mids) == 50 and all(isinstance(t, HistoricalTick) and t.price > 0 for t in mids)


async def test_historical_ticks_are_paced_as_historical_data(no_decoder_errors) -> None:
    async with simulator(tick_interval=MANUAL_CLOCK) as sim, client(sim) as ib:
        async with asyncio.timeout(10):
            aapl = Contract(conId=AAPL, exchange="SMART")
            await ib.reqHistoricalTicksAsync(aapl, RTH_OPEN, "", 10, "TRADES", True)
            repeat = await ib.reqHistoricalTicksAsync(aapl, RTH_OPEN, "", 10, "TRADES", True)
    assert repeat == [] and 162 in error_codes(ib)


async def test_the_histogram_spreads_the_weeks_volume_over_prices(no_decoder_errors) -> None:
    async with simulator(tick_interval=MANUAL_CLOCK) as sim, client(sim) as ib:
        async with asyncio.timeout(10):
            aapl = Contract(conId=AAPL, exchange="SMART")
            buckets = await ib.reqHistogramDataAsync(aapl, True, "1 week")
            bars = await ib.reqHistoricalDataAsync(aapl, "", "1 W", "5 mins", "TRADES", True, 2)
    assert buckets and all(isinstance(b, HistogramData) and b.count > 0 for b in buckets)
    prices = [b.price for b in buckets]
    assert prices == sorted(prices)
    assert prices[0] <= min(b.low for b in bars) < prices[1]
    assert prices[-1] <= max(b.high for b in bars)
