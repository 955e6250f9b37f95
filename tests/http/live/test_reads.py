"""One-shot live reads (depth, tick-by-tick) and cursor subscriptions on REST, over FakeFeed."""

from __future__ import annotations

import asyncio

from domain.streams import DepthBook, DepthLevel, TickPrint
from tests.http.live.support import AAPL, MSFT, quote, until


async def test_depth_is_read_once_from_a_live_book(http, feed, clock):
    answer = asyncio.create_task(http.get(f"/ibkr/market_data/depth?contract_id={AAPL}&rows=5"))
    await until(lambda: ("depth", AAPL, 5) in feed.open)
    book = DepthBook(contract_id=AAPL, bids=[DepthLevel(price=1.0, size=5)],
                     asks=[DepthLevel(price=1.1, size=7)], timestamp=clock.now())  # fmt: skip
    feed.push(("depth", AAPL, 5), book)
    response = await answer
    assert response.status_code == 200
    body = response.json()
    assert body["bids"] == [{"price": 1.0, "size": 5.0, "market_maker": None}]
    assert body["asks"][0]["size"] == 7.0
    await until(lambda: ("depth", AAPL, 5) not in feed.open)


async def test_tick_by_tick_returns_at_most_count_prints(http, feed, clock):
    url = f"/ibkr/market_data/ticks?contract_id={AAPL}&kind=Last&count=2&seconds=5"
    answer = asyncio.create_task(http.get(url))
    await until(lambda: ("ticks", AAPL, "Last") in feed.open)
    for price in (1.0, 2.0, 3.0):
        tick = TickPrint(contract_id=AAPL, kind="Last", time=clock.now(), price=price, size=1)
        feed.push(("ticks", AAPL, "Last"), tick)
    response = await answer
    assert response.status_code == 200
    assert [t["price"] for t in response.json()] == [1.0, 2.0]
    bad = await http.get(f"/ibkr/market_data/ticks?contract_id={AAPL}&count=5000")
    assert bad.status_code == 400 and bad.json()["field"] == "count"


async def test_a_cursor_subscription_on_rest(http, services, feed, clock):
    opened = await http.post("/ibkr/subscriptions", json={"kind": "quotes", "contract_ids": [AAPL]})
    assert opened.status_code == 200, opened.text
    info = opened.json()
    sub = info["subscription_id"]
    assert info["kind"] == "quotes" and info["contract_ids"] == [AAPL]
    feed.push(("quotes", AAPL), quote(clock, 1.0))
    feed.push(("quotes", AAPL), quote(clock, 2.0))
    read = (await http.get(f"/ibkr/subscriptions/{sub}?cursor=0&limit=1")).json()
    assert [(e["seq"], e["type"], e["data"]["bid"]) for e in read["events"]] == [(1, "quote", 1.0)]
    read = (await http.get(f"/ibkr/subscriptions/{sub}?cursor={read['cursor']}")).json()
    assert [e["data"]["bid"] for e in read["events"]] == [2.0] and read["cursor"] == 2
    listed = (await http.get("/ibkr/subscriptions")).json()
    assert [s["subscription_id"] for s in listed] == [sub]
    closed = await http.delete(f"/ibkr/subscriptions/{sub}")
    assert closed.status_code == 200 and closed.json()["subscription_id"] == sub
    gone = await http.get(f"/ibkr/subscriptions/{sub}")
    assert (gone.status_code, gone.json()["code"]) == (404, "subscription_not_found")
    assert services.streams.streams_of("anonymous") == 0


async def test_subscription_input_is_checked_like_any_body(http):
    wrong = await http.post("/ibkr/subscriptions", json={"kind": "news"})
    assert wrong.status_code == 400 and wrong.json()["field"] == "kind"
    two = await http.post(
        "/ibkr/subscriptions", json={"kind": "depth", "contract_ids": [AAPL, MSFT]}
    )
    assert two.status_code == 400 and two.json()["field"] == "contract_ids"
    account = await http.post("/ibkr/subscriptions", json={"kind": "account"})
    assert account.status_code == 200
