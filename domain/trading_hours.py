"""A contract's sessions, read from IB's tradingHours / liquidHours strings.

IB writes them in the contract's time zone (``timeZoneId``), one entry per day separated by
``;``: ``20260105:0400-20260105:2000`` (a session), ``20260104:CLOSED`` (no session), older
gateways ``20260105:0930-1600,1700-1800`` (several sessions, the date written once). A session
that opens the evening before (futures, currencies) belongs to the day it closes on. Trading
hours include the extended sessions; liquid hours are the regular session only.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta, tzinfo
from typing import Literal

import msgspec

MAX_DAYS = 7

Window = tuple[datetime, datetime]


class TradingSession(msgspec.Struct, frozen=True, kw_only=True):
    """One session, with its opening and closing times (ISO 8601 with the contract's offset)."""

    kind: Literal["regular", "extended"]
    open: str
    close: str


class TradingDay(msgspec.Struct, frozen=True, kw_only=True):
    date: str  # YYYY-MM-DD, the trading day (the day the sessions close on)
    closed: bool
    sessions: list[TradingSession]


class TradingHours(msgspec.Struct, frozen=True, kw_only=True):
    """The next days' sessions of a contract, in its exchange's time zone."""

    contract_id: int
    symbol: str
    sec_type: str
    time_zone: str
    # "regular", "extended" or "closed": the session the contract is in right now.
    now: Literal["regular", "extended", "closed"]
    days: list[TradingDay]


class IbSchedule(msgspec.Struct, frozen=True, kw_only=True):
    """IB's raw strings from contract details."""

    time_zone: str
    trading_hours: str
    liquid_hours: str


def parse_sessions(text: str, zone: tzinfo) -> tuple[list[Window], set[date]]:
    """The sessions of an IB hours string and the days it marks CLOSED.

    Raises ValueError for text that is not in IB's format."""
    windows: list[Window] = []
    closed: set[date] = set()
    for entry in filter(None, (part.strip() for part in text.split(";"))):
        day_text, _, rest = entry.partition(":")
        day = datetime.strptime(day_text, "%Y%m%d").date()
        if rest.upper() == "CLOSED":
            closed.add(day)
            continue
        for span in filter(None, rest.split(",")):
            start_text, _, end_text = span.partition("-")
            windows.append((_at(day, start_text, zone), _at(day, end_text, zone)))
    for start, end in windows:
        if end <= start:
            raise ValueError(f"session closes before it opens: {start} - {end}")
    return windows, closed


def _at(day: date, text: str, zone: tzinfo) -> datetime:
    """``0930`` on ``day`` or ``20260105:0930`` (dated), in the contract's zone."""
    if ":" in text:
        day_text, _, text = text.partition(":")
        day = datetime.strptime(day_text, "%Y%m%d").date()
    clock = datetime.strptime(text, "%H%M").time()
    return datetime.combine(day, clock, zone)


def trading_days(
    schedule: IbSchedule, zone: tzinfo, now: datetime, days: int = MAX_DAYS
) -> tuple[list[TradingDay], Literal["regular", "extended", "closed"]]:
    """``days`` days from today (in ``zone``): their sessions, and the session at ``now``.

    An extended session is the part of a trading-hours session outside the regular ones."""
    trading, closed = parse_sessions(schedule.trading_hours, zone)
    regular, closed_regular = parse_sessions(schedule.liquid_hours, zone)
    if not trading:  # some contracts list liquid hours only
        trading = list(regular)
    closed |= closed_regular
    today = now.astimezone(zone).date()
    out = []
    for offset in range(max(1, min(days, MAX_DAYS))):
        day = today + timedelta(days=offset)
        sessions = [
            TradingSession(kind=kind, open=start.isoformat(), close=end.isoformat())
            for kind, start, end in _split(day, trading, regular)
        ]
        out.append(TradingDay(date=day.isoformat(), closed=not sessions, sessions=sessions))
    state: Literal["regular", "extended", "closed"] = "closed"
    if any(start <= now < end for start, end in regular):
        state = "regular"
    elif any(start <= now < end for start, end in trading):
        state = "extended"
    return out, state


def _split(
    day: date, trading: list[Window], regular: list[Window]
) -> list[tuple[Literal["regular", "extended"], datetime, datetime]]:
    """The day's sessions (by closing day), regular ones cut out of the trading ones."""
    mine = sorted(w for w in trading if w[1].date() == day)
    regular_today = sorted(w for w in regular if w[1].date() == day)
    pieces: list[tuple[Literal["regular", "extended"], datetime, datetime]] = []
    for start, end in mine:
        cursor = start
        for r_start, r_end in regular_today:
            if r_end <= cursor or r_start >= end:
                continue
            if r_start > cursor:
                pieces.append(("extended", cursor, r_start))
            pieces.append(("regular", max(r_start, cursor), min(r_end, end)))
            cursor = min(r_end, end)
        if cursor < end:
            pieces.append(("extended", cursor, end))
    covered = [(s, e) for _, s, e in pieces]
    for r_start, r_end in regular_today:  # regular sessions outside any trading session
        if not any(s <= r_start and r_end <= e for s, e in covered):
            pieces.append(("regular", r_start, r_end))
    return sorted(pieces, key=lambda p: p[1])
