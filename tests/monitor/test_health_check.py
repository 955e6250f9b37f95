"""/health readiness with the monitor: a market_data check saying fresh or not, and why."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from application.container import build_services
from application.services.health import HealthService
from domain.connection import DataFarm, FarmKind, IbNotice
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
    broker.data_farms = (_farm("usfarm", "market_data", 2103), _farm("ushmds", "historical", 2106))
    await step(monitor, clock)
    flowing = await health.report()
    # prices still arrive: for the monitor the notice alone is no outage (no restart) ...
    assert flowing.checks["market_data"].ok
    # ... but readiness follows what IB says at once
    assert not flowing.ready and not flowing.checks["broker"].ok
    assert flowing.checks["broker"].detail == (
        "broker connected; market data farm usfarm broken (IB 2103 since 2026-11-26T14:02:07+00:00)"
    )

    feed.off()
    await step(monitor, clock)
    detail = (await health.report()).checks["market_data"].detail
    assert (
        "no last, bid, ask or close; the gateway reports market data farm usfarm broken "
        "(IB 2103 since 2026-11-26T14:02:07+00:00)"
    ) in detail
    assert "ushmds" not in detail


@pytest.mark.parametrize(
    ("kind", "code", "ok_code", "words"),
    [
        ("market_data", 2103, 2104, "market data farm"),
        ("historical", 2105, 2106, "historical data farm"),
        ("sec_def", 2157, 2158, "security definition farm"),
    ],
)
async def test_every_broken_data_farm_makes_the_service_unready_until_ib_says_ok(
    broker: FakeBroker,
    gateway: RecordingGateway,
    clock: FakeClock,
    kind: FarmKind,
    code: int,
    ok_code: int,
    words: str,
) -> None:
    health = HealthService(broker, gateway, clock)
    broker.data_farms = (_farm("somefarm", kind, code),)
    report = await health.report()
    assert not report.ready and report.status == "degraded"
    assert f"{words} somefarm broken (IB {code} since" in report.checks["broker"].detail
    broker.data_farms = (_farm("somefarm", kind, ok_code),)
    assert (await health.report()).ready


async def test_1100_makes_the_service_unready_with_ibs_words_until_restored(
    broker: FakeBroker, gateway: RecordingGateway, clock: FakeClock
) -> None:
    health = HealthService(broker, gateway, clock)
    broker.connectivity_lost = IbNotice(
        code=1100,
        message="Connectivity between IB and Trader Workstation has been lost.",
        since=datetime(2026, 11, 26, 14, 2, 7, tzinfo=UTC),
    )
    report = await health.report()
    assert not report.ready and not report.checks["broker"].ok
    assert report.checks["broker"].detail == (
        "broker degraded; connection to IB lost (IB 1100 since 2026-11-26T14:02:07+00:00: "
        "Connectivity between IB and Trader Workstation has been lost.)"
    )
    broker.connectivity_lost = None  # 1101/1102
    assert (await health.report()).ready


def _farm(name: str, kind: FarmKind, code: int) -> DataFarm:
    return DataFarm(
        name=name,
        kind=kind,
        ok=code not in (2103, 2105, 2157),
        code=code,
        message=f"farm notice {code}:{name}",
        since=datetime(2026, 11, 26, 14, 2, 7, tzinfo=UTC),
    )
