"""MCP sessions over HTTP are bounded: an idle one expires, and only so many are open at once.

Clients of the initialize-handshake era (most MCP clients today; fastmcp's ``mode="legacy"``)
get a session each; one that vanishes without closing it used to be kept for 30 minutes,
with no cap on how many. The whole service is served (``build_app`` on the fakes).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import httpx
import pytest
from fastmcp import Client
from mcp.shared.exceptions import MCPError

from tests.mcp.conftest import AAPL, TIMEOUT, seeded_broker
from tests.mcp.test_http import INITIALIZE, MCP_HEADERS
from tests.safety.apps import full_app
from tests.servers import serving

IDLE = 1.0
CAP = 3


@pytest.fixture
async def url(tmp_path) -> AsyncIterator[str]:
    app = full_app(
        seeded_broker(),
        tmp_path / "audit.jsonl",
        mcp_session_idle_timeout=IDLE,
        mcp_max_sessions=CAP,
        mcp_stateful=True,
    )
    async with serving(app, limit=TIMEOUT) as base:
        yield f"{base}/mcp/"


async def _open_and_abandon(http: httpx.AsyncClient, url: str) -> httpx.Response:
    """What a client that crashes right after connecting leaves: an initialized session."""
    return await http.post(url, json=INITIALIZE, headers=MCP_HEADERS)


async def _list_tools(http: httpx.AsyncClient, url: str, session_id: str) -> int:
    request = {"jsonrpc": "2.0", "id": 2, "method": "tools/list"}
    headers = {**MCP_HEADERS, "mcp-session-id": session_id, "mcp-protocol-version": "2025-06-18"}
    return (await http.post(url, json=request, headers=headers)).status_code


async def test_idle_sessions_expire_and_the_cap_holds(url: str) -> None:
    async with (
        httpx.AsyncClient(timeout=TIMEOUT) as http,
        Client(url, mode="legacy", timeout=TIMEOUT, init_timeout=TIMEOUT) as working,
    ):
        abandoned = []
        for _ in range(CAP - 1):
            opened = await _open_and_abandon(http, url)
            assert opened.status_code == 200, opened.text
            abandoned.append(opened.headers["mcp-session-id"])

        # The cap: every session is taken, a new one is refused (503), the others still work.
        refused = await _open_and_abandon(http, url)
        assert refused.status_code == 503 and "Too many open sessions" in refused.text
        assert "mcp-session-id" not in refused.headers
        with pytest.raises(MCPError, match="Too many open sessions"):
            async with Client(url, mode="legacy", timeout=TIMEOUT, init_timeout=TIMEOUT):
                pass
        assert await _list_tools(http, url, abandoned[0]) == 200

        # Expiry: the session in use outlives the idle timeout; the abandoned ones do not.
        loop = asyncio.get_running_loop()
        until = loop.time() + 2 * IDLE
        while loop.time() < until:
            quote = await working.call_tool("get_market_data_snapshot", {"contract_id": AAPL})
            assert quote.structured_content["last_price"] == 155.75
            await asyncio.sleep(IDLE / 4)
        assert [await _list_tools(http, url, sid) for sid in abandoned] == [404] * len(abandoned)

        # Their room is free again.
        async with Client(url, mode="legacy", timeout=TIMEOUT, init_timeout=TIMEOUT) as late:
            assert {t.name for t in await late.list_tools()} >= {"get_market_data_snapshot"}


async def test_sessionless_clients_are_not_counted(url: str) -> None:
    """Clients of the 2026 protocol era open no session: a full session table leaves them be."""
    async with httpx.AsyncClient(timeout=TIMEOUT) as http:
        for _ in range(CAP):
            assert (await _open_and_abandon(http, url)).status_code == 200
        assert (await _open_and_abandon(http, url)).status_code == 503
    async with Client(url, timeout=TIMEOUT, init_timeout=TIMEOUT) as modern:
        quote = await modern.call_tool("get_market_data_snapshot", {"contract_id": AAPL})
    assert quote.structured_content["bid"] == 155.7
