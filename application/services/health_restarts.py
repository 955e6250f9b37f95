"""The monitor's restart budget: a cap per rolling hour and exponential back-off."""

from __future__ import annotations

from collections import deque
from datetime import datetime, timedelta

from application.ports import Clock
from application.services.health_policy import MonitorPolicy

HOUR = 3600.0


class RestartBudget:
    """Restart ``n`` (0-based) is followed by a pause of ``backoff_initial * 2**n`` (capped);
    the ladder starts over once data has flowed for ``backoff_reset_after`` seconds."""

    def __init__(self, policy: MonitorPolicy, clock: Clock) -> None:
        self._policy = policy
        self._clock = clock
        self._times: deque[float] = deque()  # monotonic, for the rolling hour
        self._ladder = 0
        self._not_before: float | None = None
        self.total = 0
        self.last_at: datetime | None = None

    def refusal(self) -> tuple[str, str] | None:
        """The decision and reason that forbid a restart now (cap or back-off), if any."""
        p = self._policy
        recent = self.last_hour()
        if recent >= p.max_restarts_per_hour:
            return (
                "suppressed_cap",
                f"{recent} restarts in the last hour (cap {p.max_restarts_per_hour})",
            )
        now = self._clock.monotonic()
        if self._not_before is not None and now < self._not_before:
            return "suppressed_backoff", (
                f"backing off for another {self._not_before - now:.0f} s after "
                f"{self._ladder} restart(s)"
            )
        return None

    def spend(self) -> float:
        """Count a restart starting now; returns the pause to keep after it."""
        p = self._policy
        self._times.append(self._clock.monotonic())
        self.total += 1
        self.last_at = self._clock.now()
        delay: float = min(p.backoff_max, p.backoff_initial * 2.0**self._ladder)
        self._ladder += 1
        return delay

    def pause(self, delay: float) -> None:
        """No restart for ``delay`` seconds from now (called when a restart has finished)."""
        self._not_before = self._clock.monotonic() + delay

    def data_flowing(self, for_seconds: float) -> None:
        if self._ladder and for_seconds >= self._policy.backoff_reset_after:
            self._ladder = 0
            self._not_before = None

    def last_hour(self) -> int:
        now = self._clock.monotonic()
        while self._times and now - self._times[0] >= HOUR:
            self._times.popleft()
        return len(self._times)

    def not_before(self) -> datetime | None:
        now = self._clock.monotonic()
        if self._not_before is None or self._not_before <= now:
            return None
        return self._clock.now() + timedelta(seconds=self._not_before - now)
