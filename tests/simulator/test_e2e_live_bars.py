"""keepUpToDate bars on a hand-moved clock: the last bar follows the price, then a new one rolls."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from ib_async import Stock

from tests.simulator.e2e import client, simulator, wait_until


async def test_keep_up_to_date_updates_the_last_bar_then_starts_a_new_one() -> None:
    async with simulator(tick_interval=3600) as sim, client(sim) as ib, asyncio.timeout(5):
        (aapl,) = await ib.qualifyContractsAsync(Stock("AAPL", "SMART", "USD"))
        bars = await ib.reqHistoricalDataAsync(
            aapl, "", "3600 S", "5 mins", "TRADES", True, keepUpToDate=True
        )
        sim.advance(20)  # the request ended on a bar boundary (10:00): the 10:00 bar opens
        await ib.reqCurrentTimeAsync()
        updates: list[bool] = []
        bars.updateEvent += lambda _bars, has_new_bar: updates.append(has_new_bar)
        count, first_time = len(bars), bars[-1].date
        assert (first_time.hour, first_time.minute) == (10, 0)
        # inside the bar's period: the same bar changes (a step's price differs almost surely)
        for _ in range(3):
            sim.advance(20)
            await ib.reqCurrentTimeAsync()  # the updates of the step were written before this
        assert updates and not any(updates)
        assert len(bars) == count and bars[-1].date == first_time
        sim.advance(300)  # past the period's end: the next print opens a new bar
        await wait_until(lambda: len(bars) == count + 1)
        assert updates[-1] is True
        assert bars[-1].date - first_time == timedelta(minutes=5)
        assert bars[-1].open == bars[-1].close == bars[-1].high == bars[-1].low
        sim.advance(20)
        await ib.reqCurrentTimeAsync()
        assert len(bars) == count + 1 and bars[-1].date - first_time == timedelta(minutes=5)
