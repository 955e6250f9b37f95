"""MCP over streamable HTTP behind the same bearer tokens, with a real fastmcp client."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
from fastmcp import Client

from tests.safety.apps import AGENT_TOKEN, ORDER, TOKENS, full_app
from tests.safety.conftest import audit_lines
from tests.servers import serving

LIMIT = 10.0


@pytest.fixture
async def base_url(broker, audit_path, clock) -> AsyncIterator[str]:
    async with serving(full_app(broker, audit_path, clock, token=TOKENS), limit=LIMIT) as url:
        yield url


async def test_without_a_token_the_client_cannot_connect(base_url, broker):
    async with httpx.AsyncClient(timeout=LIMIT) as http:
        response = await http.post(f"{base_url}/mcp/", json={})
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == 'Bearer realm="ibkr-mcp"'
    with pytest.raises(Exception):  # noqa: B017 - the client wraps the 401 its own way
        async with Client(f"{base_url}/mcp/", timeout=LIMIT, init_timeout=LIMIT) as client:
            await client.list_tools()
    assert broker.calls == []


async def test_a_wrong_token_is_refused_with_invalid_token(base_url):
    async with httpx.AsyncClient(timeout=LIMIT) as http:
        response = await http.post(
            f"{base_url}/mcp/", json={}, headers={"Authorization": "Bearer wrong-wrong-wrong-1"}
        )
    assert response.status_code == 401
    assert 'error="invalid_token"' in response.headers["www-authenticate"]
    with pytest.raises(Exception):  # noqa: B017
        async with Client(
            f"{base_url}/mcp/", auth="wrong-wrong-wrong-1", timeout=LIMIT, init_timeout=LIMIT
        ) as client:
            await client.list_tools()


async def test_with_the_token_an_agent_previews_and_places_as_its_token_name(
    base_url, broker, audit_path
):
    async with Client(
        f"{base_url}/mcp/", auth=AGENT_TOKEN, timeout=LIMIT, init_timeout=LIMIT
    ) as client:
        names = {tool.name for tool in await client.list_tools()}
        assert {"preview_order", "place_order", "get_order_audit"} <= names
        preview = (await client.call_tool("preview_order", ORDER)).structured_content
        placed = await client.call_tool(
            "place_order", {**ORDER, "confirmation_token": preview["confirmation_token"]}
        )
        trail = (await client.call_tool("get_order_audit", {"limit": 10})).structured_content
    assert placed.structured_content["status"] == "Filled"
    entries = audit_lines(audit_path)
    assert [(e.caller, e.transport, e.action) for e in entries] == [
        ("claude", "mcp", "preview"),
        ("claude", "mcp", "place"),
    ]
    assert entries[1].order_id == placed.structured_content["order_id"]
    assert trail["count"] == 2 and trail["entries"][0]["action"] == "place"
    assert AGENT_TOKEN not in audit_path.read_text()
    assert preview["confirmation_token"] not in audit_path.read_text()
