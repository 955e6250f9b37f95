"""get_portfolio, get_pnl and get_position_pnl through the MCP client."""

from __future__ import annotations

import pytest
from fastmcp.exceptions import ToolError

from tests.mcp.conftest import AAPL, CCJ_US


async def test_portfolio_and_pnl(call):
    portfolio = await call("get_portfolio")
    assert portfolio["count"] == 1 and portfolio["portfolio"][0]["contract_id"] == AAPL
    pnl = await call("get_pnl", account_id="DU1234567")
    assert pnl["account_id"] == "DU1234567" and pnl["daily_pnl"] == 0.0
    held = await call("get_position_pnl", contract_id=AAPL)
    assert (held["position"], held["unrealized_pnl"]) == (100, 550.0)
    flat = await call("get_position_pnl", contract_id=CCJ_US)
    assert flat["position"] == 0 and flat["realized_pnl"] is None


async def test_an_unknown_contract_is_a_tool_error(client):
    with pytest.raises(ToolError) as caught:
        await client.call_tool("get_position_pnl", {"contract_id": 42})
    assert str(caught.value).startswith("contract_not_found")
