"""modify_order through the MCP client."""

from __future__ import annotations

import pytest
from fastmcp.exceptions import ToolError

from tests.mcp.conftest import AAPL


async def test_modify_a_resting_limit(call, broker):
    placed = await call(
        "place_order", contract_id=AAPL, action="BUY", quantity=5, order_type="LMT",
        limit_price=150.0,
    )  # fmt: skip
    changed = await call("modify_order", order_id=placed["order_id"], limit_price=151.25)
    assert changed["order_id"] == placed["order_id"] and changed["status"] == "Submitted"
    listed = await call("get_open_orders")
    assert listed["open_orders"][0]["limit_price"] == 151.25
    assert (await call("get_order_audit", limit=1))["entries"][0]["action"] == "modify"


async def test_nothing_to_change_and_unknown_order_are_tool_errors(client):
    with pytest.raises(ToolError) as empty:
        await client.call_tool("modify_order", {"order_id": 7})
    assert "Nothing to change" in str(empty.value) and "good_till_date" in str(empty.value)
    with pytest.raises(ToolError) as unknown:
        await client.call_tool("modify_order", {"order_id": 7, "quantity": 3})
    assert str(unknown.value).startswith("order_not_found")
