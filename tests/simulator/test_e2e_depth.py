"""Market depth (L2) through a real ib_async client; time moves only when the test says so."""

from __future__ import annotations

import asyncio
import itertools

from ib_async import IB, Contract, Stock

from tests.simulator.e2e import client, error_codes, simulator, wait_until

MANUAL_CLOCK = 3600.0  # the simulator's own clock never fires during a test
AAPL, MSFT, SPY, CCJ = 265598, 272093, 756733, 1447060


async def _contract(ib: IB, con_id: int) -> Contract:
    (details,) = await ib.reqContractDetailsAsync(Contract(conId=con_id))
    return details.contract


async def test_depth_book_shape_then_updates(no_decoder_errors) -> None:
    async with simulator(tick_interval=MANUAL_CLOCK) as sim, client(sim) as ib:
        async with asyncio.timeout(5):
            aapl = await _contract(ib, AAPL)
            ticker = ib.reqMktDepth(aapl, numRows=5, isSmartDepth=True)
            seen = []
            ticker.updateEvent += lambda t: seen.extend(t.domTicks)
            await wait_until(lambda: len(ticker.domBids) >= 4 and len(ticker.domAsks) >= 4)
            quote = sim.quote(AAPL)
            bids = [level.price for level in ticker.domBids]
            asks = [level.price for level in ticker.domAsks]
            assert bids[0] == quote.bid and asks[0] == quote.ask
            assert ticker.domBids[0].size == quote.bid_size
            assert all(round(a - b, 2) == 0.01 for a, b in itertools.pairwise(bids))
            assert all(round(b - a, 2) == 0.01 for a, b in itertools.pairwise(asks))
            assert all(level.marketMaker for level in ticker.domBids + ticker.domAsks)
            assert all(level.size > 0 for level in ticker.domBids + ticker.domAsks)
            assert {t.operation for t in seen} == {0}  # the first book is all inserts
            inserts = len(seen)
            for _ in range(8):
                sim.advance(1.0)
            await wait_until(lambda: any(t.operation == 1 for t in seen[inserts:]))
            moved = sim.quote(AAPL)
            await wait_until(lambda: ticker.domBids and ticker.domBids[0].price == moved.bid)
            assert ticker.domAsks[0].price == moved.ask
            assert 4 <= len(ticker.domBids) <= 5 and 4 <= len(ticker.domAsks) <= 5
            ib.cancelMktDepth(aapl, isSmartDepth=True)
            await wait_until(lambda: not sim.session_for(1).depth.streams)


async def test_exchange_depth_has_no_market_maker(no_decoder_errors) -> None:
    async with simulator(tick_interval=MANUAL_CLOCK) as sim, client(sim) as ib:
        async with asyncio.timeout(5):
            (aapl,) = await ib.qualifyContractsAsync(Stock("AAPL", "ISLAND", "USD"))
            ticker = ib.reqMktDepth(aapl, numRows=3)
            await wait_until(lambda: len(ticker.domBids) >= 2 and len(ticker.domAsks) >= 2)
            assert all(level.marketMaker == "" for level in ticker.domBids + ticker.domAsks)
            assert len(ticker.domBids) <= 3


async def test_fourth_depth_security_is_309_and_index_has_no_depth() -> None:
    async with simulator(tick_interval=MANUAL_CLOCK) as sim, client(sim) as ib:
        async with asyncio.timeout(5):
            contracts = [await _contract(ib, c) for c in (AAPL, MSFT, SPY, CCJ)]
            tickers = [ib.reqMktDepth(c, numRows=3) for c in contracts[:3]]
            await wait_until(lambda: all(t.domBids for t in tickers))
            fourth = ib.reqMktDepth(contracts[3], numRows=3)
            await wait_until(lambda: 309 in error_codes(ib))
            assert not fourth.domBids
            assert len(sim.session_for(1).depth.streams) == 3
            # a freed slot takes the next security
            ib.cancelMktDepth(contracts[0])
            await wait_until(lambda: len(sim.session_for(1).depth.streams) == 2)
            ib.reqMktDepth(contracts[3], numRows=3)
            await wait_until(lambda: len(sim.session_for(1).depth.streams) == 3)
            ib.reqMktDepth(Contract(conId=416904, exchange="CBOE"))
            await wait_until(lambda: 10092 in error_codes(ib))


async def test_depth_exchanges_listed() -> None:
    async with simulator(tick_interval=MANUAL_CLOCK) as sim, client(sim) as ib:
        async with asyncio.timeout(5):
            venues = await ib.reqMktDepthExchangesAsync()
            assert any(v.exchange == "ISLAND" and v.secType == "STK" for v in venues)
