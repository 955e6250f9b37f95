"""Generic ticks 233 (RTVolume), 236 (shortable), 165 (misc stats) and 106 (option implied
volatility), sent only when asked for in genericTickList."""

from __future__ import annotations

import asyncio
import math

import pytest
from ib_async import Option, Stock

from tests.simulator.e2e import client, simulator


async def test_shortable_and_misc_stats_ticks_when_asked() -> None:
    async with simulator(tick_interval=3600) as sim, client(sim) as ib, asyncio.timeout(5):
        aapl, msft = await ib.qualifyContractsAsync(
            Stock("AAPL", "SMART", "USD"), Stock("MSFT", "SMART", "USD")
        )
        ticker = ib.reqMktData(aapl, "236,165")
        plain = ib.reqMktData(msft, "")  # not asked: none of them
        await ib.reqCurrentTimeAsync()  # both requests were answered before this
        assert ticker.shortable == 3.0
        assert 0 < ticker.low13week <= ticker.high13week
        assert ticker.low52week <= ticker.low26week <= ticker.low13week
        assert ticker.high52week >= ticker.high26week >= ticker.high13week
        assert ticker.low13week <= ticker.last <= ticker.high13week
        assert ticker.avVolume > 0
        assert math.isnan(plain.shortable) and math.isnan(plain.high52week)


async def test_rt_volume_ticks_only_when_233_is_asked() -> None:
    async with simulator(tick_interval=3600) as sim, client(sim) as ib, asyncio.timeout(5):
        aapl, msft = await ib.qualifyContractsAsync(
            Stock("AAPL", "SMART", "USD"), Stock("MSFT", "SMART", "USD")
        )
        ticker = ib.reqMktData(aapl, "233")
        plain = ib.reqMktData(msft, "")
        for _ in range(4):  # a simulated second of prints, one clock step at a time
            sim.advance(0.25)
            await ib.reqCurrentTimeAsync()
        assert ticker.rtVolume > 0 and ticker.rtVolume == ticker.volume  # the day's volume
        assert ticker.rtTime is not None
        assert ticker.rtTime.timestamp() == pytest.approx(sim.world.now().timestamp(), abs=1)
        assert ticker.low <= ticker.vwap <= ticker.high
        assert math.isnan(plain.rtVolume) and plain.rtTime is None and plain.last > 0


async def test_option_implied_volatility_tick_with_106() -> None:
    async with simulator(tick_interval=3600) as sim, client(sim) as ib, asyncio.timeout(5):
        (aapl,) = await ib.qualifyContractsAsync(Stock("AAPL", "SMART", "USD"))
        chains = await ib.reqSecDefOptParamsAsync("AAPL", "", "STK", aapl.conId)
        smart = next(c for c in chains if c.exchange == "SMART")
        strike = smart.strikes[len(smart.strikes) // 2]
        option = Option(
            "AAPL", smart.expirations[0], strike, "C", "SMART", tradingClass=smart.tradingClass
        )
        (qualified,) = await ib.qualifyContractsAsync(option)
        ticker = ib.reqMktData(qualified, "106")
        await ib.reqCurrentTimeAsync()
        assert ticker.impliedVolatility > 0
        assert ticker.modelGreeks is not None
        assert ticker.impliedVolatility == ticker.modelGreeks.impliedVol
