"""Bar, depth and tick-by-tick lines over a real session with the simulator.

The simulator does not answer reqRealTimeBars/reqMktDepth/reqTickByTickData yet: these tests
play IB's answers through ib_async's own wrapper callbacks (the code that decodes IB's
messages calls exactly these), so the line's wiring, renewal and clean-up are real.
End-to-end tests over the wire come with the simulator's support for them.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable

import pytest
from ib_async import IB, TickAttribLast

from adapters.ib.broker import IbBroker
from adapters.simulated_gateway.server import TwsSimulator
from domain.errors import LinesExhausted
from domain.streams import DepthBook, DepthLevel, RealTimeBar, TickPrint
from tests.ib.conftest import eventually, make_broker, stock
from tests.ib.sinks import RecordingSink


@pytest.fixture
async def quick(simulator: TwsSimulator) -> AsyncIterator[IbBroker]:
    """A broker that waits only briefly for a first answer the simulator never sends."""
    broker = make_broker(simulator, stream_open_wait=0.05)
    await broker.start()
    try:
        assert await broker.wait_connected(5)
        yield broker
    finally:
        await broker.stop()


def _ib(broker: IbBroker) -> IB:
    assert broker.supervisor.ib is not None
    return broker.supervisor.ib


def _batch(ib: IB, *messages: Callable[[], object]) -> None:
    """One batch of IB messages, as ib_async processes what one socket read brought."""
    ib.wrapper.tcpDataArrived()
    for message in messages:
        message()
    ib.wrapper.tcpDataProcessed()


async def test_bars_are_pushed_one_by_one_and_not_kept(quick: IbBroker) -> None:
    aapl = await stock(quick)
    sink: RecordingSink[RealTimeBar] = RecordingSink()
    line = await quick.feed.open_bars(aapl, "TRADES", sink)
    ib, req = _ib(quick), line.req_id  # type: ignore[attr-defined]
    for i in range(3):
        ib.wrapper.realtimeBar(req, 1_741_100_400 + 5 * i, 10.0, 11.0, 9.0, 10.5 + i, 100, 10.2, 5)
    assert [b.close for b in sink.items] == [10.5, 11.5, 12.5]
    assert sink.items[0].contract_id == aapl.con_id and sink.items[0].time.tzinfo is not None
    assert len(ib.wrapper.reqId2Subscriber[req]) == 0  # ib_async's bar list is not growing
    line.close()
    assert req not in ib.wrapper.reqId2Subscriber and not quick.supervisor.notices.routes


async def test_depth_pushes_the_whole_book_after_each_batch(quick: IbBroker) -> None:
    aapl = await stock(quick)
    sink: RecordingSink[DepthBook] = RecordingSink()
    line = await quick.feed.open_depth(aapl, 2, sink)
    ib, req = _ib(quick), line.req_id  # type: ignore[attr-defined]
    w = ib.wrapper
    _batch(
        ib,
        lambda: w.updateMktDepthL2(req, 0, "", 0, 1, 10.0, 100, True),
        lambda: w.updateMktDepthL2(req, 0, "", 0, 0, 10.1, 200, True),
    )
    _batch(ib, lambda: w.updateMktDepthL2(req, 0, "ARCA", 0, 1, 10.05, 5, True))
    assert len(sink.items) == 2
    book = sink.items[-1]
    assert [lv.price for lv in book.bids] == [10.05, 10.0]
    assert book.asks == [DepthLevel(price=10.1, size=200.0)]
    assert book.bids[0].market_maker == "ARCA" and book.contract_id == aapl.con_id
    w.error(req, 317, "Market depth data has been RESET. Please empty deep book contents", "")
    w.tcpDataProcessed()  # ib_async reports the reset as an update
    assert sink.items[-1].bids == [] and sink.items[-1].asks == [] and not sink.failures
    w.error(req, 309, "Max number (3) of market depth requests has been reached", "")
    assert isinstance(sink.failures[0], LinesExhausted) and "309" in sink.failures[0].message
    assert req not in w.reqId2Ticker and len(quick.feed.lines) == 0


async def test_ticks_are_pushed_per_event_and_survive_1101(
    quick: IbBroker, simulator: TwsSimulator
) -> None:
    aapl = await stock(quick)
    sink: RecordingSink[TickPrint] = RecordingSink()
    line = await quick.feed.open_ticks(aapl, "AllLast", sink)
    ib, req = _ib(quick), line.req_id  # type: ignore[attr-defined]
    w = ib.wrapper
    trades = [(101.0, 10.0), (101.5, 20.0), (101.25, 30.0)]
    _batch(
        ib,
        *(
            (lambda p=p, s=s: w.tickByTickAllLast(req, 2, 0, p, s, TickAttribLast(), "ARCA", ""))
            for p, s in trades
        ),
    )
    assert [(t.price, t.size) for t in sink.items] == trades
    assert all(t.kind == "AllLast" and t.exchange == "ARCA" for t in sink.items)
    assert w.reqId2Ticker[req].tickByTicks == []  # taken by the line: nothing pushed twice
    simulator.faults.sever_with_1100()
    await eventually(lambda: bool(sink.stale_reasons))
    simulator.faults.restore_1101()
    await eventually(lambda: line.req_id != req)  # type: ignore[attr-defined]
    new = line.req_id  # type: ignore[attr-defined]
    assert req not in w.reqId2Ticker and new in w.reqId2Ticker
    _batch(ib, lambda: w.tickByTickMidPoint(new, 0, 101.3))
    assert sink.items[-1].price == 101.3 and sink.pushes_after_stale() == 1
    w.error(new, 10190, "Max number of tick-by-tick requests has been reached.", "")
    assert isinstance(sink.failures[0], LinesExhausted)
    line.close()
    assert new not in w.reqId2Ticker and not quick.supervisor.notices.routes
