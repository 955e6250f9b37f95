"""A monitored world of fakes: a broker that quotes SPY, a gateway, a fake clock."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import UTC, datetime

import msgspec.structs

from application.services.health_monitor import HealthMonitor
from application.services.health_policy import MonitorPolicy
from domain.contract import Contract
from domain.market_data import Quote
from tests.fakes import FakeBroker, FakeClock, FakeGateway

SPY = Contract(
    sec_type="STK",
    con_id=756733,
    symbol="SPY",
    exchange="SMART",
    primary_exchange="ARCA",
    currency="USD",
)
PRICED = Quote(
    symbol="SPY",
    last_price=501.25,
    bid=501.2,
    ask=501.3,
    timestamp=datetime(2025, 10, 5, tzinfo=UTC),
)
# Small numbers that keep the arithmetic of the tests readable.
POLICY = MonitorPolicy(
    interval=10,
    failure_threshold=3,
    min_outage=25,
    disconnected_min_outage=60,
    verify_attempts=2,
    verify_interval=1,
    backoff_initial=100,
    backoff_max=400,
    backoff_reset_after=300,
    max_restarts_per_hour=10,
    max_quote_age=None,
    windows=(),
)


class Feed:
    """Turns the fake broker's SPY prices on (stamped with the clock's time) and off."""

    def __init__(self, broker: FakeBroker, clock: FakeClock) -> None:
        self.broker = broker
        self.clock = clock
        broker.contracts.append(SPY)
        self.on()

    def on(self) -> None:
        self.broker.quotes[SPY.con_id] = msgspec.structs.replace(PRICED, timestamp=self.clock.now())

    def off(self) -> None:
        self.broker.quotes.pop(SPY.con_id, None)

    @property
    def flowing(self) -> bool:
        return SPY.con_id in self.broker.quotes


class RecordingGateway(FakeGateway):
    """Notes when each restart happened; optionally brings the data back (a healing restart)."""

    def __init__(self, clock: FakeClock, feed: Feed | None = None) -> None:
        super().__init__()
        self.running = True
        self._clock = clock
        self.feed = feed
        self.heals = True
        self.restart_times: list[float] = []
        self.restarted_while_flowing = 0
        self.broker_reconnects_at_restart: list[int] = []

    async def restart(self) -> None:
        self.restart_times.append(self._clock.monotonic())
        if self.feed is not None:
            self.restarted_while_flowing += self.feed.flowing
            self.broker_reconnects_at_restart.append(self.feed.broker.reconnects)
        await super().restart()
        if self.feed is not None and self.heals:
            self.feed.on()


class YieldingClock(FakeClock):
    """A fake clock whose sleep lets other tasks run, for tests of the background loop."""

    async def sleep(self, seconds: float) -> None:
        await super().sleep(seconds)
        await asyncio.sleep(0)


def make_monitor(
    broker: FakeBroker, gateway: FakeGateway, clock: FakeClock, **policy: object
) -> HealthMonitor:
    return HealthMonitor(broker, gateway, clock, replace(POLICY, **policy))  # type: ignore[arg-type]


async def step(monitor: HealthMonitor, clock: FakeClock, seconds: float | None = None) -> str:
    """Let one probe interval pass, then probe once (what the loop does)."""
    clock.advance(monitor.policy.interval if seconds is None else seconds)
    return await monitor.check_once()


async def run_for(monitor: HealthMonitor, clock: FakeClock, seconds: float) -> list[str]:
    decisions = []
    end = clock.monotonic() + seconds
    while clock.monotonic() < end:
        decisions.append(await step(monitor, clock))
    return decisions
