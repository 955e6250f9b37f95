"""Missing market data subscriptions through the whole service on the embedded simulator:
REST answers 403 (409 for a competing live session) naming the data and the remedy, MCP a tool
error saying the same; delayed data (10167) is an answer labelled delayed, not an error."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from fastmcp import Client
from fastmcp.exceptions import ToolError

from entrypoints.bootstrap import build_app
from entrypoints.settings import settings_from_env
from tests.servers import serving

LIMIT = 20.0
AAPL = 265598


@pytest.fixture
async def service(tmp_path) -> AsyncIterator[tuple[str, Any]]:
    settings = settings_from_env(
        {},
        request_timeout=5.0,
        connect_timeout=5.0,
        audit_file=tmp_path / "audit.jsonl",
        tool_profile="full",
        monitor_enabled=False,
    )
    app = build_app(settings)
    async with serving(app, limit=LIMIT) as url:
        async with httpx.AsyncClient(base_url=url, timeout=LIMIT) as http:
            async with asyncio.timeout(LIMIT):
                while True:
                    if (await http.get("/health")).status_code == 200:
                        break
                    await asyncio.sleep(0.05)
        yield url, app.state["assembly"].runtime.simulator.faults


async def test_rest_answers_403_naming_the_data_and_the_remedy(service) -> None:
    url, faults = service
    async with httpx.AsyncClient(base_url=url, timeout=LIMIT) as http:
        faults.require_subscription("quotes", symbols="MSFT")  # live refused, delayed served
        delayed = await http.get("/ibkr/market_data/snapshot", params={"symbol": "MSFT"})
        assert delayed.status_code == 200, delayed.text
        assert delayed.json()["market_data_type"] == "delayed" and delayed.json()["bid"] > 0

        faults.require_subscription(["quotes", "depth"], code=10089)
        faults.require_subscription("history")  # 162: no market data permissions
        snapshot = await http.get("/ibkr/market_data/snapshot", params={"contract_id": AAPL})
        history = await http.get("/ibkr/market_data/historical", params={"contract_id": AAPL})
        depth = await http.get("/ibkr/market_data/depth", params={"contract_id": AAPL})
        faults.require_subscription("history", code=10197)
        competing = await http.get("/ibkr/market_data/historical", params={"contract_id": AAPL})
        faults.clear_subscriptions()
        served = await http.get("/ibkr/market_data/historical", params={"contract_id": AAPL})
    for answer, data in (
        (snapshot, "streaming quotes for AAPL"),  # snapshots read the service's quote lines
        (history, "historical bars of AAPL"),
        (depth, "market depth for AAPL"),
    ):
        assert answer.status_code == 403, answer.text
        body = answer.json()
        assert body["code"] == "market_data_not_subscribed"
        assert body["ib_code"] == (162 if answer is history else 10089)
        assert body["data"] == data and data in body["error"]
        assert "Client Portal" in body["remedy"] and body["remedy"] in body["error"]
    assert "delayed quotes" in snapshot.json()["remedy"]
    assert "no delayed form" in history.json()["remedy"]
    assert "No market data permissions for NASDAQ STK" in history.json()["error"]
    assert competing.status_code == 409 and competing.json()["code"] == "competing_live_session"
    assert competing.headers["retry-after"] == "60"
    assert served.status_code == 200 and served.json()["bars"]


async def test_mcp_answers_a_tool_error_naming_the_data_and_the_remedy(service) -> None:
    url, faults = service
    async with Client(f"{url}/mcp/", timeout=LIMIT, init_timeout=LIMIT) as mcp:
        faults.require_subscription(["quotes", "depth"], symbols="AAPL", code=354)
        faults.require_subscription("history", symbols="AAPL")
        calls = {
            "get_market_data_snapshot": ("streaming quotes for AAPL", 354),
            "get_historical_data": ("historical bars of AAPL", 162),
            "get_market_depth": ("market depth for AAPL", 354),
        }
        for tool, (data, code) in calls.items():
            with pytest.raises(ToolError) as refused:
                await mcp.call_tool(tool, {"contract_id": AAPL})
            text = str(refused.value)
            assert text.startswith("market_data_not_subscribed: ")
            assert data in text and f"IB error {code}" in text and "Client Portal" in text
            assert "retrying does not help" in text
        faults.clear_subscriptions()
        quote = await mcp.call_tool("get_market_data_snapshot", {"contract_id": AAPL})
        assert quote.structured_content["bid"] > 0
