"""/metrics as Prometheus scrapes it: the service on the simulator, used over REST and MCP,
then scraped over HTTP; the counters of both doors, the IB session and order actions moved."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import httpx
import pytest
from fastmcp import Client
from fastmcp.client.transports import StreamableHttpTransport
from prometheus_client.parser import text_string_to_metric_families

from entrypoints.bootstrap import build_app
from entrypoints.settings import Secret, settings_from_env
from tests.servers import serving

LIMIT = 20.0
TOKEN = "metrics-test-token-0123456789abcdef"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
AAPL = 265598


async def _serve(tmp_path, **settings: object) -> AsyncIterator[str]:
    config = settings_from_env(
        {},
        request_timeout=5.0,
        connect_timeout=5.0,
        audit_file=tmp_path / "audit.jsonl",
        journal_dsn=Secret(f"sqlite:///{tmp_path / 'journal.sqlite3'}"),
        token=Secret(f"ops:{TOKEN}"),
        monitor_interval=0.5,
        **settings,
    )
    async with serving(build_app(config), limit=LIMIT) as url:
        async with httpx.AsyncClient(base_url=url, timeout=LIMIT, headers=AUTH) as http:
            async with asyncio.timeout(LIMIT):
                while True:
                    if (await http.get("/health")).status_code == 200:
                        break
                    await asyncio.sleep(0.05)
        yield url


@pytest.fixture
async def base_url(tmp_path) -> AsyncIterator[str]:
    async for url in _serve(tmp_path):
        yield url


def samples(text: str) -> dict[tuple[str, frozenset[tuple[str, str]]], float]:
    return {
        (s.name, frozenset(s.labels.items())): s.value
        for family in text_string_to_metric_families(text)
        for s in family.samples
    }


def value(found: dict, name: str, **labels: str) -> float:
    return found.get((name, frozenset(labels.items())), 0.0)


async def test_scrape_after_rest_and_mcp_calls(base_url):
    async with httpx.AsyncClient(base_url=base_url, timeout=LIMIT) as http:
        assert (await http.get("/metrics")).status_code == 401  # behind the token by default
        before = samples((await http.get("/metrics", headers=AUTH)).text)
        for _ in range(3):
            assert (await http.get("/ibkr/account/summary", headers=AUTH)).status_code == 200
        assert (await http.get("/ibkr/account/summary")).status_code == 401
        assert (await http.get("/ibkr/orders/999999", headers=AUTH)).status_code == 404
        placed = await http.post(
            "/ibkr/orders/place",
            json={"contract_id": AAPL, "order_type": "MKT", "action": "BUY", "quantity": 1},
            headers=AUTH,
        )
        assert placed.status_code == 200, placed.text
        transport = StreamableHttpTransport(f"{base_url}/mcp/", headers=AUTH)
        async with Client(transport, timeout=LIMIT, init_timeout=LIMIT) as mcp:
            await mcp.call_tool("get_positions", {})
            await mcp.call_tool("get_order_status", {"order_id": 999999}, raise_on_error=False)
        scrape = await http.get("/metrics", headers=AUTH)
    assert scrape.status_code == 200
    assert scrape.headers["content-type"].startswith("text/plain")
    after = samples(scrape.text)

    def moved(name: str, **labels: str) -> float:
        return value(after, name, **labels) - value(before, name, **labels)

    rest = {"door": "rest"}
    assert (
        moved("ibkr_mcp_requests_total", **rest, operation="get_account_summary", status="200") == 3
    )
    assert moved("ibkr_mcp_requests_total", **rest, operation="none", status="401") >= 1
    assert moved("ibkr_mcp_requests_total", **rest, operation="get_order_status", status="404") == 1
    assert (
        moved("ibkr_mcp_request_duration_seconds_count", **rest, operation="get_account_summary")
        == 3
    )
    mcp_door = {"door": "mcp"}
    assert moved("ibkr_mcp_requests_total", **mcp_door, operation="get_positions", status="ok") == 1
    assert (
        moved("ibkr_mcp_requests_total", **mcp_door, operation="get_order_status", status="error")
        == 1
    )
    assert (
        moved("ibkr_mcp_request_duration_seconds_count", **mcp_door, operation="get_positions") == 1
    )
    assert (
        moved("ibkr_mcp_order_actions_total", action="place", operation="place", result="ok") == 1
    )
    assert value(after, "ibkr_mcp_ib_connection_state", state="connected") == 1
    assert value(after, "ibkr_mcp_ib_connects_total") >= 1
    assert ("ibkr_mcp_ib_throttle_queue_depth", frozenset()) in after
    assert value(after, "ibkr_mcp_gateway_restarts_total") == 0
    assert (
        sum(v for (n, _), v in after.items() if n == "ibkr_mcp_health_monitor_decisions_total") >= 1
    )


async def test_reconnects_and_gateway_restarts_are_counted(base_url):
    async with httpx.AsyncClient(base_url=base_url, timeout=LIMIT, headers=AUTH) as http:
        connects = value(samples((await http.get("/metrics")).text), "ibkr_mcp_ib_connects_total")
        assert (await http.post("/gateway/restart")).status_code == 200
        async with asyncio.timeout(LIMIT):
            while True:
                found = samples((await http.get("/metrics")).text)
                if value(found, "ibkr_mcp_ib_connects_total") > connects:
                    break
                await asyncio.sleep(0.1)
    assert value(found, "ibkr_mcp_gateway_restarts_total") == 1


async def test_metrics_public_opens_only_the_metrics(tmp_path):
    async for url in _serve(tmp_path, metrics_public=True):
        async with httpx.AsyncClient(base_url=url, timeout=LIMIT) as http:
            assert (await http.get("/metrics")).status_code == 200
            assert (await http.post("/metrics")).status_code == 401
            assert (await http.get("/ibkr/account/summary")).status_code == 401
