"""get_executions and get_completed_orders through the MCP client."""

from __future__ import annotations

import pytest
from fastmcp.exceptions import ToolError

from tests.mcp.conftest import AAPL


async def test_executions_after_a_market_order(call):
    placed = await call("place_order", contract_id=AAPL, action="BUY", quantity=10)
    result = await call("get_executions", symbol="AAPL", since="2025-10-05T00:00:00Z")
    assert result["count"] == 1
    (execution,) = result["executions"]
    assert execution["order_id"] == placed["order_id"] and execution["commission"] == 1.0
    assert execution["price"] == 155.75 and execution["time"].startswith("2025-10-05T14:00")


async def test_executions_refuse_a_quantity_of_entries_too_large(client):
    with pytest.raises(ToolError) as caught:
        await client.call_tool("get_executions", {"limit": 5000})
    assert "limit" in str(caught.value)


async def test_completed_orders_answer_an_object(call, broker):
    result = await call("get_completed_orders", limit=10)
    assert result == {"completed_orders": [], "count": 0}
    assert broker.called("completed_orders") == [()]
