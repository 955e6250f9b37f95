"""The monitor reads a live line of its probe contract instead of asking IB each time."""

from __future__ import annotations

import asyncio

import msgspec.structs

from application.services.market_lines import QuoteLines
from tests.fakes import FakeBroker, FakeClock, FakeFeed
from tests.monitor.support import PRICED, SPY, Feed, RecordingGateway, make_monitor, step


async def open_line(lines: QuoteLines, feed: FakeFeed, clock: FakeClock) -> None:
    line = await lines.lease(SPY)
    feed.push(("quotes", SPY.con_id), msgspec.structs.replace(PRICED, timestamp=clock.now()))
    lines.release(line)
    await asyncio.sleep(0)


async def test_a_fresh_line_answers_the_probe_without_a_request(
    broker: FakeBroker, gateway: RecordingGateway, clock: FakeClock
):
    fake_feed = FakeFeed()
    lines = QuoteLines(fake_feed, clock, linger=3600)
    monitor = make_monitor(broker, gateway, clock, max_quote_age=30.0)
    monitor.read_lines(lines)
    await open_line(lines, fake_feed, clock)
    assert await step(monitor, clock) == "probe_ok"
    assert broker.called("snapshot") == []
    assert "(live line)" in monitor.state().last_reason


async def test_an_old_or_stale_line_falls_back_to_a_snapshot(
    broker: FakeBroker, gateway: RecordingGateway, clock: FakeClock, feed: Feed
):
    fake_feed = FakeFeed()
    lines = QuoteLines(fake_feed, clock, linger=3600)
    monitor = make_monitor(broker, gateway, clock, max_quote_age=30.0)
    monitor.read_lines(lines)
    await open_line(lines, fake_feed, clock)
    clock.advance(31)  # the line's data is older than the limit: ask IB
    feed.on()
    assert await monitor.check_once() == "probe_ok"
    assert len(broker.called("snapshot")) == 1
    fake_feed.push(("quotes", SPY.con_id), msgspec.structs.replace(PRICED, timestamp=clock.now()))
    fake_feed.stale(("quotes", SPY.con_id))
    feed.off()  # and IB sends nothing: the stale line does not hide that
    assert await monitor.check_once() == "probe_failed"
