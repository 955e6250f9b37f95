"""Live data on MCP: cursor subscription tools, one-shot reads, and resource subscriptions
(``resources/subscribe`` -> ``notifications/resources/updated``) through a real MCP client."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from datetime import UTC, datetime

import pytest
from fastmcp import Client, FastMCP
from fastmcp.client.messages import MessageHandler
from fastmcp.exceptions import ToolError
from mcp.shared.exceptions import MCPError

from application.container import LiveSettings, Services, build_services
from domain.market_data import Quote
from domain.orders import OrderResult
from domain.safety import TradingPolicy
from domain.streams import OrderEvent, PositionEvent, TickPrint
from entrypoints.mcp.http import mcp_asgi_app
from entrypoints.mcp.server import build_mcp
from tests.fakes import FakeBroker, FakeClock, FakeFeed, FakeGateway
from tests.mcp.conftest import AAPL, CCJ_US, TIMEOUT

# The SDK marks resources/subscribe deprecated: it is gone from the 2026-07-28 protocol era,
# and it is what clients of the handshake era (most clients today) use.
pytestmark = pytest.mark.filterwarnings("ignore:resources/(un)?subscribe is removed")
NOW = datetime(2025, 10, 5, 14, 15, 30, tzinfo=UTC)


@pytest.fixture
def feed() -> FakeFeed:
    return FakeFeed()


@pytest.fixture
def services(broker: FakeBroker, gateway: FakeGateway, feed: FakeFeed) -> Services:
    live = LiveSettings(buffer=8, streams_per_caller=3, quote_timeout=0.5)
    policy = TradingPolicy(require_preview_mcp=False)
    return build_services(broker, gateway, FakeClock(), policy=policy, feed=feed, live=live)


@pytest.fixture
def mcp_limits() -> dict[str, float]:
    # Coalescing window: one notification, then nothing more for the length of a test.
    return {"notify_interval": 3600.0}


class Updates(MessageHandler):
    def __init__(self) -> None:
        self.uris: asyncio.Queue[str] = asyncio.Queue()

    async def on_resource_updated(self, message) -> None:  # type: ignore[no-untyped-def]
        self.uris.put_nowait(str(message.params.uri))

    async def next(self) -> str:
        return await asyncio.wait_for(self.uris.get(), TIMEOUT)


@pytest.fixture
def updates() -> Updates:
    return Updates()


@pytest.fixture
async def legacy(mcp: FastMCP, updates: Updates) -> AsyncIterator[Client]:
    """A client of the initialize-handshake era: the one that has resources/subscribe."""
    client = Client(mcp, mode="legacy", message_handler=updates, timeout=TIMEOUT)
    async with client:
        yield client


def quote(bid: float) -> Quote:
    return Quote(symbol="AAPL", bid=bid, ask=bid + 0.1, timestamp=NOW)


async def until(condition) -> None:  # type: ignore[no-untyped-def]
    async with asyncio.timeout(TIMEOUT):
        while not condition():  # noqa: ASYNC110 - polling state that has no event
            await asyncio.sleep(0.01)


async def test_a_quote_resource_notifies_once_per_window_and_is_released(
    legacy, updates, services, feed
):
    capabilities = legacy.initialize_result.capabilities
    assert capabilities.resources is not None and capabilities.resources.subscribe is True
    uri = f"ibkr://quotes/{AAPL}"
    await legacy.session.subscribe_resource(uri)
    assert services.streams.streams_of("stdio") == 1
    feed.push(("quotes", AAPL), quote(1.0))
    assert await updates.next() == uri
    [content] = await legacy.read_resource(uri)
    assert json.loads(content.text)["bid"] == 1.0
    for i in range(50):  # folded into the next notification, a window later
        feed.push(("quotes", AAPL), quote(2.0 + i))
    await legacy.session.unsubscribe_resource(uri)
    assert updates.uris.empty()
    assert services.streams.streams_of("stdio") == 0
    await until(lambda: services.streams.lines.stats().in_use == 0)


async def test_orders_and_positions_are_told_apart(legacy, updates, services, feed, broker):
    await legacy.session.subscribe_resource("ibkr://orders/open")
    await legacy.session.subscribe_resource("ibkr://account/positions")
    assert feed.opened == [("account",)]  # one upstream for both
    order = OrderResult(order_id=7, status="Submitted")
    feed.push(("account",), OrderEvent(order=order, timestamp=NOW))
    assert await updates.next() == "ibkr://orders/open"
    position = broker.position_list[0]
    feed.push(("account",), PositionEvent(position=position, account_id="DU1", timestamp=NOW))
    assert await updates.next() == "ibkr://account/positions"
    assert services.streams.streams_of("stdio") == 2


async def test_the_end_of_the_session_releases_its_subscriptions(mcp, services, feed):
    async with Client(mcp, mode="legacy", timeout=TIMEOUT) as client:
        await client.session.subscribe_resource(f"ibkr://quotes/{AAPL}")
        await client.session.subscribe_resource("ibkr://orders/open")
        assert services.streams.streams_of("stdio") == 2
    await until(lambda: services.streams.streams_of("stdio") == 0)
    assert ("account",) not in feed.open
    assert services.streams.lines.stats().in_use == 0  # the quote line only lingers, unused


async def test_unknown_resources_and_contracts_are_refused(legacy, services):
    with pytest.raises(MCPError, match="can be subscribed"):
        await legacy.session.subscribe_resource("ibkr://account/summary")
    with pytest.raises(MCPError, match="contract_not_found"):
        await legacy.session.subscribe_resource("ibkr://quotes/999")
    assert services.streams.streams_of("stdio") == 0


def test_stateless_http_does_not_advertise_resource_subscriptions(services):
    mcp = build_mcp(services)
    assert mcp._mcp_server.get_capabilities().resources.subscribe is True
    mcp_asgi_app(mcp, allowed_hosts=[], allowed_origins=[], stateful=False)
    assert mcp._mcp_server.get_capabilities().resources.subscribe is False


def test_without_a_live_feed_nothing_is_subscribable(broker, gateway):
    mcp = build_mcp(build_services(broker, gateway, FakeClock()))
    assert mcp._mcp_server.get_capabilities().resources.subscribe is False


async def test_cursor_subscription_tools(call, services, feed):
    info = await call("open_subscription", kind="quotes", contract_ids=[AAPL, CCJ_US])
    sub = info["subscription_id"]
    feed.push(("quotes", AAPL), quote(1.0))
    feed.stale(("quotes", CCJ_US), "farm down (2103)")
    read = await call("read_subscription", subscription_id=sub, cursor=0)
    assert [(e["seq"], e["type"]) for e in read["events"]] == [(1, "quote"), (2, "stale")]
    assert read["events"][0]["data"]["bid"] == 1.0 and read["cursor"] == 2
    listed = await call("list_subscriptions")
    assert listed["count"] == 1 and listed["subscriptions"][0]["kind"] == "quotes"
    closed = await call("close_subscription", subscription_id=sub)
    assert closed["subscription_id"] == sub
    with pytest.raises(ToolError, match="subscription_not_found"):
        await call("read_subscription", subscription_id=sub)
    assert services.streams.streams_of("stdio") == 0


async def test_cursor_tools_refuse_bad_kinds_and_too_many(call):
    with pytest.raises(ToolError, match="kind"):
        await call("open_subscription", kind="news")
    for _ in range(3):
        await call("open_subscription", kind="account")
    with pytest.raises(ToolError, match="too_many_streams"):
        await call("open_subscription", kind="account")


async def test_tick_by_tick_over_mcp(call, feed):
    answer = asyncio.create_task(
        call("get_tick_by_tick", contract_id=AAPL, kind="last", count=2, seconds=5.0)
    )
    await until(lambda: ("ticks", AAPL, "Last") in feed.open)
    for price in (1.0, 2.0, 3.0):
        feed.push(("ticks", AAPL, "Last"), TickPrint(contract_id=AAPL, kind="Last", time=NOW,
                                                     price=price))  # fmt: skip
    got = await answer
    assert got["count"] == 2 and [t["price"] for t in got["ticks"]] == [1.0, 2.0]
