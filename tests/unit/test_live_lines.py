"""Shared market data lines: budget, linger and eviction, snapshots read from live lines."""

from __future__ import annotations

from datetime import timedelta

import pytest

from application.container import LiveSettings, Services, build_services
from domain.contract import ContractQuery
from domain.errors import BrokerTimeout, ContractNotFound, LinesExhausted, MarketDataUnavailable
from domain.market_data import Quote
from tests import contract_examples as ex
from tests.fakes import FakeBroker, FakeClock, FakeFeed, FakeGateway

AAPL, MSFT, CCJ = 12345678, 23456789, 1447060


@pytest.fixture
def feed() -> FakeFeed:
    return FakeFeed()


def live(
    broker: FakeBroker, gateway: FakeGateway, clock: FakeClock, feed: FakeFeed, **kw: float
) -> Services:
    ex.seed(broker, gateway)
    settings = LiveSettings(**{"quote_timeout": 0.05, **kw})  # type: ignore[arg-type]
    return build_services(broker, gateway, clock, feed=feed, live=settings)


def quote(clock: FakeClock, price: float, *, symbol: str = "AAPL", age: float = 0.0) -> Quote:
    return Quote(
        symbol=symbol, bid=price - 0.01, ask=price + 0.01, last_price=price,
        timestamp=clock.now() - timedelta(seconds=age), market_data_type="live",
    )  # fmt: skip


async def first_snapshot(services: Services, feed: FakeFeed, clock: FakeClock, con_id: int,
                         price: float) -> Quote:  # fmt: skip
    """A snapshot that opens a line: the feed answers while the service waits."""
    import asyncio

    task = asyncio.create_task(services.market_data.snapshot(ContractQuery(con_id=con_id)))
    for _ in range(100):
        await asyncio.sleep(0)
        if ("quotes", con_id) in feed.open:
            break
    feed.push(("quotes", con_id), quote(clock, price))
    return await task


async def test_a_snapshot_opens_one_line_and_later_ones_read_it(broker, gateway, clock, feed):
    services = live(broker, gateway, clock, feed)
    first = await first_snapshot(services, feed, clock, AAPL, 100.0)
    assert first.last_price == 100.0 and first.contract_id == AAPL
    feed.push(("quotes", AAPL), quote(clock, 101.0, age=2.5))
    again = await services.market_data.snapshot(ContractQuery(con_id=AAPL))
    assert again.last_price == 101.0
    assert again.age_seconds == 2.5  # how old the data is, not when it was asked for
    assert feed.opened == [("quotes", AAPL)]  # one line, one IB request
    assert broker.called("snapshot") == []


async def test_stale_data_is_never_answered_as_fresh(broker, gateway, clock, feed):
    services = live(broker, gateway, clock, feed)
    await first_snapshot(services, feed, clock, AAPL, 100.0)
    feed.stale(("quotes", AAPL), "connection lost")
    with pytest.raises(BrokerTimeout):
        await services.market_data.snapshot(ContractQuery(con_id=AAPL))
    feed.push(("quotes", AAPL), quote(clock, 102.0))
    fresh = await services.market_data.snapshot(ContractQuery(con_id=AAPL))
    assert fresh.last_price == 102.0


async def test_a_quote_without_both_sides_or_a_trade_is_not_complete(broker, gateway, clock, feed):
    services = live(broker, gateway, clock, feed)
    import asyncio

    task = asyncio.create_task(services.market_data.snapshot(ContractQuery(con_id=AAPL)))
    await asyncio.sleep(0)
    await asyncio.sleep(0)
    bid_only = Quote(symbol="AAPL", bid=99.0, timestamp=clock.now())
    feed.push(("quotes", AAPL), bid_only)
    await asyncio.sleep(0)
    assert not task.done()  # waits for the ask (or a trade) until the deadline
    answered = await task  # at the deadline, the fresh quote with a price is answered
    assert answered.bid == 99.0 and answered.ask is None


async def test_idle_lines_linger_then_close(broker, gateway, clock, feed):
    services = live(broker, gateway, clock, feed, linger=60.0)
    assert services.streams is not None
    lines = services.streams.lines
    await first_snapshot(services, feed, clock, AAPL, 100.0)
    clock.advance(59)
    assert lines.sweep() == 0 and ("quotes", AAPL) in feed.open
    clock.advance(1)
    assert lines.sweep() == 1
    assert feed.closed == [("quotes", AAPL)]


async def test_the_budget_evicts_the_least_recently_used_idle_line(broker, gateway, clock, feed):
    services = live(broker, gateway, clock, feed, lines=2)
    await first_snapshot(services, feed, clock, AAPL, 100.0)
    await first_snapshot(services, feed, clock, MSFT, 200.0)
    await services.market_data.snapshot(ContractQuery(con_id=AAPL))  # AAPL now most recent
    await first_snapshot(services, feed, clock, CCJ, 30.0)
    assert feed.closed == [("quotes", MSFT)]
    assert set(feed.open) == {("quotes", AAPL), ("quotes", CCJ)}


async def test_lines_held_by_streams_are_not_evicted(broker, gateway, clock, feed):
    services = live(broker, gateway, clock, feed, lines=1)
    assert services.streams is not None
    stream = await services.streams.quotes([AAPL], "alice")
    with pytest.raises(LinesExhausted):
        await services.streams.quotes([MSFT], "bob")
    # a snapshot with no line free asks IB for a one-off snapshot instead
    broker.quotes[MSFT] = quote(clock, 200.0, symbol="MSFT")
    answered = await services.market_data.snapshot(ContractQuery(con_id=MSFT))
    assert answered.last_price == 200.0 and len(broker.called("snapshot")) == 1
    assert feed.open.keys() == {("quotes", AAPL)}
    stream.close()
    assert services.streams.lines.stats().in_use == 0


async def test_ib_refusing_a_line_makes_room_and_retries_once(broker, gateway, clock, feed):
    feed.max_lines = 1  # IB counts a line we do not see
    services = live(broker, gateway, clock, feed, lines=5)
    await first_snapshot(services, feed, clock, AAPL, 100.0)
    await first_snapshot(services, feed, clock, MSFT, 200.0)
    assert feed.closed == [("quotes", AAPL)] and set(feed.open) == {("quotes", MSFT)}


async def test_a_line_ib_ends_is_opened_again_next_time(broker, gateway, clock, feed):
    services = live(broker, gateway, clock, feed)
    await first_snapshot(services, feed, clock, AAPL, 100.0)
    feed.fail(("quotes", AAPL), MarketDataUnavailable("no subscription (354)"))
    again = await first_snapshot(services, feed, clock, AAPL, 103.0)
    assert again.last_price == 103.0
    assert feed.opened == [("quotes", AAPL), ("quotes", AAPL)]


async def test_an_error_while_waiting_is_the_answer(broker, gateway, clock, feed):
    services = live(broker, gateway, clock, feed, quote_timeout=5.0)
    import asyncio

    task = asyncio.create_task(services.market_data.snapshot(ContractQuery(con_id=AAPL)))
    for _ in range(50):
        await asyncio.sleep(0)
    feed.fail(("quotes", AAPL), ContractNotFound("No security definition (200)"))
    with pytest.raises(ContractNotFound):
        await task


async def test_without_a_session_a_snapshot_fails_at_once(broker, gateway, clock, feed):
    from domain.errors import NotConnected

    services = live(broker, gateway, clock, feed, quote_timeout=30.0)
    broker.connected = False
    with pytest.raises(NotConnected):
        await services.market_data.snapshot(ContractQuery(con_id=AAPL))
    assert feed.opened == []


async def test_a_lease_cancelled_while_its_line_opens_frees_the_slot(clock):
    """An MCP call cancelled (or a client gone) while IB had not yet answered the line's
    request must not leave that line counted as in use for ever."""
    import asyncio

    from application.services.market_lines import QuoteLines
    from domain.contract import Contract

    class SlowFeed:
        opened = 0

        async def open_quotes(self, contract, sink):
            self.opened += 1
            await asyncio.sleep(30)  # IB's first tick never comes in time

    lines = QuoteLines(SlowFeed(), clock, budget=2)  # type: ignore[arg-type]
    aapl = Contract(sec_type="STK", con_id=AAPL, symbol="AAPL")
    opening = asyncio.create_task(lines.lease(aapl))
    await asyncio.sleep(0.01)
    assert lines.stats().in_use == 1
    opening.cancel()
    with pytest.raises(asyncio.CancelledError):
        await opening
    assert lines.stats().in_use == 0 and lines.stats().open == 0
