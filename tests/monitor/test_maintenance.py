"""Maintenance windows: IB's nightly and weekend resets, in New York time, across midnight."""

from __future__ import annotations

from datetime import UTC, datetime, time
from zoneinfo import ZoneInfo

import pytest

from application.services.maintenance import (
    DEFAULT_WINDOWS,
    MaintenanceWindow,
    active_window,
    parse_window,
    parse_windows,
)
from domain.errors import InvalidRequest

NY = ZoneInfo("America/New_York")


def ny(day: int, hour: int, minute: int = 0) -> datetime:
    """A moment in the week of Monday 2025-03-03 (EST) ... or 2025-07-07 (EDT) for day >= 7."""
    base = datetime(2025, 3, 3) if day < 7 else datetime(2025, 7, 7)
    local = base.replace(day=base.day + day % 7, hour=hour, minute=minute, tzinfo=NY)
    return local.astimezone(UTC)  # callers pass UTC, as the clock does


@pytest.mark.parametrize(
    ("moment", "expected"),
    [
        (ny(0, 23, 50), "daily 23:45-01:45 America/New_York"),  # Monday night
        (ny(1, 0, 30), "daily 23:45-01:45 America/New_York"),  # past midnight
        (ny(8, 1, 40), "daily 23:45-01:45 America/New_York"),  # summer time too
        (ny(5, 2, 30), "fri 23:00-03:00 America/New_York"),  # Saturday morning
        (ny(4, 23, 10), "fri 23:00-03:00 America/New_York"),  # Friday night
        (ny(13, 2, 0), "sun 00:45-03:00 America/New_York"),  # Sunday token expiry
        (ny(1, 2, 0), None),
        (ny(3, 23, 10), None),  # Thursday 23:10 is not weekend maintenance
        (ny(6, 3, 30), None),
        (ny(2, 12, 0), None),
    ],
)
def test_default_windows(moment: datetime, expected: str | None) -> None:
    window = active_window(moment, DEFAULT_WINDOWS)
    assert (window.describe() if window else None) == expected


def test_daytime_window_on_one_weekday() -> None:
    window = MaintenanceWindow(day=2, start=time(9), end=time(10), tz="UTC")
    assert window.contains(datetime(2025, 3, 5, 9, 30, tzinfo=UTC))  # Wednesday
    assert not window.contains(datetime(2025, 3, 5, 10, 0, tzinfo=UTC))
    assert not window.contains(datetime(2025, 3, 6, 9, 30, tzinfo=UTC))


def test_parse_windows() -> None:
    assert parse_windows(["daily 23:45-00:45", "Sunday 01:00-03:30 Europe/Zurich", " "]) == (
        MaintenanceWindow(day=None, start=time(23, 45), end=time(0, 45)),
        MaintenanceWindow(day=6, start=time(1), end=time(3, 30), tz="Europe/Zurich"),
    )


@pytest.mark.parametrize(
    "text",
    ["nightly 23:45-00:45", "daily 23:45", "daily 25:00-01:00", "sun 01:00-02:00 Mars/Olympus"],
)
def test_parse_window_rejects_nonsense(text: str) -> None:
    with pytest.raises(InvalidRequest):
        parse_window(text)
