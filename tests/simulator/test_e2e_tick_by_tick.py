"""Tick-by-tick data of each type through a real ib_async client, on a hand-moved clock."""

from __future__ import annotations

import asyncio
import itertools

from ib_async import IB, Contract, TickByTickAllLast, TickByTickBidAsk, TickByTickMidPoint

from tests.simulator.e2e import client, error_codes, simulator, wait_until

MANUAL_CLOCK = 3600.0  # the simulator's own clock never fires during a test
AAPL, MSFT, SPY, CCJ, EURUSD = 265598, 272093, 756733, 1447060, 12087792


async def _contract(ib: IB, con_id: int) -> Contract:
    (details,) = await ib.reqContractDetailsAsync(Contract(conId=con_id))
    return details.contract


async def _ticks(sim, ticker, steps: int = 8) -> list:
    """The ticks of a request made just before (its first reply cannot have come yet)."""
    seen: list = []
    ticker.updateEvent += lambda t: seen.extend(t.tickByTicks)
    await wait_until(lambda: seen)
    for _ in range(steps):
        sim.advance(0.25)
    await wait_until(lambda: len(seen) >= 3)
    return seen


async def test_each_tick_by_tick_type(no_decoder_errors) -> None:
    async with simulator(tick_interval=MANUAL_CLOCK) as sim, client(sim) as ib:
        async with asyncio.timeout(5):
            aapl = await _contract(ib, AAPL)
            trades = await _ticks(sim, ib.reqTickByTickData(aapl, "AllLast"))
            assert all(isinstance(t, TickByTickAllLast) and t.tickType == 2 for t in trades)
            assert all(t.price > 0 and t.size > 0 and t.exchange for t in trades)
            ib.cancelTickByTickData(aapl, "AllLast")
            quote = sim.quote(AAPL)
            assert trades[-1].price == quote.last and trades[-1].size == quote.last_size

            quotes = await _ticks(sim, ib.reqTickByTickData(aapl, "BidAsk"))
            assert all(isinstance(t, TickByTickBidAsk) for t in quotes)
            assert all(0 < t.bidPrice < t.askPrice and t.bidSize > 0 for t in quotes)
            ib.cancelTickByTickData(aapl, "BidAsk")

            msft = await _contract(ib, MSFT)
            mids = await _ticks(sim, ib.reqTickByTickData(msft, "MidPoint"))
            assert all(isinstance(t, TickByTickMidPoint) and t.midPoint > 0 for t in mids)
            assert len({t.midPoint for t in mids}) == len(mids)  # sent only when it moves

            last = await _ticks(sim, ib.reqTickByTickData(aapl, "Last"))
            assert all(isinstance(t, TickByTickAllLast) and t.tickType == 1 for t in last)
            assert error_codes(ib) == [2104, 2106, 2158]


async def test_ignore_size_sends_price_changes_only() -> None:
    async with simulator(tick_interval=MANUAL_CLOCK) as sim, client(sim) as ib:
        async with asyncio.timeout(5):
            aapl = await _contract(ib, AAPL)
            ticks = await _ticks(sim, ib.reqTickByTickData(aapl, "BidAsk", 10, True), steps=20)
            prices = [(t.bidPrice, t.askPrice) for t in ticks]
            assert all(a != b for a, b in itertools.pairwise(prices))


async def test_fourth_tick_by_tick_request_is_10190_and_cancel_frees_one() -> None:
    async with simulator(tick_interval=MANUAL_CLOCK) as sim, client(sim) as ib:
        async with asyncio.timeout(5):
            contracts = [await _contract(ib, c) for c in (AAPL, MSFT, SPY, CCJ)]
            for c in contracts[:3]:
                ib.reqTickByTickData(c, "BidAsk")
            ib.reqTickByTickData(contracts[3], "BidAsk")
            await wait_until(lambda: 10190 in error_codes(ib))
            streams = sim.session_for(1).tick_by_tick.streams
            assert len(streams) == 3
            ib.cancelTickByTickData(contracts[0], "BidAsk")
            await wait_until(lambda: len(streams) == 2)
            ticker = ib.reqTickByTickData(contracts[3], "BidAsk")
            await wait_until(lambda: ticker.tickByTicks or ticker.bid > 0)
            # forex prints no trades: IB refuses Last instead of staying silent
            ib.cancelTickByTickData(contracts[3], "BidAsk")
            ib.reqTickByTickData(await _contract(ib, EURUSD), "Last")
            await wait_until(lambda: 10189 in error_codes(ib))
