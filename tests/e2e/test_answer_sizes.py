"""Answers sized for a context window, measured on the embedded simulator through a real MCP
client: the default answer of every list operation stays under 20,000 bytes (a full page of
its items, extrapolated from those measured, too); a bigger one comes only when asked for
with ``limit``, and ``next_cursor`` reads the rest."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from fastmcp import Client

from entrypoints.bootstrap import build_app
from entrypoints.catalog import operation
from entrypoints.settings import settings_from_env
from tests.servers import serving

LIMIT = 30.0
BUDGET = 20_000
AAPL = 265598
SYMBOLS = ("AAPL", "MSFT", "NVDA", "AMZN", "GOOGL", "META")


def size(content: dict[str, Any]) -> int:
    return len(json.dumps(content, separators=(",", ":")).encode())


@pytest.fixture
async def url(tmp_path) -> AsyncIterator[str]:
    settings = settings_from_env(
        {},
        request_timeout=10.0,
        connect_timeout=5.0,
        audit_file=tmp_path / "audit.jsonl",
        tool_profile="full",
        monitor_enabled=False,
        max_orders_per_minute=100,
    )
    async with serving(build_app(settings), limit=LIMIT) as base:
        async with httpx.AsyncClient(base_url=base, timeout=LIMIT) as http:
            async with asyncio.timeout(LIMIT):
                while True:
                    if (await http.get("/health")).status_code == 200:
                        break
                    await asyncio.sleep(0.05)
            for n, symbol in enumerate(SYMBOLS):  # fills, holdings and working orders
                for order in (
                    {"symbol": symbol, "order_type": "MKT", "action": "BUY", "quantity": 2},
                    {"symbol": symbol, "order_type": "LMT", "action": "BUY", "quantity": 1,
                     "limit_price": 1.0},
                ):  # fmt: skip
                    placed = await http.post(
                        "/ibkr/orders/place",
                        json=order,
                        headers={"Idempotency-Key": f"s{n}{order['order_type']}"},
                    )
                    assert placed.status_code == 200, placed.text
        yield base


async def test_every_default_list_answer_stays_under_20_kb(url) -> None:
    async with Client(f"{url}/mcp/", timeout=LIMIT, init_timeout=LIMIT) as mcp:

        async def call(name: str, **arguments: Any) -> dict[str, Any]:
            return (await mcp.call_tool(name, arguments)).structured_content

        chains = await call("get_options_chain", underlying_symbol="AAPL", exchange="SMART")
        expiry = chains["candidate_chains"][0]["expirations"][0]
        one_expiry = {"underlying_symbol": "AAPL", "exchange": "SMART",
                      "filters": {"expirations": [expiry]}}  # fmt: skip
        minutes = {"contract_id": AAPL, "duration": "1 W", "bar_size": "1 min"}
        year = {"contract_id": AAPL, "duration": "1 Y", "bar_size": "1 day"}
        cases: list[tuple[str, dict[str, Any], str]] = [
            ("get_historical_data", minutes, "bars"),
            ("get_historical_data", year, "bars"),
            ("get_options_chain", one_expiry, "options_chain"),
            ("get_scanner_results", {}, "scan_results"),
            ("get_positions", {}, "positions"),
            ("get_portfolio", {}, "portfolio"),
            ("get_open_orders", {}, "open_orders"),
            ("get_executions", {}, "executions"),
            ("get_completed_orders", {}, "completed_orders"),
        ]
        report = []
        for name, arguments, key in cases:
            content = await call(name, **arguments)
            items = content[key]
            assert items, f"{name} listed nothing to measure"
            measured = size(content)
            paging = operation(name).paging
            # the scanner answers at most 50 rows (its own limit, rows): no cursor needed
            page = paging.mcp_default if paging is not None else 50
            full_page = (measured / len(items)) * page  # a default page, full
            report.append((name, measured, len(items), round(full_page)))
        print(report)  # the sizes, for the README's table
        for name, measured, _, full_page in report:
            assert measured <= BUDGET and full_page <= BUDGET, (name, measured, full_page)

        # the old full answers still come when asked for, and the cursor reads the rest
        capped = await call("get_historical_data", **minutes, limit=500)
        assert len(capped["bars"]) == 500 and size(capped) > BUDGET
        first = await call("get_historical_data", **minutes)
        older = await call("get_historical_data", **minutes, cursor=first["next_cursor"])
        assert first["truncated"] and first["total"] == older["total"] > 120
        assert older["bars"][-1]["time"] < first["bars"][0]["time"] == first["next_cursor"]
        assert len(first["bars"]) == len(older["bars"]) == 120
        chain = await call("get_options_chain", **one_expiry)
        rest = await call("get_options_chain", **one_expiry, cursor=chain["next_cursor"])
        seen = {c["con_id"] for c in chain["options_chain"]}
        assert not seen & {c["con_id"] for c in rest["options_chain"]}
        assert len(chain["options_chain"]) == 36 and chain["total"] > 36
        everything = await call("get_options_chain", **one_expiry, limit=100)
        assert len(everything["options_chain"]) == min(100, chain["total"])

    # REST keeps the contract's full answers by default; a bare list pages through headers
    async with httpx.AsyncClient(base_url=url, timeout=LIMIT) as http:
        full = (await http.get("/ibkr/market_data/historical", params=minutes)).json()
        assert len(full["bars"]) == first["total"] and "next_cursor" not in full
        positions = (await http.get("/ibkr/account/positions")).json()
        assert isinstance(positions, list) and len(positions) == len(SYMBOLS)
        paged = await http.get("/ibkr/account/positions", params={"limit": 2})
        assert isinstance(paged.json(), list) and len(paged.json()) == 2
        assert paged.headers["x-next-cursor"] == str(paged.json()[-1]["contract_id"])
        assert paged.headers["x-total-count"] == str(len(SYMBOLS))
        after = await http.get(
            "/ibkr/account/positions", params={"cursor": paged.headers["x-next-cursor"]}
        )
        assert [p["contract_id"] for p in after.json()] == [p["contract_id"] for p in positions[2:]]
        stale = await http.get("/ibkr/account/positions", params={"cursor": "999999999"})
        assert stale.status_code == 400 and stale.json()["field"] == "cursor"
