"""Resource subscriptions over streamable HTTP with sessions (``--mcp-stateful``): the
notification reaches the client on its session's stream, and the subscription belongs to
the token that opened it."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import pytest
from fastmcp import Client
from litestar import Litestar, asgi

from application.services.auth import TokenBook
from entrypoints.http.app import create_http_app
from entrypoints.mcp.http import mcp_asgi_app
from entrypoints.mcp.server import build_mcp
from tests.mcp.conftest import AAPL, TIMEOUT
from tests.mcp.test_live import Updates, feed, quote, services, until
from tests.servers import serving

__all__ = ["feed", "services"]  # the live fixtures of test_live
pytestmark = pytest.mark.filterwarnings("ignore:resources/(un)?subscribe is removed")
TOKEN = "s3cret-token-for-alice-0123456789abcdef"


@pytest.fixture
async def url(services) -> AsyncIterator[str]:
    mcp_app = mcp_asgi_app(
        build_mcp(services, notify_interval=3600.0),
        allowed_hosts=["127.0.0.1:*"],
        allowed_origins=[],
        stateful=True,
    )

    @asynccontextmanager
    async def mcp_lifespan(_app: Litestar) -> AsyncIterator[None]:
        async with mcp_app.lifespan(mcp_app):
            yield

    app = create_http_app(
        services,
        lifespan=[mcp_lifespan],
        mounts=[asgi("/mcp", is_mount=True, copy_scope=True)(mcp_app)],
        tokens=TokenBook({"alice": TOKEN}),
    )
    async with serving(app, limit=TIMEOUT) as base:
        yield f"{base}/mcp/"


async def test_a_stateful_session_is_notified_and_owns_its_subscription(url, services, feed):
    updates = Updates()
    client = Client(url, mode="legacy", auth=TOKEN, message_handler=updates, timeout=TIMEOUT)
    async with client:
        uri = f"ibkr://quotes/{AAPL}"
        await client.session.subscribe_resource(uri)
        assert services.streams.streams_of("alice") == 1
        feed.push(("quotes", AAPL), quote(1.0))
        assert await updates.next() == uri
        await client.session.unsubscribe_resource(uri)
        assert services.streams.streams_of("alice") == 0
        await client.session.subscribe_resource("ibkr://orders/open")
        assert services.streams.streams_of("alice") == 1
    await until(lambda: services.streams.streams_of("alice") == 0)  # the session ended
