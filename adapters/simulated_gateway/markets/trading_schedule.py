"""An instrument's historical trading schedule (IB's reqHistoricalData whatToShow=SCHEDULE).

The sessions come from the same calendar as the bars: the regular (liquid) session with
useRTH, the whole trading session without; weekends and exchange holidays have none, half
days close early and overnight sessions (futures, currencies) belong to the day they close on.
The duration counts back from the end as a bar request's does: ``N D`` is N sessions, ``N W``,
``N M`` and ``N Y`` calendar spans. The end may lie ahead: a calendar is known in advance.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from adapters.simulated_gateway.model import HistoricalDataError, Instrument

from .sessions import schedule_of, session_day
from .trading_calendar import SessionHours, is_trading_day

# The simulator's bound (IB states none): at most 366 sessions in one answer.
_LIMITS = {"D": 366, "W": 52, "M": 12, "Y": 1}
_DURATION = re.compile(r"^(\d+)\s+([SDWMY])$")


@dataclass(frozen=True, slots=True)
class ScheduledSession:
    start: datetime  # in the schedule's zone
    end: datetime
    ref_date: date  # the trading day the session belongs to


@dataclass(frozen=True, slots=True)
class TradingSchedule:
    zone: str  # IB's name of the zone every time is written in, e.g. US/Eastern
    sessions: list[ScheduledSession]  # oldest first, never empty


def _invalid(cause: str) -> HistoricalDataError:
    return HistoricalDataError(321, f"Error validating request.-'bP' : cause - {cause}")


def _span(duration: str) -> tuple[int, str]:
    m = _DURATION.match(duration.strip().upper())
    if m is None or int(m[1]) <= 0:
        raise _invalid(f"Historical data query duration is invalid: {duration!r} (use 'N D|W|M|Y')")
    amount, unit = int(m[1]), m[2]
    if unit not in _LIMITS:
        raise _invalid(f"A schedule's duration is counted in days, weeks, months or years, "
                       f"not seconds: {duration!r}")  # fmt: skip
    if amount > _LIMITS[unit]:
        raise _invalid(f"Historical schedule duration is too long: {duration!r} "
                       "(at most 366 D, 52 W, 12 M or 1 Y)")  # fmt: skip
    return amount, unit


def _months_before(d: date, months: int) -> date:
    y, m = divmod(d.year * 12 + d.month - 1 - months, 12)
    day = d.day
    while True:
        try:
            return date(y, m + 1, day)
        except ValueError:  # the 31st of a shorter month: its last day
            day -= 1


def _first_day(last: date, amount: int, unit: str) -> date:
    if unit == "D":  # trading sessions, not calendar days
        d = last
        for _ in range(amount - 1):
            d -= timedelta(days=1)
            while not is_trading_day(d):
                d -= timedelta(days=1)
        return d
    if unit == "W":
        return last - timedelta(weeks=amount) + timedelta(days=1)
    months = amount * (12 if unit == "Y" else 1)
    return _months_before(last, months) + timedelta(days=1)


def trading_schedule(
    inst: Instrument, end: datetime, duration: str, use_rth: bool
) -> TradingSchedule:
    """The sessions over ``duration`` up to the last one opened by ``end`` (tz-aware);
    raises HistoricalDataError (321) for a duration IB's grammar or our bound refuses."""
    amount, unit = _span(duration)
    sched = schedule_of(inst)
    hours: SessionHours = sched.liquid if use_rth else sched.trading
    last = session_day(hours, end)
    d = _first_day(last, amount, unit)
    sessions = []
    while d <= last:
        if is_trading_day(d):
            start, close = hours.window(d)
            sessions.append(ScheduledSession(start=start, end=close, ref_date=d))
        d += timedelta(days=1)
    return TradingSchedule(zone=hours.tz.key, sessions=sessions)
