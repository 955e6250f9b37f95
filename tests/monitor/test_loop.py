"""The background loop: it keeps going through errors and stops when told to."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from structlog.testing import capture_logs

from tests.fakes import FakeBroker, FakeClock
from tests.monitor.support import Feed, RecordingGateway, YieldingClock, make_monitor


async def _until(condition: Callable[[], bool]) -> None:
    async with asyncio.timeout(5):
        while not condition():  # noqa: ASYNC110 - polling state that has no event
            await asyncio.sleep(0)


async def test_loop_outlives_exceptions_in_probes_and_restarts() -> None:
    clock, broker = YieldingClock(), FakeBroker()
    feed = Feed(broker, clock)
    gateway = RecordingGateway(clock, feed)
    gateway.heals = False
    broker.fail("connection_status", RuntimeError("adapter bug"), times=2)
    gateway.fail("restart", RuntimeError("docker client exploded"))  # escapes check_once
    monitor = make_monitor(broker, gateway, clock)
    feed.off()

    with capture_logs() as logs:
        async with monitor:
            await _until(lambda: len(gateway.called("restart")) >= 2)
            assert monitor.state().running

    decisions = [e["decision"] for e in logs if "decision" in e]
    assert decisions[:2] == ["probe_error", "probe_error"]
    assert "error" in decisions  # the escaped restart error, logged by the loop
    assert "suppressed_backoff" in decisions  # the failed restart still counted
    assert not monitor.state().running
    # probe interval, the faster retry while data is missing, and verification interval only
    assert set(clock.sleeps) <= {10, 5, 1}
    assert 5 in clock.sleeps


async def test_stop_cancels_the_loop_even_in_the_middle_of_a_restart() -> None:
    clock, broker = YieldingClock(), FakeBroker()
    feed = Feed(broker, clock)
    entered = asyncio.Event()

    class StuckGateway(RecordingGateway):
        async def restart(self) -> None:
            entered.set()
            await asyncio.Event().wait()

    monitor = make_monitor(broker, StuckGateway(clock, feed), clock, restart_timeout=3600)
    feed.off()
    await monitor.start()
    async with asyncio.timeout(5):
        await entered.wait()
        await monitor.stop()

    assert not monitor.state().running
    await monitor.stop()  # twice is fine


class StoppedClock(FakeClock):
    """Time stands still: the loop's sleeps never end by themselves."""

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        await asyncio.Event().wait()


async def test_wake_probes_at_once_after_a_failed_probe_and_never_while_data_flows() -> None:
    clock, broker = StoppedClock(), FakeBroker()
    feed = Feed(broker, clock)
    monitor = make_monitor(broker, RecordingGateway(clock, feed), clock)
    feed.off()
    async with monitor:
        await _until(lambda: monitor.state().last_decision == "probe_failed")
        await asyncio.sleep(0.01)
        assert len(broker.called("snapshot")) == 1  # asleep until the next retry
        feed.on()
        monitor.wake()  # e.g. IB said 1102, or a farm is OK again
        await _until(lambda: monitor.state().data_fresh)
        assert len(broker.called("snapshot")) == 2
        monitor.wake()  # data flows: nothing to look at again
        await asyncio.sleep(0.01)
        assert len(broker.called("snapshot")) == 2
