from __future__ import annotations

from datetime import UTC, datetime

import pytest
from fastmcp.exceptions import ToolError

from domain.connection import IbNotice
from domain.errors import MarketDataUnavailable
from tests.mcp.conftest import AAPL, CCJ_US


async def test_snapshot_by_contract_id(call):
    quote = await call("get_market_data_snapshot", contract_id=AAPL)
    assert (quote["symbol"], quote["bid"], quote["ask"]) == ("AAPL", 155.7, 155.8)
    assert quote["contract_id"] == AAPL
    assert quote["timestamp"].startswith("2025-10-05T14:15:30")


async def test_snapshot_by_symbol_defaults_to_a_smart_routed_stock(call, broker):
    quote = await call("get_market_data_snapshot", symbol="CCJ", currency="USD")
    assert quote["contract_id"] == CCJ_US
    query = broker.called("contract_details")[0][0]
    assert (query.sec_type, query.exchange, query.currency) == ("STK", "SMART", "USD")


async def test_snapshot_without_a_contract_says_how_to_name_one(client):
    with pytest.raises(ToolError, match="invalid_request: Name the contract"):
        await client.call_tool("get_market_data_snapshot", {})


async def test_missing_subscription_is_explained(client, broker):
    broker.fail("snapshot", MarketDataUnavailable("No market data permissions for AAPL"))
    with pytest.raises(ToolError, match=r"market_data_unavailable: .*subscription"):
        await client.call_tool("get_market_data_snapshot", {"contract_id": AAPL})


async def test_tickers_report_a_bad_id_without_failing_the_rest(call):
    result = await call("get_tickers", contract_ids=[AAPL, 4242])
    assert [t["symbol"] for t in result["tickers"]] == ["AAPL"]
    assert "4242" in result["errors"]


async def test_historical_bars_come_back_oldest_first(call, broker):
    data = await call(
        "get_historical_data",
        contract_id=AAPL,
        duration="1 W",
        bar_size="1 day",
        what_to_show="MIDPOINT",
        use_rth=False,
    )
    assert data["symbol"] == "AAPL" and len(data["bars"]) == 8
    assert data["bars"][0]["time"] == "2025-10-01"
    assert "truncated" not in data
    query = broker.called("historical_bars")[0][1]
    assert (query.duration, query.bar_size, query.what_to_show, query.use_rth) == (
        "1 W",
        "1 day",
        "MIDPOINT",
        False,
    )


@pytest.mark.parametrize("mcp_limits", [{"max_bars": 3}])
async def test_historical_bars_are_capped_to_the_latest(call):
    data = await call("get_historical_data", contract_id=AAPL)
    assert [bar["time"] for bar in data["bars"]] == ["2025-10-06", "2025-10-07", "2025-10-08"]
    assert data["truncated"] is True
    assert "8 bars matched; the latest 3" in data["message"]


async def test_bad_duration_explains_the_grammar(client, broker):
    with pytest.raises(ToolError) as caught:
        await client.call_tool("get_historical_data", {"contract_id": AAPL, "duration": "1 day"})
    text = str(caught.value)
    assert text.startswith("invalid_request: duration: must be '<integer> <unit>'")
    assert "'1 day'" in text and "errors.pydantic.dev" not in text
    assert broker.called("historical_bars") == []


async def test_unknown_bar_size_lists_the_valid_ones(client):
    with pytest.raises(ToolError, match=r"bar_size: .*'1 min'.*'1 month'"):
        await client.call_tool("get_historical_data", {"contract_id": AAPL, "bar_size": "7 mins"})


async def test_an_outage_ib_reports_is_explained_and_no_quote_is_given(client, broker):
    broker.connectivity_lost = IbNotice(
        code=1100,
        message="Connectivity between IB and Trader Workstation has been lost.",
        since=datetime(2026, 11, 26, 14, 2, 7, tzinfo=UTC),
    )
    with pytest.raises(ToolError) as caught:
        await client.call_tool("get_market_data_snapshot", {"contract_id": AAPL})
    text = str(caught.value)
    assert text.startswith("market_data_unavailable: No market data: the IB Gateway has lost")
    assert "IB 1100 since 2026-11-26T14:02:07+00:00" in text
    assert "Do not use old prices; retry in 5 s" in text
