"""MCP over HTTP is stateless by default: every POST is answered on its own, in JSON.

Real MCP clients of both protocol eras work through it (tool list, a call, a tool error), the
handshake era's ``initialize`` opens no session, and so nothing outlives a request. With
``--mcp-stateful`` a session the client ends (DELETE) is gone at once. The whole service is
served (``build_app`` on the fakes).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Literal

import httpx
import pytest
from fastmcp import Client
from fastmcp.exceptions import ToolError

from tests.mcp.conftest import AAPL, TIMEOUT, seeded_broker
from tests.mcp.test_http import INITIALIZE, MCP_HEADERS
from tests.safety.apps import full_app
from tests.servers import serving


@pytest.fixture
async def base(tmp_path) -> AsyncIterator[str]:
    async with serving(full_app(seeded_broker(), tmp_path / "audit.jsonl"), limit=TIMEOUT) as url:
        yield url


@pytest.mark.parametrize("mode", ["auto", "legacy"])
async def test_a_real_client_lists_calls_and_gets_errors(
    base: str, mode: Literal["auto", "legacy"]
) -> None:
    async with Client(f"{base}/mcp/", mode=mode, timeout=TIMEOUT, init_timeout=TIMEOUT) as client:
        names = {tool.name for tool in await client.list_tools()}
        quote = await client.call_tool("get_market_data_snapshot", {"contract_id": AAPL})
        with pytest.raises(ToolError, match="quantity"):
            await client.call_tool(
                "preview_order",
                {"contract_id": AAPL, "action": "BUY", "quantity": "1", "order_type": "MKT"},
            )
    assert {"get_market_data_snapshot", "place_order", "get_account_summary"} <= names
    assert "get_executions" not in names  # the default tool profile leaves it out
    assert quote.structured_content["last_price"] == 155.75


async def test_the_handshake_opens_no_session_and_answers_in_json(base: str) -> None:
    async with httpx.AsyncClient(base_url=base, timeout=TIMEOUT) as http:
        opened = await http.post("/mcp/", json=INITIALIZE, headers=MCP_HEADERS)
        assert opened.status_code == 200, opened.text
        assert "mcp-session-id" not in opened.headers
        assert opened.headers["content-type"].startswith("application/json")
        assert opened.json()["result"]["serverInfo"]["name"] == "ibkr-mcp"
        # A later request needs nothing from it: no session id, still answered.
        call = {
            "jsonrpc": "2.0",
            "id": 2,
            "method": "tools/call",
            "params": {"name": "get_market_data_snapshot", "arguments": {"contract_id": AAPL}},
        }
        headers = {**MCP_HEADERS, "mcp-protocol-version": "2025-06-18"}
        answer = await http.post("/mcp/", json=call, headers=headers)
    assert answer.status_code == 200, answer.text
    assert answer.json()["result"]["structuredContent"]["bid"] == 155.7


async def test_a_stateful_session_the_client_ends_is_gone(tmp_path) -> None:
    app = full_app(seeded_broker(), tmp_path / "audit.jsonl", mcp_stateful=True, mcp_max_sessions=1)
    async with (
        serving(app, limit=TIMEOUT) as base,
        httpx.AsyncClient(base_url=base, timeout=TIMEOUT) as http,
    ):
        opened = await http.post("/mcp/", json=INITIALIZE, headers=MCP_HEADERS)
        session = {**MCP_HEADERS, "mcp-session-id": opened.headers["mcp-session-id"]}
        # The only room is taken until the client ends its session.
        assert (await http.post("/mcp/", json=INITIALIZE, headers=MCP_HEADERS)).status_code == 503
        assert (await http.delete("/mcp/", headers=session)).status_code == 200
        listing = {"jsonrpc": "2.0", "id": 2, "method": "tools/list"}
        assert (await http.post("/mcp/", json=listing, headers=session)).status_code == 404
        again = await http.post("/mcp/", json=INITIALIZE, headers=MCP_HEADERS)
    assert again.status_code == 200 and again.headers["mcp-session-id"]
