"""Exchange calendars for the simulated market: trading days, sessions and IB's hours strings.

Holidays follow the NYSE rules so that the hours strings IB clients parse (and the bars we
produce) skip the same days a real US gateway skips.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

EASTERN = ZoneInfo("US/Eastern")
CENTRAL = ZoneInfo("US/Central")
GERMAN = ZoneInfo("MET")


def _easter(year: int) -> date:
    # Anonymous Gregorian algorithm (Meeus/Jones/Butcher).
    a, b, c = year % 19, year // 100, year % 100
    d, e = b // 4, b % 4
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = c // 4, c % 4
    el = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * el) // 451
    month = (h + el - 7 * m + 114) // 31
    day = (h + el - 7 * m + 114) % 31 + 1
    return date(year, month, day)


def _nth_weekday(year: int, month: int, weekday: int, n: int) -> date:
    first = date(year, month, 1)
    return first + timedelta(days=(weekday - first.weekday()) % 7 + 7 * (n - 1))


def _last_weekday(year: int, month: int, weekday: int) -> date:
    nxt = date(year + (month == 12), month % 12 + 1, 1)
    last = nxt - timedelta(days=1)
    return last - timedelta(days=(last.weekday() - weekday) % 7)


def _observed(d: date) -> date | None:
    # NYSE moves Sunday holidays to Monday and Saturday ones to Friday, except New Year's
    # Day, whose Saturday case is simply not observed (it would fall in the prior year).
    if d.weekday() == 6:
        return d + timedelta(days=1)
    if d.weekday() == 5:
        return None if (d.month, d.day) == (1, 1) else d - timedelta(days=1)
    return d


@lru_cache(maxsize=64)
def holidays(year: int) -> frozenset[date]:
    fixed = [date(year, 1, 1), date(year, 7, 4), date(year, 12, 25)]
    if year >= 2022:
        fixed.append(date(year, 6, 19))
    days = {o for o in map(_observed, fixed) if o is not None}
    days |= {
        _nth_weekday(year, 1, 0, 3),  # Martin Luther King Jr. Day
        _nth_weekday(year, 2, 0, 3),  # Presidents' Day
        _easter(year) - timedelta(days=2),  # Good Friday
        _last_weekday(year, 5, 0),  # Memorial Day
        _nth_weekday(year, 9, 0, 1),  # Labor Day
        _nth_weekday(year, 11, 3, 4),  # Thanksgiving
    }
    return frozenset(days)


def is_trading_day(d: date) -> bool:
    return d.weekday() < 5 and d not in holidays(d.year)


def early_close(d: date) -> bool:
    """Half days (13:00 close): July 3rd, the day after Thanksgiving, Christmas Eve."""
    if not is_trading_day(d):
        return False
    thanksgiving = _nth_weekday(d.year, 11, 3, 4)
    return d in {date(d.year, 7, 3), thanksgiving + timedelta(days=1), date(d.year, 12, 24)}


def next_trading_day(d: date, step: int = 1) -> date:
    """The nearest trading day strictly after (step=1) or before (step=-1) ``d``."""
    d += timedelta(days=step)
    while not is_trading_day(d):
        d += timedelta(days=step)
    return d


def trading_day_on_or_before(d: date) -> date:
    return d if is_trading_day(d) else next_trading_day(d, -1)


@dataclass(frozen=True, slots=True)
class SessionHours:
    """One daily session in an exchange's local time; ``overnight`` starts it the evening before."""

    tz: ZoneInfo
    start: time
    end: time
    overnight: bool = False
    early_end: time | None = None  # the close on half days

    def window(self, d: date) -> tuple[datetime, datetime]:
        """The session that trades for trading day ``d``, as tz-aware datetimes."""
        return _window(self, d)

    def ib_string(self, today: date, days: int = 7) -> str:
        """IB's hours format, e.g. ``20261125:0400-20261125:2000;20261126:CLOSED``."""
        return _ib_string(self, today, days)


@lru_cache(maxsize=4096)
def _window(hours: SessionHours, d: date) -> tuple[datetime, datetime]:
    # Overnight sessions open the evening before (Sunday evening for Monday).
    first = d - timedelta(days=1) if hours.overnight else d
    end = hours.early_end if (hours.early_end and early_close(d)) else hours.end
    return (
        datetime.combine(first, hours.start, hours.tz),
        datetime.combine(d, end, hours.tz),
    )


@lru_cache(maxsize=256)
def _ib_string(hours: SessionHours, today: date, days: int) -> str:
    parts = []
    for i in range(days):
        d = today + timedelta(days=i)
        if not is_trading_day(d):
            # An overnight session that opens this evening is listed under the next day.
            if not (hours.overnight and is_trading_day(d + timedelta(days=1))):
                parts.append(f"{d:%Y%m%d}:CLOSED")
            continue
        a, b = hours.window(d)
        parts.append(f"{a:%Y%m%d:%H%M}-{b:%Y%m%d:%H%M}")
    return ";".join(parts)


# The sessions our instrument classes use (trading hours, liquid hours).
STOCK_EXTENDED = SessionHours(EASTERN, time(4, 0), time(20, 0), early_end=time(17, 0))
STOCK_REGULAR = SessionHours(EASTERN, time(9, 30), time(16, 0), early_end=time(13, 0))
OPTION_REGULAR = SessionHours(EASTERN, time(9, 30), time(16, 0), early_end=time(13, 0))
INDEX_REGULAR = SessionHours(EASTERN, time(9, 30), time(16, 15), early_end=time(13, 15))
FUTURE_GLOBEX = SessionHours(CENTRAL, time(17, 0), time(16, 0), overnight=True)
FUTURE_REGULAR = SessionHours(CENTRAL, time(8, 30), time(15, 0), early_end=time(12, 0))
FX_IDEALPRO = SessionHours(EASTERN, time(17, 15), time(17, 0), overnight=True)
XETRA_EXTENDED = SessionHours(GERMAN, time(8, 0), time(22, 0))
XETRA_REGULAR = SessionHours(GERMAN, time(9, 0), time(17, 30))
