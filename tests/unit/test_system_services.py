"""Account, scanner, connection, gateway and health services."""

from __future__ import annotations

import pytest

from application.container import Services
from domain.account import AccountValue
from domain.errors import GatewayError, InvalidRequest, NotConnected
from domain.scanner import ScanQuery
from tests.factories import PositionFactory
from tests.fakes import FakeBroker, FakeClock, FakeGateway


async def test_positions_sorted_by_class_symbol_and_id(
    services: Services, broker: FakeBroker
) -> None:
    broker.position_list = PositionFactory.batch(6)
    positions = await services.account.positions()
    assert positions == sorted(
        broker.position_list, key=lambda p: (p.asset_class, p.symbol, p.contract_id)
    )


async def test_account_values_filtered_by_key(services: Services, broker: FakeBroker) -> None:
    broker.values = [
        AccountValue(account_id="DU1", key=key, value="1")
        for key in ("NetLiquidation", "MaintMarginReq", "InitMarginReq")
    ]
    assert [v.key for v in await services.account.values(key="margin")] == [
        "MaintMarginReq",
        "InitMarginReq",
    ]
    assert len(await services.account.values()) == 3


async def test_empty_account_id_means_the_default_account(
    services: Services, broker: FakeBroker
) -> None:
    await services.account.summary("")
    await services.account.summary("DU7")
    assert broker.called("account_summary") == [(None,), ("DU7",)]


async def test_scanner_stamps_time_and_scan_code(
    services: Services, clock: FakeClock, broker: FakeBroker
) -> None:
    results = await services.scanner.results(ScanQuery(scan_code="TOP_PERC_GAIN", rows=1))
    assert (results.scan_time, results.scan_code) == (clock.now(), "TOP_PERC_GAIN")
    assert [r.symbol for r in results.scan_results] == ["AAPL"]


async def test_reconnect_reports_success(
    services: Services, broker: FakeBroker, clock: FakeClock
) -> None:
    broker.connected = False
    result = await services.connection.reconnect()
    assert (result.success, result.timestamp) == (True, clock.now())
    assert broker.reconnects == 1


async def test_reconnect_that_fails_says_why(services: Services, broker: FakeBroker) -> None:
    broker.connected = False
    broker.fail("reconnect", NotConnected("Gateway refused the connection"))
    result = await services.connection.reconnect()
    assert result.success is False
    assert "Gateway refused the connection" in result.message


@pytest.mark.parametrize(
    ("tail", "lines"), [(1, ["line 300"]), (3, ["line 298", "line 299", "line 300"])]
)
async def test_gateway_logs_tail(services: Services, tail: int, lines: list[str]) -> None:
    logs = await services.gateway.logs(tail)
    assert (logs.tail, logs.lines, logs.container_id) == (tail, lines, "a1b2c3d4e5f6")


async def test_gateway_logs_bounds(services: Services, gateway: FakeGateway) -> None:
    assert len((await services.gateway.logs(5000)).lines) == 300
    for tail in (0, -1, 5001):
        with pytest.raises(InvalidRequest, match="between 1 and 5000"):
            await services.gateway.logs(tail)
    assert gateway.called("logs") == [(5000,)]


async def test_gateway_restart_result(
    services: Services, gateway: FakeGateway, clock: FakeClock
) -> None:
    result = await services.gateway.restart()
    assert (result.success, result.restart_count, result.timestamp) == (True, 1, clock.now())
    assert "running" in result.message


async def test_health_ready(services: Services) -> None:
    report = await services.health.report()
    assert (report.status, report.ready, report.live) == ("ok", True, True)
    assert set(report.checks) == {"gateway", "broker"}


async def test_health_degraded_when_broker_disconnected(
    services: Services, broker: FakeBroker
) -> None:
    broker.connected = False
    report = await services.health.report()
    assert (report.status, report.ready) == ("degraded", False)
    assert report.checks["gateway"].ok and not report.checks["broker"].ok


async def test_health_degraded_when_gateway_fails(services: Services, gateway: FakeGateway) -> None:
    gateway.fail("status", GatewayError("Docker is not reachable"))
    report = await services.health.report()
    assert report.ready is False
    assert report.checks["gateway"].detail == "Docker is not reachable"
