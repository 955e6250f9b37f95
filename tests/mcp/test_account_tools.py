from __future__ import annotations

import pytest
from fastmcp.exceptions import ToolError

from domain.errors import NotConnected


async def test_account_summary_is_the_brokers_summary(call, broker):
    summary = await call("get_account_summary", account_id="DU1234567")
    assert summary["account_id"] == "DU1234567"
    assert summary["net_liquidation_value"] == 125000.5
    assert broker.called("account_summary") == [("DU1234567",)]


async def test_account_values_filter_by_key(call):
    values = await call("get_account_values", key="cash")
    assert values["count"] == 1
    assert values["account_values"][0]["key"] == "CashBalance"


async def test_positions_are_wrapped_in_an_object(call, client):
    result = await call("get_positions")
    assert result["count"] == 1
    assert result["positions"][0]["symbol"] == "AAPL"
    assert result["positions"][0]["market_value"] == 15575.0
    typed = await client.call_tool("get_positions", {})
    assert typed.data.positions[0].contract_id == 265598


async def test_not_connected_says_when_to_retry_and_how_to_recover(client, broker):
    broker.fail("account_summary", NotConnected("Not connected to the IB Gateway", retry_after=7))
    with pytest.raises(ToolError) as caught:
        await client.call_tool("get_account_summary", {})
    text = str(caught.value)
    assert text.startswith("not_connected:")
    assert "Retry in 7 s" in text and "reconnect" in text
