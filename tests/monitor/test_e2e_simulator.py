"""End to end: the monitor, a real ``IbBroker`` and the embedded simulated gateway over TCP.

The simulator's market data is silenced (IB's "data farm broken"); the monitor must restart the
gateway once the outage passes its threshold, have the broker reconnect, and see prices again.
Every wait is bounded; thresholds are short so each test runs in a few seconds.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from dataclasses import replace
from datetime import time
from typing import Any

import pytest
from structlog.testing import capture_logs

from adapters.ib.broker import IbBroker, IbSettings
from adapters.simulated_gateway import SimulatedGateway, TwsSimulator
from application.clock import SystemClock
from application.services.health_monitor import HealthMonitor
from application.services.health_policy import MonitorPolicy
from application.services.health_probe import has_prices
from application.services.maintenance import MaintenanceWindow
from tests.simulator.e2e import make_world

FAST_IB = IbSettings(
    host="127.0.0.1",
    port=0,
    client_id=31,
    connect_timeout=3.0,
    request_timeout=2.0,
    backoff_initial=0.05,
    backoff_max=0.4,
)
FAST_POLICY = MonitorPolicy(
    interval=0.1,
    probe_timeout=3.0,
    failure_threshold=3,
    min_outage=0.5,
    disconnected_min_outage=2.0,
    restart_timeout=10.0,
    reconnect_timeout=5.0,
    verify_attempts=20,
    verify_interval=0.1,
    backoff_initial=60.0,  # one restart per test unless a test says otherwise
    max_restarts_per_hour=3,
    max_quote_age=1.0,
    windows=(),
)
ALL_DAY = MaintenanceWindow(day=None, start=time(0), end=time(0), tz="UTC")


class StubbornGateway(SimulatedGateway):
    """A gateway whose data farm is broken again right after every restart."""

    async def restart(self) -> None:
        await super().restart()
        self.simulator.faults.stop_market_data()


async def _until(condition: Callable[[], bool], limit: float) -> None:
    async with asyncio.timeout(limit):
        while not condition():  # noqa: ASYNC110 - polling state that has no event
            await asyncio.sleep(0.02)


async def _sim(kind: type[SimulatedGateway] = SimulatedGateway) -> SimulatedGateway:
    gateway = kind(simulator=TwsSimulator(make_world(), port=0, tick_interval=0.1))
    async with asyncio.timeout(10):
        await gateway.start()
    return gateway


@pytest.fixture
async def gateway() -> AsyncIterator[SimulatedGateway]:
    gateway = await _sim()
    try:
        yield gateway
    finally:
        async with asyncio.timeout(10):
            await gateway.stop()


@pytest.fixture
async def stubborn() -> AsyncIterator[SimulatedGateway]:
    gateway = await _sim(StubbornGateway)
    try:
        yield gateway
    finally:
        async with asyncio.timeout(10):
            await gateway.stop()


async def _broker(gateway: SimulatedGateway) -> IbBroker:
    broker = IbBroker(FAST_IB, endpoint=gateway.api_endpoint)
    await broker.start()
    assert await broker.wait_connected(5), "broker did not connect to the simulator"
    return broker


@pytest.fixture
async def broker(gateway: SimulatedGateway) -> AsyncIterator[IbBroker]:
    broker = await _broker(gateway)
    try:
        yield broker
    finally:
        async with asyncio.timeout(10):
            await broker.stop()


def _decisions(logs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [e for e in logs if e.get("event") == "health_monitor.decision"]


async def _restarts(gateway: SimulatedGateway) -> int:
    return (await gateway.status()).restart_count


async def test_silenced_data_is_restarted_once_and_flows_again(
    gateway: SimulatedGateway, broker: IbBroker
) -> None:
    monitor = HealthMonitor(broker, gateway, SystemClock(), FAST_POLICY)
    with capture_logs() as logs:
        async with asyncio.timeout(30), monitor:
            await _until(lambda: len(_decisions(logs)) >= 10, 10)
            assert monitor.state().data_fresh
            assert await _restarts(gateway) == 0  # ten good probes: nothing restarted

            gateway.simulator.faults.stop_market_data()
            await _until(lambda: monitor.state().last_decision == "recovered", 20)
            assert monitor.state().data_fresh

            probe = await broker.contract_details(FAST_POLICY.probe)
            assert has_prices(await broker.snapshot(probe[0]))
            await asyncio.sleep(1.0)  # more good probes, still one restart

    decisions = _decisions(logs)
    kinds = [e["decision"] for e in decisions]
    assert await _restarts(gateway) == 1 and monitor.state().restarts_total == 1
    assert kinds.count("restart") == 1
    first_failure = kinds.index("probe_failed")
    restart = kinds.index("restart")
    assert set(kinds[:first_failure]) == {"probe_ok"}  # no restart while data was fresh
    assert kinds[first_failure:restart] == ["probe_failed"] * (restart - first_failure)
    assert restart - first_failure >= FAST_POLICY.failure_threshold
    # "no prices" once the broker drops stale ticks; until then the age check catches them
    assert any(
        why in decisions[restart]["reason"]
        for why in ("no last, bid, ask or close", "s old (limit 1 s)")
    )
    # the gateway's farm notice (2103) is named in the reason; the fresh session forgot it
    assert "market data farm usfarm broken (IB 2103" in decisions[restart]["reason"]
    assert kinds[-1] == "probe_ok" and kinds.count("recovered") == 1
    status = await broker.connection_status()
    assert status.connected and status.broken_market_data_farms == ()


async def test_maintenance_window_suppresses_the_restart(
    gateway: SimulatedGateway, broker: IbBroker
) -> None:
    policy = replace(FAST_POLICY, windows=(ALL_DAY,))
    monitor = HealthMonitor(broker, gateway, SystemClock(), policy)
    with capture_logs() as logs:
        async with asyncio.timeout(30), monitor:
            await _until(lambda: monitor.state().data_fresh, 10)
            gateway.simulator.faults.stop_market_data()
            await _until(
                lambda: [e["decision"] for e in _decisions(logs)].count("suppressed_window") >= 5,
                15,
            )

    assert await _restarts(gateway) == 0
    assert "restart" not in [e["decision"] for e in _decisions(logs)]
    suppressed = next(e for e in _decisions(logs) if e["decision"] == "suppressed_window")
    assert "daily 00:00-00:00 UTC" in suppressed["reason"]
    assert not monitor.state().data_fresh
    assert (await broker.connection_status()).connected  # the session was left alone


async def test_per_hour_cap_holds_when_restarts_do_not_help(stubborn: SimulatedGateway) -> None:
    policy = replace(
        FAST_POLICY,
        verify_attempts=3,
        backoff_initial=0.1,
        backoff_max=0.1,
        max_restarts_per_hour=2,
    )
    broker = await _broker(stubborn)
    monitor = HealthMonitor(broker, stubborn, SystemClock(), policy)
    try:
        with capture_logs() as logs:
            async with asyncio.timeout(40), monitor:
                await _until(lambda: monitor.state().data_fresh, 10)
                stubborn.simulator.faults.stop_market_data()
                await _until(
                    lambda: [e["decision"] for e in _decisions(logs)].count("suppressed_cap") >= 5,
                    30,
                )
    finally:
        async with asyncio.timeout(10):
            await broker.stop()

    kinds = [e["decision"] for e in _decisions(logs)]
    assert await _restarts(stubborn) == 2
    assert kinds.count("restart") == 2 and kinds.count("not_recovered") == 2
    assert monitor.state().restarts_last_hour == 2
    assert "2 restarts in the last hour (cap 2)" in monitor.state().last_reason
