"""/health readiness with the monitor: a market_data check saying fresh or not, and why."""

from __future__ import annotations

from datetime import UTC, datetime

from application.container import build_services
from application.services.health import HealthService
from domain.connection import DataFarm
from tests.fakes import FakeBroker, FakeClock
from tests.monitor.support import Feed, RecordingGateway, make_monitor, run_for, step


async def test_without_a_monitor_health_is_as_before(
    broker: FakeBroker, gateway: RecordingGateway, clock: FakeClock
) -> None:
    report = await HealthService(broker, gateway, clock).report()
    assert set(report.checks) == {"gateway", "broker"} and report.ready


async def test_market_data_check_follows_the_monitor(
    broker: FakeBroker, gateway: RecordingGateway, feed: Feed, clock: FakeClock
) -> None:
    gateway.heals = False
    monitor = make_monitor(broker, gateway, clock)
    health = build_services(broker, gateway, clock, monitor=monitor).health

    before = await health.report()
    assert not before.checks["market_data"].ok and not before.ready
    assert "no probe yet" in before.checks["market_data"].detail

    await step(monitor, clock)
    fresh = await health.report()
    assert fresh.ready and fresh.status == "ok"
    assert fresh.checks["market_data"].ok and "SPY" in fresh.checks["market_data"].detail

    feed.off()
    await step(monitor, clock)
    stale = await health.report()
    assert (stale.ready, stale.status, stale.live) == (False, "degraded", True)
    assert "no last, bid, ask or close" in stale.checks["market_data"].detail
    assert stale.checks["gateway"].ok and stale.checks["broker"].ok

    await run_for(monitor, clock, 30)  # a restart that did not help
    after = await health.report()
    assert "[not_recovered]" in after.checks["market_data"].detail


async def test_a_stalled_monitor_does_not_report_fresh_data(
    broker: FakeBroker, gateway: RecordingGateway, clock: FakeClock
) -> None:
    monitor = make_monitor(broker, gateway, clock)
    await step(monitor, clock)
    assert monitor.state().data_fresh

    clock.advance(600)  # no probe for ten minutes

    assert not monitor.state().data_fresh
    assert not (await HealthService(broker, gateway, clock, monitor=monitor).report()).ready


async def test_a_broken_market_data_farm_is_named_in_health_and_in_the_probe_reason(
    broker: FakeBroker, gateway: RecordingGateway, feed: Feed, clock: FakeClock
) -> None:
    monitor = make_monitor(broker, gateway, clock)
    health = build_services(broker, gateway, clock, monitor=monitor).health
    broker.data_farms = (
        DataFarm(
            name="usfarm",
            kind="market_data",
            ok=False,
            code=2103,
            message="Market data farm connection is broken:usfarm",
            since=datetime(2026, 11, 26, 14, 2, 7, tzinfo=UTC),
        ),
        DataFarm(
            name="ushmds",
            kind="historical",
            ok=True,
            code=2106,
            message="HMDS data farm connection is OK:ushmds",
            since=datetime(2026, 11, 26, 9, 0, tzinfo=UTC),
        ),
    )
    await step(monitor, clock)
    flowing = await health.report()
    assert flowing.checks["market_data"].ok  # prices still arrive: the notice alone is no outage
    assert flowing.checks["broker"].detail == "broker connected; market data farm broken: usfarm"

    feed.off()
    await step(monitor, clock)
    detail = (await health.report()).checks["market_data"].detail
    assert "no last, bid, ask or close; the gateway reports its market data farm broken" in detail
    assert "usfarm (IB 2103 since 2026-11-26T14:02:07+00:00)" in detail and "ushmds" not in detail
