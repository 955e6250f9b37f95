"""Streams and cursor subscriptions over a fake feed: bounded, shared, released."""

from __future__ import annotations

import pytest

from application.container import LiveSettings, Services, build_services
from application.services.fanout import StreamEnded, StreamNotice
from domain.errors import (
    InvalidRequest,
    MarketDataUnavailable,
    SubscriptionNotFound,
    TooManyStreams,
)
from domain.market_data import Quote
from domain.streams import DepthBook, DepthLevel, TickPrint
from tests import contract_examples as ex
from tests.fakes import FakeBroker, FakeClock, FakeFeed, FakeGateway

AAPL, MSFT = 12345678, 23456789


@pytest.fixture
def feed() -> FakeFeed:
    return FakeFeed()


@pytest.fixture
def services(
    broker: FakeBroker, gateway: FakeGateway, clock: FakeClock, feed: FakeFeed
) -> Services:
    ex.seed(broker, gateway)
    live = LiveSettings(buffer=4, streams_per_caller=2, subscription_idle=30.0, quote_timeout=0.05)
    return build_services(broker, gateway, clock, feed=feed, live=live)


def quote(clock: FakeClock, price: float) -> Quote:
    return Quote(symbol="AAPL", bid=price, ask=price + 0.02, timestamp=clock.now())


async def test_a_quote_stream_gets_every_update_and_notices(services, feed, clock):
    assert services.streams is not None
    stream = await services.streams.quotes([AAPL], "alice")
    feed.push(("quotes", AAPL), quote(clock, 1.0))
    feed.stale(("quotes", AAPL), "IB lost its connection (1100)")
    feed.push(("quotes", AAPL), quote(clock, 2.0))
    got = [await stream.next(0.01) for _ in range(4)]
    assert [g.bid for g in got if isinstance(g, Quote)] == [1.0, 2.0]
    notices = [g for g in got if isinstance(g, StreamNotice)]
    assert [(n.kind, n.contract_id) for n in notices] == [("stale", AAPL), ("fresh", AAPL)]
    assert await stream.next(0.01) is None  # nothing more: time for a heartbeat


async def test_a_new_reader_starts_from_the_current_quote(services, feed, clock):
    assert services.streams is not None
    first = await services.streams.quotes([AAPL], "alice")
    feed.push(("quotes", AAPL), quote(clock, 1.0))
    clock.advance(3)
    second = await services.streams.quotes([AAPL], "bob")
    current = await second.next(0.01)
    assert isinstance(current, Quote) and current.bid == 1.0 and current.age_seconds == 3.0
    assert feed.opened == [("quotes", AAPL)]  # both read the one line
    first.close()
    second.close()


async def test_a_slow_reader_is_dropped_with_a_reason_and_lets_go(services, feed, clock):
    assert services.streams is not None
    slow = await services.streams.quotes([AAPL], "alice")
    for i in range(5):  # the buffer holds 4
        feed.push(("quotes", AAPL), quote(clock, float(i)))
    assert slow.ended is not None and "slow consumer" in slow.ended.reason
    for _ in range(4):
        await slow.next(0.01)  # what was buffered can still be read
    with pytest.raises(StreamEnded):
        await slow.next(0.01)
    assert services.streams.streams_of("alice") == 0
    assert services.streams.lines.stats().in_use == 0


async def test_streams_per_caller_are_bounded(services):
    assert services.streams is not None
    a = await services.streams.quotes([AAPL], "alice")
    await services.streams.quotes([MSFT], "alice")
    with pytest.raises(TooManyStreams):
        await services.streams.account("alice")
    other = await services.streams.account("bob")  # another caller is not affected
    a.close()
    await services.streams.account("alice")
    other.close()


async def test_upstreams_are_shared_and_closed_with_their_last_reader(services, feed, clock):
    assert services.streams is not None
    one = await services.streams.depth(AAPL, 5, "alice")
    two = await services.streams.depth(AAPL, 5, "bob")
    assert feed.opened == [("depth", AAPL, 5)]
    one.close()
    assert ("depth", AAPL, 5) in feed.open
    two.close()
    assert feed.closed == [("depth", AAPL, 5)]


async def test_ib_ending_a_stream_ends_its_readers_with_the_error(services, feed):
    assert services.streams is not None
    ticks = await services.streams.ticks(AAPL, "bidask", "alice")
    assert feed.opened == [("ticks", AAPL, "BidAsk")]
    feed.fail(("ticks", AAPL, "BidAsk"), MarketDataUnavailable("no subscription (10089)"))
    with pytest.raises(StreamEnded) as ended:
        await ticks.next(0.01)
    assert isinstance(ended.value.error, MarketDataUnavailable)
    assert services.streams.streams_of("alice") == 0
    again = await services.streams.ticks(AAPL, "BidAsk", "alice")  # a new upstream
    assert feed.opened.count(("ticks", AAPL, "BidAsk")) == 2
    again.close()


async def test_bad_stream_parameters_are_refused(services):
    assert services.streams is not None
    with pytest.raises(InvalidRequest, match="kind"):
        await services.streams.ticks(AAPL, "Trades", "alice")
    with pytest.raises(InvalidRequest, match="rows"):
        await services.streams.depth(AAPL, 0, "alice")
    with pytest.raises(InvalidRequest, match="what_to_show"):
        await services.streams.bars(AAPL, "VOLUME", "alice")
    with pytest.raises(InvalidRequest, match="contract"):
        await services.streams.quotes([], "alice")
    assert services.streams.streams_of("alice") == 0


async def test_depth_and_tick_snapshots_are_one_shot(services, feed, clock):
    import asyncio

    assert services.streams is not None
    book = DepthBook(contract_id=AAPL, bids=[DepthLevel(price=1.0, size=100)], asks=[],
                     timestamp=clock.now())  # fmt: skip
    task = asyncio.create_task(services.streams.depth_snapshot(AAPL, 5))
    for _ in range(20):
        await asyncio.sleep(0)
    feed.push(("depth", AAPL, 5), book)
    assert await task == book
    assert feed.closed == [("depth", AAPL, 5)]
    prints = asyncio.create_task(services.streams.tick_snapshot(AAPL, "Last", 2, 5.0))
    for _ in range(20):
        await asyncio.sleep(0)
    for price in (1.0, 2.0, 3.0):
        feed.push(("ticks", AAPL, "Last"), TickPrint(contract_id=AAPL, kind="Last",
                                                     time=clock.now(), price=price))  # fmt: skip
    assert [p.price for p in await prints] == [1.0, 2.0]
    assert ("ticks", AAPL, "Last") not in feed.open


async def test_cursor_subscriptions_read_what_arrived_and_count_what_was_lost(
    services, feed, clock
):
    book = services.subscriptions
    assert book is not None
    info = await book.open("quotes", "alice", contract_ids=[AAPL])
    for i in range(6):  # the ring holds 4: the first two are overwritten
        feed.push(("quotes", AAPL), quote(clock, float(i)))
    first = book.read(info.subscription_id, "alice", cursor=0, limit=3)
    assert first.lost == 2
    assert [e.seq for e in first.events] == [3, 4, 5] and first.events[0].type == "quote"
    assert first.events[0].data.bid == 2.0
    rest = book.read(info.subscription_id, "alice", cursor=first.cursor)
    assert [e.seq for e in rest.events] == [6] and rest.lost == 0
    empty = book.read(info.subscription_id, "alice", cursor=rest.cursor)
    assert empty.events == [] and empty.cursor == 6
    with pytest.raises(SubscriptionNotFound):
        book.read(info.subscription_id, "mallory")
    book.close(info.subscription_id, "alice")
    assert ("quotes", AAPL) in feed.open  # the line lingers, unused
    assert services.streams is not None and services.streams.lines.stats().in_use == 0


async def test_unread_subscriptions_expire(services, feed, clock):
    book = services.subscriptions
    assert book is not None
    info = await book.open("account", "alice")
    clock.advance(29)
    assert book.sweep() == 0
    clock.advance(1)
    assert book.sweep() == 1
    assert feed.closed == [("account",)]
    with pytest.raises(SubscriptionNotFound):
        book.read(info.subscription_id, "alice")


async def test_a_subscription_that_ended_says_why_once_drained(services, feed, clock):
    book = services.subscriptions
    assert book is not None
    info = await book.open("bars", "alice", contract_ids=[AAPL])
    feed.fail(("bars", AAPL, "TRADES"), MarketDataUnavailable("no subscription (10089)"))
    read = book.read(info.subscription_id, "alice")
    assert read.ended is not None and "10089" in read.ended
    with pytest.raises(SubscriptionNotFound):
        book.read(info.subscription_id, "alice")


async def test_one_shot_reads_are_bounded_and_callers_leave_no_trace(services, feed):
    from application.services.streams import MAX_ONE_SHOTS, ONE_SHOT

    streams = services.streams
    assert streams is not None
    held = [await streams.depth(AAPL, 5, ONE_SHOT) for _ in range(MAX_ONE_SHOTS)]
    with pytest.raises(TooManyStreams, match="one-shot"):
        await streams.depth_snapshot(AAPL, 5)
    for consumer in held:
        consumer.close()
    a = await streams.quotes([AAPL], "alice")
    a.close()
    assert streams.streams_of("alice") == 0 and "alice" not in streams._owners
