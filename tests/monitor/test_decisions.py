"""When the monitor restarts the gateway, and (mostly) when it must not."""

from __future__ import annotations

import itertools
from datetime import time

import msgspec.structs
from structlog.testing import capture_logs

from application.services.maintenance import MaintenanceWindow
from domain.connection import IbNotice
from domain.errors import GatewayError, MarketDataUnavailable
from domain.gateway import GatewayStatus
from domain.market_data import Quote
from tests.fakes import FakeBroker, FakeClock
from tests.monitor.support import SPY, Feed, RecordingGateway, make_monitor, run_for, step


async def test_fresh_data_never_restarts(broker: FakeBroker, gateway: RecordingGateway, clock):
    monitor = make_monitor(broker, gateway, clock)

    decisions = await run_for(monitor, clock, 6 * 3600)

    assert set(decisions) == {"probe_ok"}
    assert gateway.called("restart") == [] and broker.reconnects == 0
    state = monitor.state()
    assert state.data_fresh and state.consecutive_failures == 0
    assert state.last_data_at == clock.now() and state.last_probe_at == clock.now()
    assert "SPY" in state.last_reason and "last 501.25" in state.last_reason


async def test_missing_data_below_the_threshold_does_not_restart(
    broker: FakeBroker, gateway: RecordingGateway, feed: Feed, clock: FakeClock
):
    monitor = make_monitor(broker, gateway, clock)
    await step(monitor, clock)
    feed.off()

    # three failed probes, but only 20 s since the first: not yet
    assert [await step(monitor, clock) for _ in range(3)] == ["probe_failed"] * 3
    feed.on()
    assert await step(monitor, clock) == "probe_ok"
    # many minutes of failures, but never three in a row
    for _ in range(20):
        feed.off()
        await step(monitor, clock, 30)
        await step(monitor, clock, 30)
        feed.on()
        await step(monitor, clock, 30)

    assert gateway.called("restart") == []
    assert monitor.state().data_fresh


async def test_a_closed_market_answering_only_the_close_is_healthy(
    broker: FakeBroker, gateway: RecordingGateway, feed: Feed, clock: FakeClock
):
    """A weekend: IB sends the previous close and no last, bid or ask; nothing is restarted."""
    monitor = make_monitor(broker, gateway, clock)
    weekend = Quote(symbol="SPY", bid=-1.0, ask=-1.0, close=499.87, timestamp=clock.now())
    broker.quotes[SPY.con_id] = weekend

    decisions = await run_for(monitor, clock, 3600)

    assert set(decisions) == {"probe_ok"}
    assert gateway.called("restart") == []
    assert monitor.state().last_reason == "SPY STK SMART USD close 499.87"
    broker.quotes[SPY.con_id] = Quote(symbol="SPY", bid=-1.0, ask=-1.0, timestamp=clock.now())
    assert await step(monitor, clock) == "probe_failed"  # not even a close: no data


async def test_enough_failures_over_a_short_time_do_not_restart(
    broker: FakeBroker, gateway: RecordingGateway, feed: Feed, clock: FakeClock
):
    monitor = make_monitor(broker, gateway, clock, failure_threshold=2, min_outage=60)
    feed.off()

    decisions = [await step(monitor, clock, 5) for _ in range(12)]  # 55 s of failures

    assert set(decisions) == {"probe_failed"}
    assert gateway.called("restart") == []
    state = monitor.state()
    assert not state.data_fresh and state.consecutive_failures == 12
    assert "no last, bid, ask or close" in state.last_reason


async def test_past_the_threshold_one_restart_then_reconnect_and_data_again(
    broker: FakeBroker, gateway: RecordingGateway, feed: Feed, clock: FakeClock
):
    monitor = make_monitor(broker, gateway, clock)
    await step(monitor, clock)
    feed.off()

    decisions = await run_for(monitor, clock, 600)

    assert decisions[:3] == ["probe_failed"] * 3  # 0, 10, 20 s into the outage
    assert decisions[3] == "recovered"  # 30 s: threshold and minimum duration both met
    assert set(decisions[4:]) == {"probe_ok"}
    assert len(gateway.called("restart")) == 1 and broker.reconnects == 1
    assert gateway.broker_reconnects_at_restart == [0]  # the reconnect came after the restart
    assert gateway.restarted_while_flowing == 0
    state = monitor.state()
    assert (state.restarts_last_hour, state.restarts_total) == (1, 1)
    assert state.data_fresh and state.last_restart_at is not None


async def test_backoff_doubles_the_wait_between_restarts(
    broker: FakeBroker, gateway: RecordingGateway, feed: Feed, clock: FakeClock
):
    gateway.heals = False
    monitor = make_monitor(broker, gateway, clock)
    feed.off()

    decisions = await run_for(monitor, clock, 1500)

    times = gateway.restart_times
    gaps = [b - a for a, b in itertools.pairwise(times)]
    assert len(times) >= 4
    # back-off 100, 200, 400 (capped) after each restart, each plus the ~1 s of verification
    for gap, wait in zip(gaps, (100, 200, 400), strict=False):
        assert wait <= gap <= wait + 15
    assert "suppressed_backoff" in decisions
    assert gateway.restarted_while_flowing == 0


async def test_backoff_ladder_starts_over_after_data_flowed_long_enough(
    broker: FakeBroker, gateway: RecordingGateway, feed: Feed, clock: FakeClock
):
    monitor = make_monitor(broker, gateway, clock)
    for _ in range(3):  # outage, healing restart, 400 s of good data (> backoff_reset_after)
        feed.off()
        await run_for(monitor, clock, 40)
        await run_for(monitor, clock, 400)

    gaps = [b - a for a, b in itertools.pairwise(gateway.restart_times)]
    assert len(gateway.restart_times) == 3
    assert all(gap < 450 for gap in gaps)  # no 200 s / 400 s back-off piled up
    assert monitor.state().next_restart_not_before is None


async def test_per_hour_cap_holds(
    broker: FakeBroker, gateway: RecordingGateway, feed: Feed, clock: FakeClock
):
    gateway.heals = False
    monitor = make_monitor(
        broker, gateway, clock, max_restarts_per_hour=2, backoff_initial=1, backoff_max=1
    )
    feed.off()
    start = clock.monotonic()

    decisions = await run_for(monitor, clock, 3 * 3600)

    times = [t - start for t in gateway.restart_times]
    for moment in range(0, 3 * 3600, 60):  # every rolling hour holds at most two restarts
        assert sum(moment <= t < moment + 3600 for t in times) <= 2
    assert 5 <= len(times) <= 6  # the cap frees up again once an hour has passed
    assert "suppressed_cap" in decisions
    assert monitor.state().restarts_last_hour <= 2


async def test_maintenance_window_suppresses_the_restart_and_says_so(
    broker: FakeBroker, gateway: RecordingGateway, feed: Feed, clock: FakeClock
):
    # FakeClock starts at 10:20:15 UTC; the window ends at 10:30
    window = MaintenanceWindow(day=None, start=time(10, 0), end=time(10, 30), tz="UTC")
    monitor = make_monitor(broker, gateway, clock, windows=(window,))
    feed.off()

    with capture_logs() as logs:
        decisions = await run_for(monitor, clock, 540)  # up to 10:29:15

    assert gateway.called("restart") == []
    assert decisions[3:] == ["suppressed_window"] * (len(decisions) - 3)
    suppressed = [e for e in logs if e.get("decision") == "suppressed_window"]
    assert suppressed and "daily 10:00-10:30 UTC" in suppressed[-1]["reason"]
    assert "no last, bid, ask or close" in suppressed[-1]["reason"]
    assert monitor.state().last_decision == "suppressed_window"

    await run_for(monitor, clock, 60)  # past 10:30
    assert len(gateway.called("restart")) == 1


async def test_every_decision_is_logged_with_its_reason(
    broker: FakeBroker, gateway: RecordingGateway, feed: Feed, clock: FakeClock
):
    monitor = make_monitor(broker, gateway, clock)
    feed.off()
    with capture_logs() as logs:
        decisions = await run_for(monitor, clock, 40)

    logged = [e["decision"] for e in logs if e["event"] == "health_monitor.decision"]
    assert logged == ["probe_failed"] * 3 + ["restart", "probe_ok", "recovered"]
    assert decisions == ["probe_failed"] * 3 + ["recovered"]
    restart = next(e for e in logs if e.get("decision") == "restart")
    assert restart["log_level"] == "warning"
    assert "4 failed probes over 30.0 s" in restart["reason"]
    assert all(e["reason"] for e in logs if "decision" in e)


async def test_disconnected_broker_gets_time_to_reconnect_on_its_own(
    broker: FakeBroker, gateway: RecordingGateway, clock: FakeClock
):
    monitor = make_monitor(broker, gateway, clock)
    await step(monitor, clock)
    broker.connected = False

    decisions = await run_for(monitor, clock, 50)  # 5 failed probes, but < 60 s
    broker.connected = True  # the broker's supervisor got the session back
    decisions += await run_for(monitor, clock, 300)

    assert decisions[:5] == ["probe_failed"] * 5
    assert set(decisions[5:]) == {"probe_ok"}
    assert gateway.called("restart") == [] and broker.reconnects == 0


async def test_disconnected_past_its_threshold_restarts_and_reconnects(
    broker: FakeBroker, gateway: RecordingGateway, clock: FakeClock
):
    monitor = make_monitor(broker, gateway, clock)
    broker.connected = False
    first_failure = clock.monotonic() + 10
    await step(monitor, clock)
    assert "broker disconnected" in monitor.state().last_reason
    assert not monitor.state().data_fresh

    decisions = await run_for(monitor, clock, 120)

    assert decisions.count("recovered") == 1
    assert len(gateway.called("restart")) == 1 and broker.reconnects == 1
    # the disconnected threshold (60 s), not the data threshold (25 s), applied
    assert 60 <= gateway.restart_times[0] - first_failure <= 70
    assert monitor.state().data_fresh


async def test_the_first_session_on_its_way_is_waited_for_not_warned_about(
    broker: FakeBroker, gateway: RecordingGateway, clock: FakeClock
):
    """At start-up the broker is still connecting: no warning for that; a gateway that never
    comes up is restarted after the same disconnected threshold as ever; once a session has
    been seen, a later reconnect is a failure again."""
    monitor = make_monitor(broker, gateway, clock)
    broker.connected, broker.connecting = False, True
    with capture_logs() as logs:
        first = await step(monitor, clock)
    assert first == "waiting_for_broker"
    assert [e["log_level"] for e in logs if "decision" in e] == ["info"]
    assert "broker connecting" in monitor.state().last_reason
    assert not monitor.state().data_fresh

    decisions = await run_for(monitor, clock, 120)  # it never connects by itself

    recovered = decisions.index("recovered")
    assert decisions[:recovered] == ["waiting_for_broker"] * recovered, decisions
    assert 60 <= gateway.restart_times[0] - (clock.monotonic() - 120) <= 70
    assert len(gateway.called("restart")) == 1 and broker.reconnects == 1
    assert monitor.state().data_fresh
    broker.connected, broker.connecting = False, True  # a later drop: the session was seen
    with capture_logs() as logs:
        assert await step(monitor, clock) == "probe_failed"
    assert [e["log_level"] for e in logs if "decision" in e] == ["warning"]


async def test_a_first_session_that_failed_is_warned_about_while_it_retries(
    broker: FakeBroker, gateway: RecordingGateway, clock: FakeClock
):
    """Retries after a failed attempt (the gateway refused or hung the handshake) are not a
    start-up on its way: they are failures, said as warnings."""
    monitor = make_monitor(broker, gateway, clock)
    broker.connected, broker.connecting = False, True
    broker.last_error = "Cannot connect to 127.0.0.1:4002: connection refused"
    with capture_logs() as logs:
        assert await step(monitor, clock) == "probe_failed"
    assert [e["log_level"] for e in logs if "decision" in e] == ["warning"]
    assert "connection refused" in monitor.state().last_reason


async def test_ib_connectivity_lost_at_start_is_not_a_session_on_its_way(
    broker: FakeBroker, gateway: RecordingGateway, clock: FakeClock
):
    """A session that is up while IB's own connection is lost (1100) counts as seen: a later
    reconnect is then a failure, not a start-up."""
    monitor = make_monitor(broker, gateway, clock)
    broker.connectivity_lost = IbNotice(code=1100, message="Connectivity lost", since=clock.now())
    assert await step(monitor, clock) == "probe_failed"
    broker.connectivity_lost = None
    broker.connected, broker.connecting = False, True
    assert await step(monitor, clock) == "probe_failed"


async def test_broker_errors_count_as_failed_probes(
    broker: FakeBroker, gateway: RecordingGateway, clock: FakeClock
):
    monitor = make_monitor(broker, gateway, clock)
    broker.fail("snapshot", MarketDataUnavailable("data farm down"), times=4)

    decisions = await run_for(monitor, clock, 40)

    assert decisions == ["probe_failed"] * 3 + ["recovered"]
    assert "data farm down" in monitor.state().last_reason or monitor.state().data_fresh
    assert len(gateway.called("restart")) == 1


async def test_unexpected_probe_errors_never_cause_a_restart(
    broker: FakeBroker, gateway: RecordingGateway, clock: FakeClock
):
    monitor = make_monitor(broker, gateway, clock)
    broker.fail("snapshot", RuntimeError("bug in our code"), times=20)

    with capture_logs() as logs:
        decisions = await run_for(monitor, clock, 200)

    assert set(decisions) == {"probe_error"}
    assert gateway.called("restart") == []
    assert "bug in our code" in monitor.state().last_reason
    assert sum("exc_info" in e for e in logs) == 1  # one traceback, not one per probe
    assert await step(monitor, clock) == "probe_ok"


async def test_failed_restart_is_reported_and_still_counts_for_backoff(
    broker: FakeBroker, gateway: RecordingGateway, feed: Feed, clock: FakeClock
):
    gateway.fail("restart", GatewayError("docker is gone"))
    monitor = make_monitor(broker, gateway, clock)
    feed.off()

    decisions = await run_for(monitor, clock, 40)
    assert decisions[-1] == "restart_failed"
    assert "docker is gone" in monitor.state().last_reason

    decisions = await run_for(monitor, clock, 60)
    assert "suppressed_backoff" in decisions
    assert len(gateway.called("restart")) == 1 and broker.reconnects == 0


async def test_no_restart_while_the_gateway_waits_for_a_login(
    broker: FakeBroker, gateway: RecordingGateway, feed: Feed, clock: FakeClock
):
    real_status = gateway.status

    async def waiting() -> GatewayStatus:
        return msgspec.structs.replace(await real_status(), phase="waiting_for_login")

    gateway.status = waiting  # type: ignore[method-assign]
    monitor = make_monitor(broker, gateway, clock)
    feed.off()

    decisions = await run_for(monitor, clock, 100)

    assert decisions[3:] == ["suppressed_gateway_busy"] * (len(decisions) - 3)
    assert gateway.called("restart") == []


async def test_a_snapshot_stamped_long_ago_counts_as_missing_data(
    broker: FakeBroker, gateway: RecordingGateway, feed: Feed, clock: FakeClock
):
    # a broker that keeps handing back the last prices it saw, as if the gateway still sent them
    monitor = make_monitor(broker, gateway, clock, max_quote_age=60)
    assert await step(monitor, clock) == "probe_ok"

    with capture_logs() as logs:
        decisions = await run_for(monitor, clock, 120)

    assert decisions[:5] == ["probe_ok"] * 5  # up to 60 s old is fine
    assert decisions[5:8] == ["probe_failed"] * 3
    assert decisions[8] == "recovered"  # the restart brought fresh prices
    restart = next(e for e in logs if e.get("decision") == "restart")
    assert "SPY STK SMART USD is 100.0 s old (limit 60 s)" in restart["reason"]
    assert len(gateway.called("restart")) == 1


async def test_restarts_turned_off_means_watch_and_report_only(
    broker: FakeBroker, gateway: RecordingGateway, feed: Feed, clock: FakeClock
):
    monitor = make_monitor(broker, gateway, clock, allow_restart=False)
    feed.off()

    decisions = await run_for(monitor, clock, 100)

    assert decisions[3:] == ["suppressed_disabled"] * (len(decisions) - 3)
    assert gateway.called("restart") == [] and not monitor.state().data_fresh


async def test_ib_connectivity_lost_waits_like_a_disconnect_before_a_restart(
    broker: FakeBroker, gateway: RecordingGateway, clock: FakeClock
):
    """During IB's 1100 the gateway reconnects to IB by itself; a restart after the short data
    threshold would only risk a 2FA prompt, so the disconnected threshold applies."""
    monitor = make_monitor(broker, gateway, clock)
    broker.connectivity_lost = IbNotice(code=1100, message="Connectivity between IB and "
                                        "Trader Workstation has been lost.", since=clock.now())  # fmt: skip
    first_failure = clock.monotonic() + 10
    await step(monitor, clock)
    assert "IB 1100" in monitor.state().last_reason

    decisions = await run_for(monitor, clock, 120)

    assert len(gateway.called("restart")) == 1
    assert 60 <= gateway.restart_times[0] - first_failure <= 70  # not the 25 s data threshold
    assert decisions[0] == "probe_failed"
