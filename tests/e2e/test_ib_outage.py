"""What the service says while IB itself reports an outage (1100, a broken market data farm):
readiness drops at once with IB's reason, quotes are refused naming the notice, and both come
back as soon as IB says so. The whole service on the embedded simulator, over HTTP."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from typing import Any

import httpx
import pytest

from adapters.simulated_gateway import SimulatedGateway
from application.services.health_monitor import HealthMonitor
from entrypoints.bootstrap import build_app
from entrypoints.settings import settings_from_env
from tests.servers import serving

LIMIT = 20.0
AAPL = 265598
# Long enough that no probe of the health monitor happens during a test: what changes
# readiness here is IB's notices, not the monitor.
PROBE_INTERVAL = 120.0
PROMPT = 1.0  # "at once": the notice crosses loopback TCP, nothing waits for a timer


class Service:
    def __init__(self, http: httpx.AsyncClient, app: Any) -> None:
        self.http = http
        assembly = app.state["assembly"]
        gateway = assembly.runtime
        assert isinstance(gateway, SimulatedGateway)
        self.faults = gateway.simulator.faults
        assert isinstance(assembly.monitor, HealthMonitor)
        self.monitor = assembly.monitor

    async def within(self, limit: float, check: Callable[[], Any]) -> httpx.Response:
        """Poll until ``check(response)`` holds; the last response (fails after ``limit`` s)."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + limit
        while True:
            response = await check()
            if response is not None:
                return response
            if loop.time() > deadline:
                raise AssertionError(f"not within {limit:g} s")
            await asyncio.sleep(0.02)

    async def health(self, status: int, limit: float = PROMPT) -> dict[str, Any]:
        async def check() -> httpx.Response | None:
            response = await self.http.get("/health")
            return response if response.status_code == status else None

        return (await self.within(limit, check)).json()

    async def snapshot(self) -> httpx.Response:
        return await self.http.get("/ibkr/market_data/snapshot", params={"contract_id": AAPL})


@pytest.fixture
async def service(tmp_path) -> AsyncIterator[Service]:
    settings = settings_from_env(
        {},
        request_timeout=5.0,
        connect_timeout=5.0,
        monitor_interval=PROBE_INTERVAL,
        audit_file=tmp_path / "audit.jsonl",
    )
    app = build_app(settings)
    async with (
        serving(app, limit=LIMIT) as url,
        httpx.AsyncClient(base_url=url, timeout=LIMIT) as http,
    ):
        service = Service(http, app)
        await service.health(200, LIMIT)
        yield service


async def test_1100_drops_readiness_at_once_and_1102_restores_it(service: Service) -> None:
    probed = service.monitor.state().last_probe_at
    before = await service.snapshot()
    assert before.status_code == 200 and before.json()["bid"] > 0

    service.faults.sever_with_1100()
    report = await service.health(503)
    broker = report["checks"]["broker"]
    assert not broker["ok"] and "IB 1100" in broker["detail"]
    assert "Connectivity between IB and Trader Workstation has been lost" in broker["detail"]
    refused = await service.snapshot()
    assert refused.status_code == 503, refused.text
    body = refused.json()
    assert body["code"] == "market_data_unavailable" and body["ib_code"] == 1100
    assert "1100" in body["error"] and refused.headers["Retry-After"]
    order = await service.http.post(
        "/ibkr/orders/place",
        json={"contract_id": AAPL, "order_type": "MKT", "action": "BUY", "quantity": 1},
    )
    assert order.status_code == 503, order.text
    assert service.monitor.state().last_probe_at == probed  # the notice did it, not a probe

    # A probe during the outage finds no data: readiness now waits for the monitor too ...
    assert await service.monitor.check_once() == "probe_failed"
    detail = (await service.http.get("/health")).json()["checks"]["market_data"]["detail"]
    assert "the gateway reports connection to IB lost (IB 1100 since" in detail

    # ... and IB's 1102 wakes it: ready again within one probe, not the next retry interval
    service.faults.restore_1102()
    report = await service.health(200)
    assert report["checks"]["broker"]["detail"] == "broker connected"
    assert report["checks"]["market_data"]["ok"]
    again = await service.snapshot()
    assert again.status_code == 200 and again.json()["bid"] > 0
    assert again.json()["market_data_type"] == "live"


async def test_a_broken_market_data_farm_drops_readiness_and_refuses_quotes(
    service: Service,
) -> None:
    probed = service.monitor.state().last_probe_at
    service.faults.stop_market_data()  # IB 2103: Market data farm connection is broken:usfarm
    report = await service.health(503)
    detail = report["checks"]["broker"]["detail"]
    assert "market data farm usfarm broken (IB 2103 since" in detail
    refused = await service.snapshot()
    assert refused.status_code == 503, refused.text
    body = refused.json()
    assert body["code"] == "market_data_unavailable" and body["ib_code"] == 2103
    assert "usfarm" in body["error"] and "2103" in body["error"]
    tickers = await service.http.get(
        "/ibkr/market_data/tickers", params={"contract_ids": f"{AAPL},272093"}
    )
    assert tickers.status_code == 503 and tickers.json()["ib_code"] == 2103

    service.faults.resume_market_data()  # IB 2104: the farm is OK again
    await service.health(200)
    again = await service.snapshot()
    assert again.status_code == 200 and again.json()["last_price"] > 0
    assert service.monitor.state().last_probe_at == probed
