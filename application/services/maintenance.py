"""Maintenance windows: the times when IB itself takes the gateway down, so we must not.

IB resets its North American servers every night (published as 23:45-00:45 ET for years and
as 00:15-01:45 ET lately), runs weekend maintenance from Friday 23:00 ET to Saturday 03:00 ET,
and invalidates the gateway's login tokens every Sunday at 01:00 ET (the next login needs
2FA). Data gaps in those windows are expected; restarting the gateway then only costs a login.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from domain.errors import InvalidRequest

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
EASTERN = "America/New_York"


def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise InvalidRequest(
            f"Unknown time zone {name!r}; use an IANA name such as America/New_York",
            field="maintenance_windows",
        ) from None


@dataclass(frozen=True, kw_only=True)
class MaintenanceWindow:
    """From ``start`` to ``end`` local time in ``tz``, on ``day`` (0 = Monday) or daily (None).

    An ``end`` at or before ``start`` crosses midnight: the window starts on ``day`` and ends
    the next morning.
    """

    day: int | None
    start: time
    end: time
    tz: str = EASTERN

    def __post_init__(self) -> None:
        if self.day is not None and not 0 <= self.day <= 6:
            raise InvalidRequest(f"day must be 0 (Monday) to 6 (Sunday); got {self.day}")
        _zone(self.tz)

    def contains(self, moment: datetime) -> bool:
        local = moment.astimezone(_zone(self.tz))
        now = local.time()
        if self.start < self.end:
            return self.start <= now < self.end and self._on(local.weekday())
        if now >= self.start:  # evening part: the window started today
            return self._on(local.weekday())
        if now < self.end:  # morning part: the window started yesterday
            return self._on((local - timedelta(days=1)).weekday())
        return False

    def describe(self) -> str:
        day = "daily" if self.day is None else DAYS[self.day]
        return f"{day} {self.start:%H:%M}-{self.end:%H:%M} {self.tz}"

    def _on(self, weekday: int) -> bool:
        return self.day is None or self.day == weekday


DEFAULT_WINDOWS: tuple[MaintenanceWindow, ...] = (
    # the nightly reset, covering both published schedules
    MaintenanceWindow(day=None, start=time(23, 45), end=time(1, 45)),
    # weekend maintenance, Friday night into Saturday morning
    MaintenanceWindow(day=4, start=time(23, 0), end=time(3, 0)),
    # Sunday 01:00 ET the login tokens expire: the gateway needs a fresh (2FA) login
    MaintenanceWindow(day=6, start=time(0, 45), end=time(3, 0)),
)


def active_window(
    moment: datetime, windows: tuple[MaintenanceWindow, ...]
) -> MaintenanceWindow | None:
    """The first window that contains ``moment`` (an aware datetime), if any."""
    return next((w for w in windows if w.contains(moment)), None)


def parse_window(text: str) -> MaintenanceWindow:
    """``"daily 23:45-01:45"``, ``"sun 00:45-03:00 America/New_York"``: day, span, optional tz."""
    parts = text.split()
    if len(parts) not in (2, 3) or "-" not in parts[1]:
        raise InvalidRequest(
            f"A maintenance window is '<daily|mon..sun> HH:MM-HH:MM [timezone]'; got {text!r}",
            field="maintenance_windows",
        )
    word = parts[0].lower()
    if word != "daily" and word[:3] not in DAYS:
        raise InvalidRequest(
            f"Unknown day {parts[0]!r} in maintenance window {text!r}",
            field="maintenance_windows",
            accepted=["daily", *DAYS],
        )
    start_text, end_text = parts[1].split("-", 1)
    try:
        start, end = time.fromisoformat(start_text), time.fromisoformat(end_text)
    except ValueError:
        raise InvalidRequest(
            f"Times in maintenance window {text!r} must be HH:MM", field="maintenance_windows"
        ) from None
    return MaintenanceWindow(
        day=None if word == "daily" else DAYS.index(word[:3]),
        start=start,
        end=end,
        tz=parts[2] if len(parts) == 3 else EASTERN,
    )


def parse_windows(texts: list[str] | tuple[str, ...]) -> tuple[MaintenanceWindow, ...]:
    return tuple(parse_window(t) for t in texts if t.strip())
