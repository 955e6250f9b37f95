"""place_bracket_order, preview_bracket_order and cancel_all_orders through the MCP client."""

from __future__ import annotations

import pytest
from fastmcp.exceptions import ToolError

from tests.mcp.conftest import AAPL

BRACKET = {"contract_id": AAPL, "action": "SELL", "quantity": 5, "order_type": "LMT",
           "limit_price": 160.0, "take_profit": {"percent": 2}, "stop_loss": {"price": 165.0}}  # fmt: skip


async def test_a_bracket_and_its_retry(call, broker):
    preview = await call("preview_bracket_order", **BRACKET)
    assert preview["legs"][1]["order"]["limit_price"] == 156.8  # 2 % below a SELL entry
    first = await call("place_bracket_order", **BRACKET, client_order_id="m-1")
    again = await call("place_bracket_order", **BRACKET, client_order_id="m-1")
    assert again["duplicate"] is True and again["parent"]["order_id"] == first["parent"]["order_id"]
    assert broker.group_calls == 1


async def test_cancel_all_through_mcp(call, broker):
    await call("place_order", contract_id=AAPL, action="BUY", quantity=5, order_type="LMT",
               limit_price=150.0)  # fmt: skip
    result = await call("cancel_all_orders", confirm=True)
    assert result["count"] == 1 and result["orders"][0]["final_status"] == "Cancelled"
    assert (await call("get_order_audit", limit=1))["entries"][0]["action"] == "cancel_all"


async def test_cancel_all_without_confirm_is_a_tool_error(client):
    with pytest.raises(ToolError) as refused:
        await client.call_tool("cancel_all_orders", {"confirm": False})
    assert "confirm" in str(refused.value)


async def test_an_oca_group_through_mcp(call, broker):
    one = {"contract_id": AAPL, "action": "BUY", "quantity": 1, "order_type": "LMT",
           "limit_price": 150.0}  # fmt: skip
    result = await call("place_oca_orders", orders=[one, {**one, "limit_price": 149.0}])
    assert result["oca_type"] == 1 and result["oca_group"].startswith("oca:")
    assert len(result["orders"]) == 2
    assert (await call("get_order_audit", limit=1))["entries"][0]["action"] == "place_oca"
