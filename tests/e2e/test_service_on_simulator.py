"""The whole service as a user meets it: build_app on the embedded simulator, served by
uvicorn on loopback, used over REST and through a real MCP client over streamable HTTP."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import httpx
import pytest
from fastmcp import Client

from entrypoints.bootstrap import build_app
from entrypoints.settings import settings_from_env
from tests.servers import serving

LIMIT = 20.0
AAPL = 265598


@pytest.fixture
async def base_url(tmp_path) -> AsyncIterator[str]:
    settings = settings_from_env(
        {},
        request_timeout=5.0,
        connect_timeout=5.0,
        audit_file=tmp_path / "audit.jsonl",
        tool_profile="full",  # every tool, one per area is called below
    )
    async with serving(build_app(settings), limit=LIMIT) as url:
        async with httpx.AsyncClient(base_url=url, timeout=LIMIT) as http:
            async with asyncio.timeout(LIMIT):
                while True:
                    if (await http.get("/health")).status_code == 200:
                        break
                    await asyncio.sleep(0.05)
        yield url


async def test_quick_start_serves_real_looking_account_data(base_url):
    async with httpx.AsyncClient(base_url=base_url, timeout=LIMIT) as http:
        summary = (await http.get("/ibkr/account/summary")).json()
        status = (await http.get("/ibkr/connection/status")).json()
        gateway = (await http.get("/gateway/status")).json()
        docs = await http.get("/docs")
        fx = await http.get(
            "/ibkr/market_data/snapshot", params={"symbol": "EUR", "sec_type": "CASH"}
        )
    assert fx.status_code == 200, fx.text  # IDEALPRO found without naming it
    assert fx.json()["symbol"] == "EUR" and fx.json()["bid"] > 0
    assert summary["account_id"] == "DU1234567"
    assert summary["net_liquidation_value"] == pytest.approx(1_000_000, rel=0.01)
    assert summary["buying_power"] > summary["net_liquidation_value"]
    assert status["connected"] is True and status["state"] == "connected"
    assert status["client_id"] == 17
    assert gateway["kind"] == "simulated" and gateway["status"] == "running"
    assert docs.status_code == 200


async def test_rest_order_round_trip_changes_positions(base_url):
    async with httpx.AsyncClient(base_url=base_url, timeout=LIMIT) as http:
        placed = await http.post(
            "/ibkr/orders/place",
            json={"contract_id": AAPL, "order_type": "MKT", "action": "BUY", "quantity": 3},
            headers={"Idempotency-Key": "e2e-buy-1"},
        )
        again = await http.post(
            "/ibkr/orders/place",
            json={"contract_id": AAPL, "order_type": "MKT", "action": "BUY", "quantity": 3},
            headers={"Idempotency-Key": "e2e-buy-1"},
        )
        positions = (await http.get("/ibkr/account/positions")).json()
    assert placed.status_code == 200, placed.text
    first = placed.json()
    assert first["status"] == "Filled" and first["filled_quantity"] == 3
    assert again.json()["order_id"] == first["order_id"]
    assert again.json()["duplicate"] is True
    aapl = [p for p in positions if p["contract_id"] == AAPL]
    assert aapl and aapl[0]["position"] == 3


async def test_a_contract_id_sent_with_another_symbol_is_refused_not_traded(base_url):
    async with httpx.AsyncClient(base_url=base_url, timeout=LIMIT) as http:
        before = (await http.get("/ibkr/account/positions")).json()
        # Twice: the first asks IB (the simulator), the second would meet the adapter's cache.
        answers = [
            await http.post(
                "/ibkr/orders/place",
                json={"contract_id": AAPL, "symbol": "MSFT", "action": "BUY", "quantity": 1},
                headers={"Idempotency-Key": f"e2e-mismatch-{n}"},
            )
            for n in range(2)
        ]
        quote = await http.get(
            "/ibkr/market_data/snapshot", params={"contract_id": AAPL, "symbol": "MSFT"}
        )
        agreeing = await http.get(
            "/ibkr/market_data/snapshot", params={"contract_id": AAPL, "symbol": "aapl"}
        )
        after = (await http.get("/ibkr/account/positions")).json()
    for answer in (*answers, quote):
        assert answer.status_code == 400, answer.text
        assert "contract_id 265598 is AAPL STK USD" in answer.json()["error"]
        assert "symbol 'MSFT' (it has 'AAPL')" in answer.json()["error"]
    assert agreeing.status_code == 200 and agreeing.json()["contract_id"] == AAPL
    assert after == before  # nothing was bought


async def test_mcp_client_lists_every_tool_and_uses_one_per_area(base_url):
    async with Client(f"{base_url}/mcp/", timeout=LIMIT, init_timeout=LIMIT) as mcp:
        tools = {tool.name: tool for tool in await mcp.list_tools()}
        assert len(tools) >= 19
        assert tools["get_positions"].annotations.read_only_hint is True
        assert tools["place_order"].annotations.destructive_hint is True
        assert tools["cancel_order"].annotations.destructive_hint is True
        assert tools["reconnect"].annotations.read_only_hint is not True

        async def call(name: str, **arguments: object) -> dict:
            result = await mcp.call_tool(name, arguments)
            return result.structured_content

        summary = await call("get_account_summary")
        assert summary["account_id"] == "DU1234567"
        details = await call("get_contract_details", symbol="CCJ", sec_type="STK", exchange="SMART")
        assert {c["currency"] for c in details["candidate_contracts"]} == {"USD", "EUR"}
        quote = await call("get_market_data_snapshot", contract_id=AAPL)
        assert quote["bid"] < quote["ask"]
        bars = await call(
            "get_historical_data", contract_id=AAPL, duration="1 D", bar_size="1 hour"
        )
        assert bars["bars"]
        chains = await call("get_options_chain", underlying_symbol="CCJ", underlying_con_id=1447060)
        chain = chains["candidate_chains"][0]
        options = await call(
            "get_options_chain",
            underlying_symbol="CCJ",
            underlying_con_id=1447060,
            exchange=chain["exchange"],
            filters={
                "expirations": chain["expirations"][:1],
                "rights": ["C"],
                "strikes": chain["strikes"][len(chain["strikes"]) // 2 :][:2],
            },
        )
        assert options["options_chain"][0]["friendly_symbol"].endswith("CALL")
        scan = await call("get_scanner_results", scan_code="MOST_ACTIVE")
        assert scan["scan_results"]
        assert (await call("get_connection_status"))["connected"] is True
        assert (await call("get_gateway_status"))["kind"] == "simulated"

        # Agents preview first: place_order wants the preview's confirmation token.
        market = {"contract_id": AAPL, "order_type": "MKT", "action": "BUY", "quantity": 1}
        preview = await call("preview_order", **market)
        assert preview["commission"] > 0 and preview["init_margin_change"] > 0
        filled = await call(
            "place_order", **market, confirmation_token=preview["confirmation_token"]
        )
        assert filled["status"] == "Filled"
        limit = {**market, "order_type": "LMT", "limit_price": round(quote["bid"] * 0.5, 2)}
        preview = await call("preview_order", **limit)
        resting = await call(
            "place_order", **limit, confirmation_token=preview["confirmation_token"]
        )
        assert resting["status"] in ("Submitted", "PreSubmitted")
        cancelled = await call("cancel_order", order_id=resting["order_id"])
        assert cancelled["status"] == "Cancelled"


async def test_scanner_errors_are_about_the_scan_on_both_doors(base_url):
    """IB answers a scan it refuses with the historical data service's 162: the caller hears
    about the scan parameter (400), not a 503 about historical data."""
    async with httpx.AsyncClient(base_url=base_url, timeout=LIMIT) as http:
        response = await http.get("/ibkr/scanner/results", params={"location_code": "STK.MARS"})
    assert response.status_code == 400, response.text
    body = response.json()
    assert (body["code"], body["field"]) == ("invalid_request", "location_code")
    assert "IB's market scanner refused the MOST_ACTIVE scan" in body["error"]
    assert "historical data" not in body["error"]
    async with Client(f"{base_url}/mcp/", timeout=LIMIT, init_timeout=LIMIT) as mcp:
        result = await mcp.call_tool(
            "get_scanner_results", {"scan_code": "NOSUCH"}, raise_on_error=False
        )
    assert result.is_error
    text = result.content[0].text
    assert text.startswith("invalid_request: IB's market scanner refused the NOSUCH scan")
    assert "scan code NOSUCH is not valid" in text and "historical data" not in text
