"""Market data lines, request parameters and tick traffic of reqMktData through ib_async."""

from __future__ import annotations

import asyncio
import math

from ib_async import IB, Contract

from adapters.simulated_gateway import DEFAULT_MARKET_DATA_LINES, SimulatedGateway, TwsSimulator
from tests.simulator.e2e import client, error_codes, simulator, wait_until

MANUAL_CLOCK = 3600.0  # the simulator's own clock never fires during a test
AAPL, MSFT, SPY = 265598, 272093, 756733


async def _contract(ib: IB, con_id: int) -> Contract:
    (details,) = await ib.reqContractDetailsAsync(Contract(conId=con_id))
    return details.contract


async def test_line_budget_is_101_and_cancel_frees_a_line() -> None:
    async with (
        simulator(tick_interval=MANUAL_CLOCK, max_market_data_lines=2) as sim,
        client(sim) as ib,
        asyncio.timeout(5),
    ):
        aapl, msft, spy = [await _contract(ib, c) for c in (AAPL, MSFT, SPY)]
        held = sim.session_for(1).market.lines_held
        first, second = ib.reqMktData(aapl), ib.reqMktData(msft)
        await wait_until(lambda: first.bid > 0 and second.bid > 0)
        third = ib.reqMktData(spy)
        await wait_until(lambda: 101 in error_codes(ib))
        assert math.isnan(third.bid) and held() == 2
        # a snapshot needs a line while it runs: none is free
        (refused,) = await ib.reqTickersAsync(spy)
        assert math.isnan(refused.bid) and error_codes(ib).count(101) == 2
        ib.cancelMktData(aapl)
        await wait_until(lambda: held() == 1)
        (snapshot,) = await ib.reqTickersAsync(spy)
        assert snapshot.bid > 0 and held() == 1  # the snapshot gave its line back at its end
        again = ib.reqMktData(spy)
        await wait_until(lambda: held() == 2)
        sim.advance(0.25)
        await wait_until(lambda: again.bid > 0)
        assert error_codes(ib).count(101) == 2


def test_budget_is_a_knob_of_both_simulator_front_doors() -> None:
    assert DEFAULT_MARKET_DATA_LINES == 100
    assert TwsSimulator(port=0).max_market_data_lines == 100
    assert SimulatedGateway(max_market_data_lines=7).simulator.max_market_data_lines == 7


async def test_tick_req_params_once_per_request_and_snapshot(no_decoder_errors) -> None:
    async with simulator(tick_interval=MANUAL_CLOCK) as sim, client(sim) as ib, asyncio.timeout(5):
        aapl = await _contract(ib, AAPL)
        (snapshot,) = await ib.reqTickersAsync(aapl)
        assert (snapshot.minTick, snapshot.bboExchange, snapshot.snapshotPermissions) == (
            0.01,
            "9c0001",
            3,
        )
        eur = await _contract(ib, 12087792)
        ticker = ib.reqMktData(eur)
        await wait_until(lambda: ticker.minTick == 5e-05)
        assert ticker.bboExchange == "IDEALPRO"


async def test_liquid_stock_ticks_several_times_a_second(no_decoder_errors) -> None:
    async with simulator(tick_interval=MANUAL_CLOCK) as sim, client(sim) as ib, asyncio.timeout(5):
        aapl = await _contract(ib, AAPL)
        ticker = ib.reqMktData(aapl, "233")
        await wait_until(lambda: ticker.bid > 0 and ticker.rtVolume > 0)
        assert ticker.lastTimestamp is not None and ticker.rtTime is not None
        seen: list[tuple[float, ...]] = []
        ticker.updateEvent += lambda t: seen.append(
            (t.bid, t.ask, t.bidSize, t.askSize, t.last, t.lastSize)
        )
        for _ in range(8):  # two simulated seconds, one default clock step at a time
            sim.advance(0.25)
            count = len(seen)
            await wait_until(lambda count=count: len(seen) > count)
        assert len(set(seen)) == 8  # each quarter second shows a new quote
        assert len({s[4:] for s in seen}) > 2  # and prints trades
