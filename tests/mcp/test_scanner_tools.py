from __future__ import annotations

import pytest
from fastmcp.exceptions import ToolError

from domain.errors import RateLimited
from tests.mcp.conftest import AAPL


async def test_scan_passes_every_criterion_to_the_broker(call, broker):
    result = await call(
        "get_scanner_results",
        scan_code="TOP_PERC_GAIN",
        filter_codes=["priceAbove5", "volume_avg_1000"],
        above_price=5,
        market_cap_above=1e9,
        rows=1,
    )
    assert [r["contract_id"] for r in result["scan_results"]] == [AAPL]
    assert result["scan_code"] == "TOP_PERC_GAIN"
    assert result["scan_time"] == "2025-10-05T10:20:15Z"
    query = broker.called("scan")[0][0]
    assert query.filters == {"priceAbove": "5", "volume_avg": "1000"}
    assert (query.above_price, query.market_cap_above, query.rows) == (5, 1e9, 1)


async def test_scanner_parameters(call):
    params = await call("get_scanner_parameters")
    assert params["scan_codes"] == ["MOST_ACTIVE"]
    assert params["location_codes"] == ["STK.US.MAJOR"]


async def test_contradictory_price_bounds_are_refused(client, broker):
    with pytest.raises(ToolError, match="invalid_request: above_price must be below below_price"):
        await client.call_tool("get_scanner_results", {"above_price": 10, "below_price": 5})
    assert broker.called("scan") == []


async def test_malformed_filter_code_names_the_field(client):
    with pytest.raises(ToolError, match=r"invalid_request: filter code '%%' .*filter_codes"):
        await client.call_tool("get_scanner_results", {"filter_codes": ["%%"]})


async def test_pacing_says_how_long_to_wait(client, broker):
    broker.fail("scan", RateLimited("Too many scanner subscriptions", retry_after=30))
    with pytest.raises(ToolError, match=r"rate_limited: .*wait 30 s"):
        await client.call_tool("get_scanner_results", {})
