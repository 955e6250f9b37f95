"""get_trading_schedule through a real fastmcp client (in the opt-in reference toolset: its
profiles are checked in test_toolsets.py)."""

from __future__ import annotations

import pytest
from fastmcp.exceptions import ToolError

from tests.mcp.conftest import AAPL


async def test_the_regular_sessions_up_to_an_end(call, broker):
    result = await call("get_trading_schedule", contract_id=AAPL, days=3,
                        end="2025-10-03T12:00:00-04:00")  # fmt: skip
    assert result["time_zone"] == "US/Eastern" and result["count"] == 3
    assert [s["ref_date"] for s in result["sessions"]] == ["2025-10-01", "2025-10-02",
                                                            "2025-10-03"]  # fmt: skip
    assert result["start"] == "2025-10-01T09:30:00-04:00"
    assert result["end"] == "2025-10-03T16:00:00-04:00"
    assert broker.called("historical_schedule")[0][1] == 3


async def test_out_of_range_days_and_a_bad_end_are_tool_errors(client, broker):
    with pytest.raises(ToolError):
        await client.call_tool("get_trading_schedule", {"contract_id": AAPL, "days": 0})
    with pytest.raises(ToolError, match="ISO 8601"):
        await client.call_tool("get_trading_schedule", {"contract_id": AAPL, "end": "later"})
    assert broker.called("historical_schedule") == []
