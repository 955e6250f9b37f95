"""Bar, depth and tick-by-tick lines end to end: an ``IbBroker`` over TCP against the simulator.

The simulator runs on a clock the tests move by hand (``TwsSimulator.advance``; its own clock
never fires), so what IB sends, and when, is up to the test: no sleeps, no timing asserts. A
round trip to the simulator (``_flushed``) makes sure everything it sent before has been
processed (TCP keeps the order). Lines open with a long ``stream_open_wait``: a refusal (309,
10190, 101) always comes within it and is raised from ``open_*``.

The last tests play IB messages the simulator never sends (a depth reset, inserts that shift
levels, a refusal after the line opened) through ib_async's own wrapper callbacks, on a
session whose market data is stopped so that the simulator adds nothing of its own.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
from collections.abc import AsyncIterator, Callable
from datetime import timedelta
from typing import Any

import pytest
from ib_async import IB

from adapters.ib.broker import IbBroker
from adapters.simulated_gateway import SimWorld, TwsSimulator
from adapters.simulated_gateway.tws.session import ClientSession
from domain.contract import Contract
from domain.errors import LinesExhausted
from domain.streams import DepthBook, DepthLevel, RealTimeBar, TickPrint
from tests.ib.conftest import FAST, SESSION_OPEN, eventually, make_broker, stock
from tests.ib.sinks import RecordingSink

MANUAL_CLOCK = 3600.0  # the simulator's own clock never fires during a test
OPEN_WAIT = 10.0  # a refusal comes long before this: open_* raises it


@contextlib.asynccontextmanager
async def _manual_simulator(**changes: Any) -> AsyncIterator[TwsSimulator]:
    sim = TwsSimulator(SimWorld(start=SESSION_OPEN), port=0, tick_interval=MANUAL_CLOCK, **changes)
    await sim.start()
    try:
        yield sim
    finally:
        await sim.stop()


@contextlib.asynccontextmanager
async def _connected(sim: TwsSimulator, **changes: Any) -> AsyncIterator[IbBroker]:
    broker = make_broker(sim, **{"stream_open_wait": OPEN_WAIT, **changes})
    await broker.start()
    try:
        assert await broker.wait_connected(5), "broker did not connect to the simulator"
        yield broker
    finally:
        await broker.stop()


@pytest.fixture
async def sim() -> AsyncIterator[TwsSimulator]:
    async with _manual_simulator() as simulator:
        yield simulator


@pytest.fixture
async def ib_broker(sim: TwsSimulator) -> AsyncIterator[IbBroker]:
    async with _connected(sim) as broker:
        yield broker


def _ib(broker: IbBroker) -> IB:
    assert broker.supervisor.ib is not None
    return broker.supervisor.ib


def _session(sim: TwsSimulator) -> ClientSession:
    session = sim.session_for(FAST.client_id)
    assert session is not None
    return session


def _req(line: object) -> int:
    req_id = line.req_id  # type: ignore[attr-defined]
    assert isinstance(req_id, int)
    return req_id


async def _flushed(broker: IbBroker) -> None:
    """A round trip: whatever the simulator sent before it has been processed."""
    await _ib(broker).reqCurrentTimeAsync()


async def _stocks(broker: IbBroker, *symbols: str) -> list[Contract]:
    return [await stock(broker, symbol) for symbol in symbols]


# -- real-time bars -----------------------------------------------------------------------------


async def test_bars_roll_every_five_simulated_seconds(
    sim: TwsSimulator, ib_broker: IbBroker
) -> None:
    (aapl,) = await _stocks(ib_broker, "AAPL")
    session, sink = _session(sim), RecordingSink[RealTimeBar]()
    # open_bars returns at the first bar, which comes when simulated time crosses 5 s
    opening = asyncio.create_task(ib_broker.feed.open_bars(aapl, "TRADES", sink))
    await eventually(lambda: bool(session.bars.streams))
    sim.advance(5)
    line = await opening
    for n in (2, 3):
        sim.advance(5)
        await eventually(lambda n=n: len(sink.items) == n)  # type: ignore[misc]

    bars = sink.items
    assert bars[0].time == SESSION_OPEN  # stamped with the start of its window
    assert all(b.time - a.time == timedelta(seconds=5) for a, b in itertools.pairwise(bars))
    for bar in bars:
        assert bar.contract_id == aapl.con_id and bar.time.tzinfo is not None
        assert bar.low <= min(bar.open, bar.close) <= max(bar.open, bar.close) <= bar.high
        assert bar.volume > 0 and bar.count and bar.wap is not None
    # each bar is the world's own 5-second bar for its window
    end = bars[-1].time + timedelta(seconds=5)
    (history,) = sim.world.historical_bars(aapl.con_id, end, "5 S", "5 secs", "TRADES", False)
    assert (history.open, history.high, history.low, history.close) == (
        bars[-1].open,
        bars[-1].high,
        bars[-1].low,
        bars[-1].close,
    )

    ib, req = _ib(ib_broker), _req(line)
    assert len(ib.wrapper.reqId2Subscriber[req]) == 0  # ib_async's bar list is not growing
    line.close()
    assert req not in ib.wrapper.reqId2Subscriber and not ib_broker.supervisor.notices.routes
    await eventually(lambda: not session.bars.streams)  # cancelled at IB
    sim.advance(5)
    await _flushed(ib_broker)
    assert len(sink.items) == 3 and not sink.failures


# -- market depth -------------------------------------------------------------------------------


def _levels(side: list[DepthLevel]) -> list[tuple[float, float, str]]:
    return [(lv.price, lv.size, lv.market_maker or "") for lv in side]


def _shows(sink: RecordingSink[DepthBook], session: ClientSession, req_id: int) -> bool:
    """The last book pushed is the book the simulator has sent for ``req_id``."""
    if not sink.items:
        return False
    bids, asks = session.depth.streams[req_id].book
    book = sink.items[-1]
    return _levels(book.bids) == bids and _levels(book.asks) == asks


async def test_depth_pushes_the_simulators_book_and_holds_three_securities(
    sim: TwsSimulator, ib_broker: IbBroker
) -> None:
    aapl, msft, spy, ccj = await _stocks(ib_broker, "AAPL", "MSFT", "SPY", "CCJ")
    session, sink = _session(sim), RecordingSink[DepthBook]()
    line = await ib_broker.feed.open_depth(aapl, 5, sink)
    req = _req(line)
    await eventually(lambda: _shows(sink, session, req))
    book = sink.items[-1]
    assert book.contract_id == aapl.con_id and len(book.bids) == len(book.asks) == 5
    bids, asks = [lv.price for lv in book.bids], [lv.price for lv in book.asks]
    assert bids == sorted(bids, reverse=True) and len(set(bids)) == 5
    assert asks == sorted(asks) and len(set(asks)) == 5
    assert bids[0] < asks[0]
    assert all(lv.size > 0 and lv.market_maker for lv in book.bids + book.asks)  # smart depth

    pushed = len(sink.items)
    sim.advance(1)
    await eventually(lambda: len(sink.items) > pushed and _shows(sink, session, req))
    assert sink.items[-1] != book
    assert sink.items[-1].bids[0].price < sink.items[-1].asks[0].price

    others = [RecordingSink[DepthBook]() for _ in range(2)]
    msft_line = await ib_broker.feed.open_depth(msft, 5, others[0])
    await ib_broker.feed.open_depth(spy, 5, others[1])
    assert all(s.items for s in others)
    refused = RecordingSink[DepthBook]()
    with pytest.raises(LinesExhausted) as caught:
        await ib_broker.feed.open_depth(ccj, 5, refused)
    assert "309" in caught.value.message and not refused.items and not refused.failures
    ib = _ib(ib_broker)
    assert len(ib_broker.feed.lines) == 3 and len(ib.wrapper.reqId2Ticker) == 3
    assert len(ib_broker.supervisor.notices.routes) == 3

    msft_req = _req(msft_line)
    msft_line.close()
    assert msft_req not in ib.wrapper.reqId2Ticker
    await eventually(lambda: msft_req not in session.depth.streams)  # cancelled at IB
    again = RecordingSink[DepthBook]()
    ccj_line = await ib_broker.feed.open_depth(ccj, 5, again)
    await eventually(lambda: _shows(again, session, _req(ccj_line)))
    assert again.items[-1].contract_id == ccj.con_id and again.items[-1].bids
    assert not (sink.failures or again.failures or any(s.failures for s in others))


# -- tick-by-tick -------------------------------------------------------------------------------


def _advance(sim: TwsSimulator, steps: int = 8) -> None:
    for _ in range(steps):
        sim.advance(0.25)  # a quote step: the market moves at most once per quarter second


async def test_each_tick_kind_pushes_its_fields_and_a_fourth_is_10190(
    sim: TwsSimulator, ib_broker: IbBroker
) -> None:
    (aapl,) = await _stocks(ib_broker, "AAPL")
    session, feed = _session(sim), ib_broker.feed
    sinks = {kind: RecordingSink[TickPrint]() for kind in ("Last", "AllLast", "BidAsk", "MidPoint")}
    lines = {kind: await feed.open_ticks(aapl, kind, sinks[kind]) for kind in ("Last", "AllLast")}
    lines["BidAsk"] = await feed.open_ticks(aapl, "BidAsk", sinks["BidAsk"])
    with pytest.raises(LinesExhausted) as caught:
        await feed.open_ticks(aapl, "MidPoint", sinks["MidPoint"])
    assert "10190" in caught.value.message and not sinks["MidPoint"].failures
    assert len(session.tick_by_tick.streams) == 3 and len(feed.lines) == 3

    _advance(sim)
    await _flushed(ib_broker)
    quote = sim.quote(aapl.con_id)
    for kind in ("Last", "AllLast"):
        prints = sinks[kind].items
        assert len(prints) >= 2, kind  # the current print at once, then new ones
        assert all(t.kind == kind and t.contract_id == aapl.con_id for t in prints)
        assert all(t.price and t.size and t.exchange and t.bid is None for t in prints)
        # each print pushed once: the simulator sends a print only when it changes
        assert all((a.price, a.size) != (b.price, b.size) for a, b in itertools.pairwise(prints))
        assert (prints[-1].price, prints[-1].size) == (quote.last, quote.last_size)
    quotes = sinks["BidAsk"].items
    assert len(quotes) >= 2
    for t in quotes:
        assert t.kind == "BidAsk" and t.price is None and t.bid and t.ask and t.bid < t.ask
        assert t.bid_size and t.ask_size
    fields = [(t.bid, t.ask, t.bid_size, t.ask_size) for t in quotes]
    assert all(a != b for a, b in itertools.pairwise(fields))
    assert fields[-1] == (quote.bid, quote.ask, quote.bid_size, quote.ask_size)
    ib = _ib(ib_broker)
    assert all(ib.wrapper.reqId2Ticker[_req(x)].tickByTicks == [] for x in lines.values())

    last_req = _req(lines["Last"])
    lines["Last"].close()
    await eventually(lambda: last_req not in session.tick_by_tick.streams)  # cancelled at IB
    mids = sinks["MidPoint"]
    lines["MidPoint"] = await feed.open_ticks(aapl, "MidPoint", mids)
    _advance(sim)
    await _flushed(ib_broker)
    quote = sim.quote(aapl.con_id)
    assert len(mids.items) >= 2
    assert all(t.kind == "MidPoint" and t.price and t.size is None for t in mids.items)
    assert all(a.price != b.price for a, b in itertools.pairwise(mids.items))
    assert mids.items[-1].price == round((quote.bid + quote.ask) / 2, 8)
    for line in lines.values():
        line.close()
    await eventually(lambda: not session.tick_by_tick.streams)
    assert not ib.wrapper.reqId2Ticker and not ib_broker.supervisor.notices.routes
    assert not any(s.failures for s in sinks.values())


async def test_ticks_go_stale_on_1100_and_flow_from_a_new_request_after_1101(
    sim: TwsSimulator, ib_broker: IbBroker
) -> None:
    (aapl,) = await _stocks(ib_broker, "AAPL")
    session, sink = _session(sim), RecordingSink[TickPrint]()
    line = await ib_broker.feed.open_ticks(aapl, "BidAsk", sink)
    ib, req = _ib(ib_broker), _req(line)
    assert sink.items and not sink.stale_reasons

    sim.faults.sever_with_1100()
    await eventually(lambda: bool(sink.stale_reasons))
    _advance(sim)  # nothing flows while IB's servers are unreachable
    await _flushed(ib_broker)
    assert sink.pushes_after_stale() == 0

    sim.faults.restore_1101()
    await eventually(lambda: line.req_id != req)  # type: ignore[attr-defined]
    new = _req(line)
    await eventually(lambda: sink.pushes_after_stale() >= 1)  # the new request's current quote
    assert req not in ib.wrapper.reqId2Ticker and new in ib.wrapper.reqId2Ticker
    assert list(session.tick_by_tick.streams) == [new]  # the old request is gone at IB
    quote = sim.quote(aapl.con_id)
    assert (sink.items[-1].bid, sink.items[-1].ask) == (quote.bid, quote.ask)
    before = len(sink.items)
    _advance(sim)
    await _flushed(ib_broker)
    assert len(sink.items) > before and not sink.failures

    line.close()
    await eventually(lambda: not session.tick_by_tick.streams)
    assert new not in ib.wrapper.reqId2Ticker and not ib_broker.supervisor.notices.routes


# -- market data lines (101) --------------------------------------------------------------------


async def test_a_quote_line_past_the_line_budget_is_101_and_close_frees_one() -> None:
    async with _manual_simulator(max_market_data_lines=2) as sim, _connected(sim) as broker:
        aapl, msft, spy = await _stocks(broker, "AAPL", "MSFT", "SPY")
        held = _session(sim).market.lines_held
        sinks = [RecordingSink[Any]() for _ in range(4)]
        first = await broker.feed.open_quotes(aapl, sinks[0])
        await broker.feed.open_quotes(msft, sinks[1])
        assert sinks[0].items and sinks[1].items and held() == 2
        with pytest.raises(LinesExhausted) as caught:
            await broker.feed.open_quotes(spy, sinks[2])
        assert "101" in caught.value.message and not sinks[2].items and not sinks[2].failures
        assert len(broker.feed.lines) == 2 and len(broker.supervisor.notices.routes) == 2

        first.close()
        await eventually(lambda: held() == 1)  # cancelled at IB
        await broker.feed.open_quotes(spy, sinks[3])
        assert sinks[3].items[-1].symbol == "SPY" and held() == 2
        assert not any(s.failures for s in sinks)


# -- IB messages the simulator never sends, played through ib_async's wrapper -------------------


@pytest.fixture
async def quiet(sim: TwsSimulator) -> AsyncIterator[IbBroker]:
    """A broker on a simulator that sends no market data (and a short wait for a first one)."""
    sim.faults.stop_market_data()
    async with _connected(sim, stream_open_wait=0.05) as broker:
        yield broker


def _batch(ib: IB, *messages: Callable[[], object]) -> None:
    """One batch of IB messages, as ib_async processes what one socket read brought."""
    ib.wrapper.tcpDataArrived()  # type: ignore[no-untyped-call]
    for message in messages:
        message()
    ib.wrapper.tcpDataProcessed()  # type: ignore[no-untyped-call]


async def test_depth_inserts_shift_levels_a_reset_empties_the_book_and_a_late_309_fails(
    quiet: IbBroker,
) -> None:
    (aapl,) = await _stocks(quiet, "AAPL")
    sink = RecordingSink[DepthBook]()
    line = await quiet.feed.open_depth(aapl, 2, sink)
    assert not sink.items  # the simulator is quiet
    ib, req = _ib(quiet), _req(line)
    w = ib.wrapper
    _batch(
        ib,
        lambda: w.updateMktDepthL2(req, 0, "", 0, 1, 10.0, 100, True),
        lambda: w.updateMktDepthL2(req, 0, "", 0, 0, 10.1, 200, True),
    )
    # IB inserts a better bid at position 0: the others move down, the book keeps 2 rows
    _batch(ib, lambda: w.updateMktDepthL2(req, 0, "ARCA", 0, 1, 10.05, 5, True))
    assert len(sink.items) == 2  # one push per batch
    book = sink.items[-1]
    assert [lv.price for lv in book.bids] == [10.05, 10.0]
    assert book.asks == [DepthLevel(price=10.1, size=200.0)]
    assert book.bids[0].market_maker == "ARCA" and book.contract_id == aapl.con_id
    w.error(req, 317, "Market depth data has been RESET. Please empty deep book contents", "")
    w.tcpDataProcessed()  # type: ignore[no-untyped-call]  # the reset, reported as an update
    assert sink.items[-1].bids == [] and sink.items[-1].asks == [] and not sink.failures
    w.error(req, 309, "Max number (3) of market depth requests has been reached", "")
    assert isinstance(sink.failures[0], LinesExhausted) and "309" in sink.failures[0].message
    assert req not in w.reqId2Ticker and len(quiet.feed.lines) == 0
    assert not quiet.supervisor.notices.routes
