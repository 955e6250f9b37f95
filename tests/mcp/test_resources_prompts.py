from __future__ import annotations

import json

import pytest
from fastmcp.exceptions import MCPError

from domain.errors import NotConnected
from tests.mcp.conftest import AAPL

URIS = {"ibkr://account/summary", "ibkr://account/positions", "ibkr://orders/open"}


async def test_resources_are_listed_as_json(client):
    resources = {str(r.uri): r for r in await client.list_resources()}
    assert set(resources) == URIS
    assert all(r.mime_type == "application/json" and r.description for r in resources.values())


async def test_resources_read_the_account(client, call):
    await call(
        "place_order", contract_id=AAPL, action="BUY", quantity=1, order_type="LMT", limit_price=1.0
    )
    summary = json.loads((await client.read_resource("ibkr://account/summary"))[0].text)
    positions = json.loads((await client.read_resource("ibkr://account/positions"))[0].text)
    orders = json.loads((await client.read_resource("ibkr://orders/open"))[0].text)
    assert summary["account_id"] == "DU1234567"
    assert [p["contract_id"] for p in positions] == [AAPL]
    assert [o["limit_price"] for o in orders] == [1.0]


async def test_a_resource_read_while_disconnected_explains(client, broker):
    broker.fail("positions", NotConnected(retry_after=3))
    with pytest.raises(MCPError) as caught:
        await client.read_resource("ibkr://account/positions")
    assert str(caught.value).startswith(
        "not_connected: Not connected to the IB Gateway. Retry in 3 s"
    )


async def test_prompts_are_listed_with_their_arguments(client):
    prompts = {p.name: p for p in await client.list_prompts()}
    assert set(prompts) == {
        "portfolio_review",
        "explore_option_chain",
        "pre_trade_checklist",
        "research_company",
    }
    assert [a.name for a in prompts["explore_option_chain"].arguments] == ["symbol"]
    assert prompts["explore_option_chain"].arguments[0].required is True
    assert all(p.description for p in prompts.values())


async def test_option_chain_prompt_names_the_symbol_and_the_tools(client):
    result = await client.get_prompt("explore_option_chain", {"symbol": "CCJ"})
    text = result.messages[0].content.text
    assert 'underlying_symbol="CCJ"' in text and "get_option_chain_quotes" in text
    assert "iv, delta" in text and "get_tickers" not in text


async def test_pre_trade_checklist_ends_with_a_confirmation(client):
    result = await client.get_prompt("pre_trade_checklist", {"symbol": "AAPL", "action": "SELL"})
    text = result.messages[0].content.text
    assert text.startswith("Prepare to SELL 1 AAPL") and "confirm" in text


async def test_portfolio_review_passes_the_account_on(client):
    result = await client.get_prompt("portfolio_review", {"account_id": "DU9"})
    assert 'get_positions with account_id="DU9"' in result.messages[0].content.text
