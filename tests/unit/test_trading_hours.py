"""IB's tradingHours / liquidHours strings read into days of regular and extended sessions."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from domain.trading_hours import IbSchedule, parse_sessions, trading_days

EASTERN = ZoneInfo("US/Eastern")
CENTRAL = ZoneInfo("US/Central")
STOCK = IbSchedule(
    time_zone="US/Eastern",
    trading_hours="20250301:CLOSED;20250302:CLOSED;20250303:0400-20250303:2000;"
    "20250304:0400-20250304:2000",
    liquid_hours="20250301:CLOSED;20250302:CLOSED;20250303:0930-20250303:1600;"
    "20250304:0930-20250304:1600",
)


def test_days_split_into_extended_and_regular_sessions_with_closed_days() -> None:
    saturday_noon = datetime(2025, 3, 1, 17, 0, tzinfo=UTC)
    days, now = trading_days(STOCK, EASTERN, saturday_noon, days=4)
    assert now == "closed"
    assert [(d.date, d.closed) for d in days] == [
        ("2025-03-01", True), ("2025-03-02", True), ("2025-03-03", False), ("2025-03-04", False),
    ]  # fmt: skip
    monday = days[2].sessions
    assert [(s.kind, s.open[11:16], s.close[11:16]) for s in monday] == [
        ("extended", "04:00", "09:30"), ("regular", "09:30", "16:00"),
        ("extended", "16:00", "20:00"),
    ]  # fmt: skip
    assert monday[1].open == "2025-03-03T09:30:00-05:00"


@pytest.mark.parametrize(
    ("hour_utc", "state"), [(12, "extended"), (15, "regular"), (22, "extended"), (2, "closed")]
)
def test_now_says_which_session_is_on(hour_utc: int, state: str) -> None:
    at = datetime(2025, 3, 3 if hour_utc > 2 else 4, hour_utc, 0, tzinfo=UTC)
    assert trading_days(STOCK, EASTERN, at, days=1)[1] == state


def test_an_overnight_session_belongs_to_the_day_it_closes() -> None:
    futures = IbSchedule(
        time_zone="US/Central",
        trading_hours="20250302:1700-20250303:1600;20250303:1700-20250304:1600",
        liquid_hours="20250303:0830-20250303:1500;20250304:0830-20250304:1500",
    )
    days, _ = trading_days(futures, CENTRAL, datetime(2025, 3, 3, 12, tzinfo=UTC), days=2)
    first = days[0].sessions
    assert [(s.kind, s.open[:16], s.close[11:16]) for s in first] == [
        ("extended", "2025-03-02T17:00", "08:30"), ("regular", "2025-03-03T08:30", "15:00"),
        ("extended", "2025-03-03T15:00", "16:00"),
    ]  # fmt: skip


def test_the_older_format_lists_several_sessions_under_one_date() -> None:
    windows, closed = parse_sessions("20090507:0700-1830,1830-2330;20090508:CLOSED", EASTERN)
    assert [(a.hour, b.hour) for a, b in windows] == [(7, 18), (18, 23)]
    assert [d.isoformat() for d in closed] == ["2009-05-08"]


def test_days_are_bounded_to_a_week() -> None:
    days, _ = trading_days(STOCK, EASTERN, datetime(2025, 3, 1, tzinfo=UTC), days=30)
    assert len(days) == 7 and days[-1].closed  # past what IB listed: no session known


def test_garbage_is_refused() -> None:
    with pytest.raises(ValueError):
        parse_sessions("tomorrow:morning", EASTERN)
