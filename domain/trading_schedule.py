"""A contract's historical trading schedule: its sessions over past trading days, as IB's
historical data service records them (reqHistoricalData whatToShow=SCHEDULE).

Unlike the trading hours of the contract's details (the days ahead), the schedule looks back
from an end: one session per trading day, holidays absent, half days closing early. Each
session carries the trading day it belongs to (``ref_date``): an overnight session (futures,
currencies) opens the evening before it.
"""

from __future__ import annotations

import msgspec
from msgspec import UNSET, UnsetType

from domain.errors import InvalidRequest

MAX_SCHEDULE_DAYS = 30
DEFAULT_SCHEDULE_DAYS = 5


def check_days(days: int) -> int:
    if not 1 <= days <= MAX_SCHEDULE_DAYS:
        raise InvalidRequest(
            f"days must be 1 to {MAX_SCHEDULE_DAYS} trading days; got {days}", field="days"
        )
    return days


class ScheduledSession(msgspec.Struct, frozen=True, kw_only=True):
    """One session: its opening and closing times (ISO 8601 with the zone's offset)."""

    start: str
    end: str
    ref_date: str  # YYYY-MM-DD, the trading day the session belongs to


class BrokerSchedule(msgspec.Struct, frozen=True, kw_only=True):
    """What the broker answers: its time zone name and the sessions, oldest first."""

    time_zone: str
    sessions: list[ScheduledSession]


class TradingSchedule(msgspec.Struct, frozen=True, kw_only=True):
    contract_id: int
    symbol: str
    time_zone: str  # IB's name of the exchange's zone, e.g. US/Eastern
    use_rth: bool  # true: regular sessions; false: with pre- and post-market
    # the first session's opening and the last one's closing (absent without sessions)
    start: str | UnsetType = UNSET
    end: str | UnsetType = UNSET
    sessions: list[ScheduledSession]  # oldest first
    count: int
