"""MCP over streamable HTTP, mounted at /mcp inside Litestar as the service does it."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
import pytest
from fastmcp import Client, FastMCP
from litestar import Litestar, get
from litestar.handlers import asgi

from entrypoints.mcp.http import mcp_asgi_app
from tests.mcp.conftest import AAPL, TIMEOUT
from tests.servers import serving

ALLOWED_ORIGIN = "https://console.example"
INITIALIZE = {
    "jsonrpc": "2.0",
    "id": 1,
    "method": "initialize",
    "params": {
        "protocolVersion": "2025-06-18",
        "capabilities": {},
        "clientInfo": {"name": "test", "version": "0"},
    },
}
MCP_HEADERS = {"Accept": "application/json, text/event-stream", "Content-Type": "application/json"}


def litestar_with_mcp(mcp: FastMCP) -> Litestar:
    mcp_app = mcp_asgi_app(
        mcp, allowed_hosts=["127.0.0.1:*", "localhost:*"], allowed_origins=[ALLOWED_ORIGIN]
    )

    @asynccontextmanager
    async def mcp_lifespan(_app: Litestar) -> AsyncIterator[None]:
        async with mcp_app.lifespan(mcp_app):
            yield

    @get("/ping", sync_to_thread=False)
    def ping() -> str:
        return "pong"

    mount = asgi("/mcp", is_mount=True, copy_scope=True)(mcp_app)
    return Litestar([ping, mount], lifespan=[mcp_lifespan])


@pytest.fixture
async def base_url(mcp: FastMCP) -> AsyncIterator[str]:
    async with serving(litestar_with_mcp(mcp), limit=TIMEOUT) as url:
        yield url


async def test_a_client_uses_the_tools_through_the_mount(base_url):
    async with Client(f"{base_url}/mcp/", timeout=TIMEOUT, init_timeout=TIMEOUT) as client:
        names = {tool.name for tool in await client.list_tools()}
        quote = await client.call_tool("get_market_data_snapshot", {"contract_id": AAPL})
    assert "place_order" in names
    assert quote.structured_content["last_price"] == 155.75
    async with httpx.AsyncClient(timeout=TIMEOUT) as http:
        assert (await http.get(f"{base_url}/ping")).text == "pong"


async def test_a_foreign_origin_is_refused(base_url, broker):
    async with httpx.AsyncClient(timeout=TIMEOUT) as http:
        response = await http.post(
            f"{base_url}/mcp/",
            json=INITIALIZE,
            headers={**MCP_HEADERS, "Origin": "http://evil.example"},
        )
    assert response.status_code == 403


async def test_a_foreign_host_is_refused(base_url):
    async with httpx.AsyncClient(timeout=TIMEOUT) as http:
        response = await http.post(
            f"{base_url}/mcp/", json=INITIALIZE, headers={**MCP_HEADERS, "Host": "evil.example"}
        )
    assert response.status_code == 421  # Misdirected Request


async def test_an_allowed_origin_may_initialise(base_url):
    async with httpx.AsyncClient(timeout=TIMEOUT) as http:
        response = await http.post(
            f"{base_url}/mcp/", json=INITIALIZE, headers={**MCP_HEADERS, "Origin": ALLOWED_ORIGIN}
        )
    assert response.status_code == 200
    assert "serverInfo" in response.text
