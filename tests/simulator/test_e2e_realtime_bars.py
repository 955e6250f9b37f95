"""Real-time 5-second bars through a real ib_async client, on a clock the test moves by hand."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from ib_async import IB, Contract, Stock

from tests.simulator.e2e import client, error_codes, simulator, wait_until

MANUAL_CLOCK = 3600.0  # the simulator's own clock never fires during a test
AAPL, EURUSD = 265598, 12087792
SOURCES = ("TRADES", "MIDPOINT", "BID", "ASK")


async def _contract(ib: IB, con_id: int) -> Contract:
    (details,) = await ib.reqContractDetailsAsync(Contract(conId=con_id))
    return details.contract


async def test_bars_roll_every_five_seconds_for_each_source(no_decoder_errors) -> None:
    async with simulator(tick_interval=MANUAL_CLOCK) as sim, client(sim) as ib:
        async with asyncio.timeout(5):
            aapl = await _contract(ib, AAPL)
            subs = {what: ib.reqRealTimeBars(aapl, 5, what, False) for what in SOURCES}
            await wait_until(lambda: len(sim.session_for(1).bars.streams) == 4)
            for n in (1, 2):
                sim.advance(5)
                await wait_until(lambda n=n: all(len(bars) == n for bars in subs.values()))
            for bars in subs.values():
                first, second = bars
                assert first.time.timestamp() % 5 == 0
                assert second.time - first.time == timedelta(seconds=5)
                for bar in bars:
                    assert bar.low <= min(bar.open_, bar.close) <= max(bar.open_, bar.close)
                    assert max(bar.open_, bar.close) <= bar.high
            trades = subs["TRADES"]
            assert all(b.volume > 0 and b.count > 0 and b.low <= b.wap <= b.high for b in trades)
            assert subs["BID"][1].close < subs["ASK"][1].close
            # the bar is the world's own 5-second bar for its window
            end = trades[1].time + timedelta(seconds=5)
            (history,) = sim.world.historical_bars(AAPL, end, "5 S", "5 secs", "TRADES", False)
            assert (history.open, history.high, history.low, history.close) == (
                trades[1].open_,
                trades[1].high,
                trades[1].low,
                trades[1].close,
            )
            for bars in subs.values():
                ib.cancelRealTimeBars(bars)
            await wait_until(lambda: not sim.session_for(1).bars.streams)
            sim.advance(5)
            await ib.reqCurrentTimeAsync()  # a round trip: nothing more came
            assert all(len(bars) == 2 for bars in subs.values())


async def test_a_long_step_sends_each_missed_bar_once() -> None:
    async with simulator(tick_interval=MANUAL_CLOCK) as sim, client(sim) as ib:
        async with asyncio.timeout(5):
            bars = ib.reqRealTimeBars(await _contract(ib, AAPL), 5, "MIDPOINT", True)
            await wait_until(lambda: sim.session_for(1).bars.streams)
            sim.advance(17)
            await wait_until(lambda: len(bars) == 3)
            assert [b.time.timestamp() % 60 for b in bars] == [0, 5, 10]
            assert all(b.volume == -1 for b in bars)


async def test_refused_real_time_bar_requests() -> None:
    async with (
        simulator(tick_interval=MANUAL_CLOCK, max_market_data_lines=1) as sim,
        client(sim) as ib,
        asyncio.timeout(5),
    ):
        aapl = await _contract(ib, AAPL)
        ib.reqRealTimeBars(aapl, 10, "TRADES", False)
        await wait_until(lambda: 420 in error_codes(ib))
        ib.reqRealTimeBars(await _contract(ib, EURUSD), 5, "TRADES", False)  # forex prints none
        await wait_until(lambda: error_codes(ib).count(420) == 2)
        ib.reqRealTimeBars(Stock("NOSUCHX", "SMART", "USD"), 5, "TRADES", False)
        await wait_until(lambda: 200 in error_codes(ib))
        ib.reqMktData(aapl)  # takes the only line
        await wait_until(lambda: sim.session_for(1).market.lines_held() == 1)
        ib.reqRealTimeBars(aapl, 5, "TRADES", False)
        await wait_until(lambda: 101 in error_codes(ib))
        assert not sim.session_for(1).bars.streams
