"""MCP progress notifications through the whole service on the embedded simulator: a real
fastmcp Client with a progress handler sees increasing progress with a total while a slow
history request, historical ticks, fundamentals, option chain quotes or a reconnect runs; without one the call answers the same."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from fastmcp import Client

from entrypoints.bootstrap import build_app
from entrypoints.settings import settings_from_env
from tests.servers import serving

LIMIT = 30.0
AAPL = 265598


@pytest.fixture
async def service(tmp_path) -> AsyncIterator[tuple[str, Any]]:
    settings = settings_from_env(
        {},
        request_timeout=10.0,
        connect_timeout=5.0,
        audit_file=tmp_path / "audit.jsonl",
        tool_profile="full",
        monitor_enabled=False,
        mcp_stateful=True,  # progress notifications travel on the request's SSE stream
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


class Notices:
    def __init__(self) -> None:
        self.seen: list[tuple[float, float | None, str | None]] = []

    async def __call__(self, progress: float, total: float | None, message: str | None) -> None:
        self.seen.append((progress, total, message))

    def check(self, *, at_least: int) -> None:
        values = [progress for progress, _, _ in self.seen]
        assert len(values) >= at_least, self.seen
        assert values == sorted(values) and len(set(values)) == len(values), self.seen
        assert values[0] == 0.0 and values[-1] == 1.0
        assert all(total == 1.0 for _, total, _ in self.seen)


async def test_slow_calls_report_progress_to_a_caller_that_asks(service) -> None:
    url, faults = service
    async with Client(f"{url}/mcp/", timeout=LIMIT, init_timeout=LIMIT) as mcp:
        faults.set_latency(2.3)  # every answer of the gateway takes 2.3 s
        history = Notices()
        bars = await mcp.call_tool(
            "get_historical_data",
            {"contract_id": AAPL, "duration": "2 D", "bar_size": "5 mins"},
            progress_handler=history,
        )
        assert bars.structured_content["bars"]
        history.check(at_least=4)  # asked, two waits of a second, done
        assert "historical bars: waiting for IB" in str(history.seen[1][2])

        ticks = Notices()
        answer = await mcp.call_tool(
            "get_historical_ticks", {"contract_id": AAPL}, progress_handler=ticks
        )
        assert answer.structured_content["ticks"]
        ticks.check(at_least=3)

        fundamentals = Notices()
        report = await mcp.call_tool(
            "get_fundamentals",
            {"contract_id": AAPL, "report_type": "ReportSnapshot"},
            progress_handler=fundamentals,
        )
        assert report.structured_content
        fundamentals.check(at_least=3)

        chain = Notices()
        quotes = await mcp.call_tool(
            "get_option_chain_quotes",
            {"underlying_symbol": "AAPL", "max_distance_pct": 2, "right": "C"},
            progress_handler=chain,
        )
        assert quotes.structured_content
        chain.check(at_least=3)
        assert "option quotes: waiting for IB" in str(chain.seen[1][2])

        faults.set_latency(0)
        reconnect = Notices()
        await mcp.call_tool("reconnect", {}, progress_handler=reconnect)
        reconnect.check(at_least=2)

        quiet = await mcp.call_tool("get_connection_status", {})  # declares no progress
        assert quiet.structured_content["connected"] in (True, False)
