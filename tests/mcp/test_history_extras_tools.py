"""The research history tools: head timestamp, historical ticks, histogram."""

from __future__ import annotations

import pytest
from fastmcp.exceptions import ToolError

from domain.history_extras import HistoricalTick
from tests.mcp.conftest import AAPL


async def test_head_timestamp(call):
    head = await call("get_head_timestamp", contract_id=AAPL)
    assert head == {"symbol": "AAPL", "contract_id": AAPL, "what_to_show": "TRADES",
                    "use_rth": True, "earliest": "2004-01-23T14:30:00+00:00"}  # fmt: skip


async def test_ticks_page_forward_with_a_cursor(call, broker):
    broker.ticks[AAPL] = [HistoricalTick(time="2025-10-03T14:30:00+00:00", bid=1.0, ask=1.1,
                                         bid_size=100.0, ask_size=200.0)]  # fmt: skip
    page = await call("get_historical_ticks", contract_id=AAPL, what_to_show="bid_ask",
                      start="2025-10-03T14:30:00Z", count=10)  # fmt: skip
    assert page["ticks"] == [{"time": "2025-10-03T14:30:00+00:00", "bid": 1.0, "ask": 1.1,
                              "bid_size": 100.0, "ask_size": 200.0}]  # fmt: skip
    assert page["next_start"] == "2025-10-03T14:30:01+00:00"
    (_, query, _) = broker.called("historical_ticks")[0]
    assert (query.what_to_show, query.count) == ("BID_ASK", 10)


async def test_ticks_refuse_more_than_ibs_limit_and_both_ends(client, broker):
    with pytest.raises(ToolError):
        await client.call_tool("get_historical_ticks", {"contract_id": AAPL, "count": 1001})
    with pytest.raises(ToolError, match="invalid_request: Give start"):
        await client.call_tool(
            "get_historical_ticks",
            {"contract_id": AAPL, "start": "2025-10-03T14:30:00Z", "end": "2025-10-03T15:00:00Z"},
        )
    assert broker.called("historical_ticks") == []


async def test_histogram_lowest_price_first(call, broker):
    result = await call("get_histogram", contract_id=AAPL, period="3 Days")
    assert result["period"] == "3 days"
    assert [b["price"] for b in result["buckets"]] == [100.0, 101.0]
    assert broker.called("histogram")[0][1:] == ("3 days", True)
