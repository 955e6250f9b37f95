"""Market data lines, request parameters and tick traffic of reqMktData through ib_async."""

from __future__ import annotations

import asyncio
import math

from ib_async import IB, Contract

from adapters.simulated_gateway.runtime import SimulatedGateway
from adapters.simulated_gateway.server import DEFAULT_MARKET_DATA_LINES, TwsSimulator
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
