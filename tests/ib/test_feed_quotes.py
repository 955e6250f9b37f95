"""Streaming quote lines through the real IbBroker against the simulator over TCP."""

from __future__ import annotations

import asyncio

import pytest

from adapters.ib.broker import IbBroker
from adapters.ib.feed_quotes import QuoteLine
from adapters.simulated_gateway import TwsSimulator
from domain.contract import Contract
from domain.errors import ContractNotFound, LinesExhausted, NotConnected
from domain.market_data import Quote
from tests.ib.conftest import eventually, make_broker, stock
from tests.ib.sinks import RecordingSink

NOWHERE = Contract(
    sec_type="STK", con_id=999_999_991, symbol="NOPE", exchange="SMART", currency="USD"
)


def _streams(broker: IbBroker, simulator: TwsSimulator) -> dict[int, object]:
    session = simulator.session_for(broker.settings.client_id)
    assert session is not None
    return session.market.streams  # type: ignore[return-value]


async def _open(broker: IbBroker, contract: Contract) -> tuple[QuoteLine, RecordingSink[Quote]]:
    sink: RecordingSink[Quote] = RecordingSink()
    line = await broker.feed.open_quotes(contract, sink)
    assert isinstance(line, QuoteLine)
    return line, sink


async def test_a_quote_line_pushes_full_quotes_as_ib_sends_them(
    broker: IbBroker, simulator: TwsSimulator
) -> None:
    aapl = await stock(broker)
    line, sink = await _open(broker, aapl)
    assert sink.items, "open waits for IB's first data"
    await eventually(lambda: len(sink.items) >= 4)
    first, last = sink.items[0], sink.items[-1]
    assert first.symbol == "AAPL" and first.contract_id == aapl.con_id
    assert first.market_data_type == "live"
    assert first.bid and first.ask and first.last_price and first.volume  # the full quote
    stamps = [q.timestamp for q in sink.items]
    assert stamps == sorted(stamps) and last.timestamp > first.timestamp
    # the time IB's latest message arrived, not when the quote was built
    assert line.ticker is not None and last.timestamp <= line.ticker.time
    assert list(_streams(broker, simulator)) == [line.req_id]
    line.close()


async def test_close_cancels_at_ib_and_is_idempotent(
    broker: IbBroker, simulator: TwsSimulator
) -> None:
    aapl = await stock(broker)
    line, sink = await _open(broker, aapl)
    await eventually(lambda: len(_streams(broker, simulator)) == 1)
    line.close()
    line.close()
    await eventually(lambda: not _streams(broker, simulator))
    pushed = len(sink.items)
    await broker.snapshot(aapl)  # a round trip: any tick for the line would be here by now
    assert len(sink.items) == pushed and not sink.failures
    assert len(broker.feed.lines) == 0 and not broker.supervisor.notices.routes


async def test_stale_on_disconnect_and_fresh_pushes_after_reconnect(
    broker: IbBroker, simulator: TwsSimulator
) -> None:
    aapl = await stock(broker)
    line, sink = await _open(broker, aapl)
    old_ticker, old_ib = line.ticker, broker.supervisor.ib
    simulator.faults.drop_all_connections()
    await eventually(lambda: bool(sink.stale_reasons))
    assert "connection" in sink.stale_reasons[0]
    await eventually(lambda: sink.pushes_after_stale() > 0)
    assert broker.supervisor.ib is not old_ib and line.ticker is not old_ticker
    assert list(_streams(broker, simulator)) == [line.req_id]  # one request, on the new session
    assert sink.stale_reasons == sink.stale_reasons[:1]  # said once, not per hook
    line.close()


async def test_1101_renews_the_line_with_a_fresh_ticker(
    broker: IbBroker, simulator: TwsSimulator
) -> None:
    aapl = await stock(broker)
    line, sink = await _open(broker, aapl)
    old_ticker, old_req = line.ticker, line.req_id
    simulator.faults.sever_with_1100()
    await eventually(lambda: bool(sink.stale_reasons))
    assert "1100" in sink.stale_reasons[0]
    simulator.faults.restore_1101()
    await eventually(lambda: sink.pushes_after_stale() > 0)
    assert line.ticker is not old_ticker and line.req_id != old_req
    assert list(_streams(broker, simulator)) == [line.req_id]
    line.close()


async def test_1102_keeps_the_request_and_data_flows_again(
    broker: IbBroker, simulator: TwsSimulator
) -> None:
    aapl = await stock(broker)
    line, sink = await _open(broker, aapl)
    req = line.req_id
    simulator.faults.sever_with_1100()
    await eventually(lambda: bool(sink.stale_reasons))
    simulator.faults.restore_1102()
    await eventually(lambda: sink.pushes_after_stale() > 0)
    assert line.req_id == req
    line.close()


async def test_a_snapshot_of_a_held_contract_leaves_the_line_working(
    broker: IbBroker, simulator: TwsSimulator
) -> None:
    aapl = await stock(broker)
    line, sink = await _open(broker, aapl)
    ticker = line.ticker
    quotes = await asyncio.gather(*(broker.market_data._snapshot(aapl) for _ in range(3)))
    assert all(q.bid and q.last_price for q in quotes)
    assert line.ticker is ticker and list(_streams(broker, simulator)) == [line.req_id]
    pushed = len(sink.items)
    await eventually(lambda: len(sink.items) > pushed)  # still flowing
    assert broker.supervisor.ib is not None and not broker.supervisor.ib.wrapper.tickers
    line.close()  # cancels the line's own request, not a snapshot's
    await eventually(lambda: not _streams(broker, simulator))
    assert (await broker.snapshot(aapl)).bid


async def test_a_line_opened_during_a_snapshot_is_its_own(
    broker: IbBroker, simulator: TwsSimulator
) -> None:
    aapl = await stock(broker)
    snapshot = asyncio.ensure_future(broker.market_data._snapshot(aapl))
    await asyncio.sleep(0)  # the snapshot's request is out
    line, sink = await _open(broker, aapl)
    assert (await snapshot).bid
    pushed = len(sink.items)
    await eventually(lambda: len(sink.items) > pushed)
    line.close()
    await eventually(lambda: not _streams(broker, simulator))


async def test_101_is_raised_when_it_comes_at_once(
    broker: IbBroker, simulator: TwsSimulator
) -> None:
    aapl = await stock(broker)
    ib = broker.supervisor.ib
    assert ib is not None
    simulator.faults.stop_market_data()  # no first quote: IB's answer is the error
    next_id = ib.client._reqIdSeq
    asyncio.get_running_loop().call_soon(
        ib.wrapper.error, next_id, 101, "Max number of tickers has been reached", ""
    )
    sink: RecordingSink[Quote] = RecordingSink()
    with pytest.raises(LinesExhausted) as caught:
        await broker.feed.open_quotes(aapl, sink)
    assert "101" in caught.value.message and not sink.failures
    assert len(broker.feed.lines) == 0 and not broker.supervisor.notices.routes
    assert next_id not in ib.wrapper.reqId2Ticker


async def test_a_later_refusal_ends_the_line_through_the_sink(broker: IbBroker) -> None:
    aapl = await stock(broker)
    line, sink = await _open(broker, aapl)
    ib = broker.supervisor.ib
    assert ib is not None and line.req_id is not None
    ib.wrapper.error(line.req_id, 101, "Max number of tickers has been reached", "")
    assert len(sink.failures) == 1 and isinstance(sink.failures[0], LinesExhausted)
    assert len(broker.feed.lines) == 0 and line.req_id is None
    line.close()  # already over: nothing to do
    assert len(sink.failures) == 1


async def test_354_switches_to_delayed_data_and_asks_again(broker: IbBroker) -> None:
    aapl = await stock(broker)
    line, sink = await _open(broker, aapl)
    ib = broker.supervisor.ib
    assert ib is not None and line.req_id is not None
    old_req = line.req_id
    ib.wrapper.error(old_req, 354, "Requested market data is not subscribed.", "")
    assert broker.market_data.market_data_type == 3
    assert line.req_id not in (None, old_req) and not sink.failures
    pushed = len(sink.items)
    await eventually(lambda: len(sink.items) > pushed)
    ib.wrapper.error(line.req_id, 354, "Requested market data is not subscribed.", "")
    assert sink.failures and sink.failures[0].code == "market_data_not_subscribed"


async def test_an_unknown_contract_is_refused(broker: IbBroker) -> None:
    with pytest.raises(ContractNotFound):
        await broker.feed.open_quotes(NOWHERE, RecordingSink())
    assert len(broker.feed.lines) == 0


async def test_stop_cancels_every_line_and_open_needs_a_session(simulator: TwsSimulator) -> None:
    broker = make_broker(simulator)
    await broker.start()
    try:
        assert await broker.wait_connected(5)
        aapl = await stock(broker)
        lines = [(await _open(broker, aapl))[0] for _ in range(2)]  # one contract, two requests
        assert len(_streams(broker, simulator)) == 2
        ib = broker.supervisor.ib
        assert ib is not None
        cancelled: list[int] = []
        send_cancel = ib.client.cancelMktData
        ib.client.cancelMktData = lambda req_id: (cancelled.append(req_id), send_cancel(req_id))  # type: ignore[method-assign]
        requests = sorted(line.req_id for line in lines if line.req_id is not None)
    finally:
        await broker.stop()
    assert sorted(cancelled) == requests
    assert len(broker.feed.lines) == 0 and all(line.req_id is None for line in lines)
    with pytest.raises(NotConnected):
        await broker.feed.open_quotes(aapl, RecordingSink())


async def test_a_1101_alone_says_stale_and_renews(
    broker: IbBroker, simulator: TwsSimulator
) -> None:
    aapl = await stock(broker)
    line, sink = await _open(broker, aapl)
    simulator.faults.restore_1101()  # without a 1100 first
    await eventually(lambda: bool(sink.stale_reasons))
    assert "1101" in sink.stale_reasons[0]
    await eventually(lambda: sink.pushes_after_stale() > 0)
    line.close()


async def test_a_line_opened_while_ib_is_unreachable_is_stale_at_once(
    broker: IbBroker, simulator: TwsSimulator
) -> None:
    aapl = await stock(broker)
    simulator.faults.sever_with_1100()
    await eventually(lambda: broker.supervisor.state == "degraded")
    line, sink = await _open(broker, aapl)
    assert sink.stale_reasons and "1100" in sink.stale_reasons[0] and not sink.items
    simulator.faults.restore_1101()
    await eventually(lambda: sink.pushes_after_stale() > 0)
    line.close()
