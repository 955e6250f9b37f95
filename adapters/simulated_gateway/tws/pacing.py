"""IB's pacing rules, per client connection, on the wall clock (as the real gateway does).

- More than 50 messages in one second: error 100 (a warning here; the real gateway
  disconnects repeat offenders, the simulator never does).
- Historical data for small bars (30 seconds or less), IB's documented limits: no identical
  request within 15 s, no more than 6 requests for the same contract/exchange/tick type
  within 2 s, no more than 60 requests in any 10 minutes; BID_ASK counts twice. Violations
  get error 162.
"""

from __future__ import annotations

from collections import deque

MAX_MESSAGES_PER_SECOND = 50
HISTORICAL_PACING_TEXT = (
    "Historical Market Data Service error message:Historical data request pacing violation"
)
_SMALL_BAR_SECONDS = 30
_UNIT_SECONDS = {"sec": 1, "secs": 1, "min": 60, "mins": 60, "hour": 3600, "hours": 3600}


class MessageRate:
    """Counts messages per one-second window; says when to warn (once per window)."""

    __slots__ = ("_count", "_warned", "_window_start")

    def __init__(self) -> None:
        self._window_start = -1.0
        self._count = 0
        self._warned = False

    def exceeded(self, now: float, messages: int = 1) -> int:
        """Record ``messages``; return the window's count if a warning is due, else 0."""
        if now - self._window_start >= 1.0:
            self._window_start = now
            self._count = 0
            self._warned = False
        self._count += messages
        if self._count > MAX_MESSAGES_PER_SECOND and not self._warned:
            self._warned = True
            return self._count
        return 0


def is_small_bar(bar_size: str) -> bool:
    parts = bar_size.split()
    if len(parts) != 2 or parts[1] not in _UNIT_SECONDS:
        return False
    try:
        return float(parts[0]) * _UNIT_SECONDS[parts[1]] <= _SMALL_BAR_SECONDS
    except ValueError:
        return False


class HistoricalPacing:
    """Remembers recent small-bar historical requests of one connection."""

    def __init__(self) -> None:
        self._all: deque[float] = deque()
        self._identical: dict[tuple[object, ...], float] = {}
        self._by_contract: dict[tuple[object, ...], deque[float]] = {}

    def violates(
        self,
        now: float,
        request: tuple[object, ...],
        contract_key: tuple[object, ...],
        weight: int = 1,
    ) -> bool:
        """Check (and, when allowed, record) a request. ``request`` identifies it exactly."""
        while self._all and now - self._all[0] > 600:
            self._all.popleft()
        recent = self._by_contract.setdefault(contract_key, deque())
        while recent and now - recent[0] > 2:
            recent.popleft()
        last_same = self._identical.get(request)
        if (
            (last_same is not None and now - last_same < 15)
            or len(recent) + weight > 6
            or len(self._all) + weight > 60
        ):
            return True
        self._identical[request] = now
        for _ in range(weight):
            recent.append(now)
            self._all.append(now)
        if len(self._identical) > 1000:  # bounded memory: forget old identical-request stamps
            self._identical = {k: t for k, t in self._identical.items() if now - t < 15}
        return False
