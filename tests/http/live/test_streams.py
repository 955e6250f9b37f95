"""Live streams as server-sent events, through uvicorn and a real HTTP client, over FakeFeed."""

from __future__ import annotations

import httpx

from application.container import build_services
from application.services.auth import TokenBook
from domain.errors import MarketDataUnavailable
from domain.streams import TickPrint
from entrypoints.http.app import create_http_app
from tests.http.live.support import AAPL, MSFT, TIMEOUT, next_event, quote, sse, until
from tests.servers import serving

TOKEN = "s3cret-token-for-alice-0123456789abcdef"


async def test_quotes_stream_as_named_numbered_json_events_with_keep_alives(
    http, services, feed, clock
):
    url = f"/ibkr/market_data/stream?contract_ids={AAPL},{MSFT}"
    async with http.stream("GET", url) as response:
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/event-stream")
        events = sse(response)
        feed.push(("quotes", AAPL), quote(clock, 1.0))
        clock.advance(2)
        feed.stale(("quotes", AAPL), "IB lost its connection (1100)")
        first, notice = await next_event(events), await next_event(events)
        assert (first.event, first.id) == ("quote", "1")
        assert first.json["bid"] == 1.0 and first.json["age_seconds"] == 2.0
        assert (notice.event, notice.id) == ("stale", "2")
        assert notice.json["contract_id"] == AAPL and "1100" in notice.json["reason"]
        while (await anext(events)).comment != "keep-alive":  # idle: a heartbeat comes
            pass
        feed.push(("quotes", AAPL), quote(clock, 2.0))
        fresh, second = await next_event(events), await next_event(events)
        assert (fresh.event, second.event, second.id) == ("fresh", "quote", "4")
        assert services.streams.streams_of("anonymous") == 1


async def test_a_slow_reader_gets_an_end_event_and_its_stream_is_released(
    http, services, feed, clock
):
    async with http.stream("GET", f"/ibkr/market_data/stream?contract_ids={AAPL}") as response:
        for i in range(5):  # the buffer holds 4: nobody read meanwhile
            feed.push(("quotes", AAPL), quote(clock, float(i)))
        got = [message async for message in sse(response) if message.comment is None]
    assert [m.event for m in got] == ["quote"] * 4 + ["end"]
    assert got[-1].json["code"] == "slow_consumer" and "slow consumer" in got[-1].json["reason"]
    assert services.streams.streams_of("anonymous") == 0


async def test_ib_ending_a_stream_sends_end_with_the_error_code(http, services, feed, clock):
    url = f"/ibkr/market_data/ticks/stream?contract_id={AAPL}&kind=bidask"
    async with http.stream("GET", url) as response:
        key = ("ticks", AAPL, "BidAsk")
        tick = TickPrint(contract_id=AAPL, kind="BidAsk", time=clock.now(), bid=1.0, ask=1.1)
        feed.push(key, tick)
        feed.fail(key, MarketDataUnavailable("No market data permissions (10089)"))
        got = [message async for message in sse(response) if message.comment is None]
    assert [m.event for m in got] == ["tick", "end"]
    assert got[0].json["bid"] == 1.0 and got[0].json["type"] == "tick"
    assert got[1].json["code"] == "market_data_unavailable"
    assert services.streams.streams_of("anonymous") == 0


async def test_account_depth_and_bar_streams_name_their_events(http, feed, clock):
    from domain.streams import DepthBook, DepthLevel, RealTimeBar

    book = DepthBook(contract_id=AAPL, bids=[DepthLevel(price=1.0, size=5)], asks=[],
                     timestamp=clock.now())  # fmt: skip
    bar = RealTimeBar(contract_id=AAPL, time=clock.now(), open=1, high=2, low=0.5, close=1.5,
                      volume=10)  # fmt: skip
    for url, key, item, name in (
        (f"/ibkr/market_data/depth/stream?contract_id={AAPL}&rows=5", ("depth", AAPL, 5), book,
         "depth"),
        (f"/ibkr/market_data/bars/stream?contract_id={AAPL}&what_to_show=midpoint",
         ("bars", AAPL, "MIDPOINT"), bar, "bar"),
    ):  # fmt: skip
        async with http.stream("GET", url) as response:
            events = sse(response)
            feed.push(key, item)
            message = await next_event(events)
            assert (message.event, message.id) == (name, "1")
            assert message.json["contract_id"] == AAPL


async def test_errors_before_the_stream_are_json_with_their_status(http, feed, clock):
    bad = await http.get(f"/ibkr/market_data/ticks/stream?contract_id={AAPL}&kind=Trades")
    assert bad.status_code == 400 and bad.json()["field"] == "kind"
    assert bad.headers["content-type"].startswith("application/json")
    unknown = await http.get("/ibkr/market_data/depth/stream?contract_id=999")
    assert (unknown.status_code, unknown.json()["code"]) == (404, "contract_not_found")
    missing = await http.get("/ibkr/market_data/stream")
    assert missing.status_code == 400 and missing.json()["field"] == "contract_ids"
    async with (
        http.stream("GET", f"/ibkr/market_data/stream?contract_ids={AAPL}") as one,
        http.stream("GET", f"/ibkr/market_data/stream?contract_ids={MSFT}") as two,
    ):
        assert one.status_code == two.status_code == 200
        third = await http.get("/ibkr/account/events/stream")  # 2 streams per caller
        assert (third.status_code, third.json()["code"]) == (429, "too_many_streams")
        assert third.headers["retry-after"] == "5"


async def test_no_market_data_lines_left_is_503(http, services, feed):
    feed.max_lines = 0
    full = await http.get(f"/ibkr/market_data/stream?contract_ids={AAPL}")
    assert (full.status_code, full.json()["code"]) == (503, "market_data_lines_exhausted")
    assert services.streams.streams_of("anonymous") == 0


async def test_a_client_that_leaves_releases_its_stream(http, services, feed):
    async with http.stream("GET", f"/ibkr/market_data/depth/stream?contract_id={AAPL}") as r:
        assert r.status_code == 200
        assert services.streams.streams_of("anonymous") == 1
        assert ("depth", AAPL, 10) in feed.open
    await until(lambda: services.streams.streams_of("anonymous") == 0)
    await until(lambda: ("depth", AAPL, 10) not in feed.open)


async def test_the_stream_owner_is_the_token_name(services):
    app = create_http_app(services, tokens=TokenBook({"alice": TOKEN}), stream_heartbeat=0.02)
    async with serving(app) as url, httpx.AsyncClient(base_url=url, timeout=TIMEOUT) as http:
        headers = {"Authorization": f"Bearer {TOKEN}"}
        async with http.stream("GET", "/ibkr/account/events/stream", headers=headers) as r:
            assert r.status_code == 200
            assert services.streams.streams_of("alice") == 1
        await until(lambda: services.streams.streams_of("alice") == 0)


async def test_without_a_live_feed_streams_answer_501(broker, gateway, clock):
    app = create_http_app(build_services(broker, gateway, clock))
    async with serving(app) as url, httpx.AsyncClient(base_url=url, timeout=TIMEOUT) as http:
        answer = await http.get("/ibkr/account/events/stream")
        assert (answer.status_code, answer.json()["code"]) == (501, "not_supported")
        depth = await http.get(f"/ibkr/market_data/depth?contract_id={AAPL}")
        assert depth.status_code == 501


async def test_open_and_ended_streams_are_counted(services, feed, clock):
    from entrypoints.metrics import ServiceMetrics

    metrics = ServiceMetrics()
    app = create_http_app(services, metrics=metrics, stream_heartbeat=0.02)
    gauge = metrics.open_streams.labels("stream_quotes")
    async with serving(app) as url, httpx.AsyncClient(base_url=url, timeout=TIMEOUT) as http:
        async with http.stream("GET", f"/ibkr/market_data/stream?contract_ids={AAPL}") as r:
            events = sse(r)
            assert (await anext(events)).comment == "keep-alive"  # the stream runs
            assert gauge._value.get() == 1
            for i in range(5):
                feed.push(("quotes", AAPL), quote(clock, float(i)))
            assert [m.event async for m in events if m.comment is None][-1] == "end"
        assert gauge._value.get() == 0
        text = metrics.render().decode()
        assert 'ibkr_mcp_streams_ended_total{operation="stream_quotes",reason="slow"} 1.0' in text


async def test_a_stream_whose_response_never_starts_still_lets_go(services):
    import gc

    from entrypoints.http.streams import ClosingEvents, EncodedItems, sse_events

    consumer = await services.streams.quotes([AAPL], "early-leaver")
    events = ClosingEvents(sse_events(consumer, EncodedItems(lambda x: x), 15.0), consumer)
    assert services.streams.streams_of("early-leaver") == 1
    del events  # dropped before its first event, as when the client leaves at once
    gc.collect()
    assert services.streams.streams_of("early-leaver") == 0 and consumer.ended is not None
