"""IB's historical-data request grammar: durations, bar sizes, data types and their limits."""

from __future__ import annotations

import re
from dataclasses import dataclass

from adapters.simulated_gateway.model import HistoricalDataError

BAR_SECONDS = {
    "1 secs": 1, "5 secs": 5, "10 secs": 10, "15 secs": 15, "30 secs": 30,
    "1 min": 60, "2 mins": 120, "3 mins": 180, "5 mins": 300, "10 mins": 600,
    "15 mins": 900, "20 mins": 1200, "30 mins": 1800,
    "1 hour": 3600, "2 hours": 7200, "3 hours": 10800, "4 hours": 14400, "8 hours": 28800,
    "1 day": 86400, "1 week": 7 * 86400, "1 month": 31 * 86400,
}  # fmt: skip
WHAT_TO_SHOW = (
    "TRADES", "MIDPOINT", "BID", "ASK", "BID_ASK", "ADJUSTED_LAST",
    "HISTORICAL_VOLATILITY", "OPTION_IMPLIED_VOLATILITY",
)  # fmt: skip
_UNIT_SECONDS = {"S": 1, "D": 86400, "W": 7 * 86400, "M": 31 * 86400, "Y": 366 * 86400}
# The longest duration IB serves for its second bars (its "step size" table).
_SECOND_BAR_LIMITS = {1: 1800, 5: 7200, 10: 14400, 15: 14400, 30: 28800}
MAX_NOMINAL_BARS = 100_000  # beyond this IB refuses outright
MAX_BARS = 10_000  # we return at most the latest this many
_DURATION = re.compile(r"^(\d+)\s+([SDWMY])$")


@dataclass(frozen=True, slots=True)
class Request:
    amount: int
    unit: str  # S, D, W, M, Y
    bar: str  # canonical bar size, e.g. "5 mins"
    bar_seconds: int
    what: str

    @property
    def daily_or_longer(self) -> bool:
        return self.bar_seconds >= 86400


def _invalid(cause: str) -> HistoricalDataError:
    return HistoricalDataError(321, f"Error validating request.-'bP' : cause - {cause}")


def canonical_bar(bar_size: str) -> str:
    """IB's spelling of a bar size; also accepts '1 mins', '1 hours', '2 min' and such."""
    text = " ".join(bar_size.strip().lower().split())
    n, _, unit = text.partition(" ")
    unit = {"sec": "secs", "second": "secs", "seconds": "secs", "min": "mins",
            "minute": "mins", "minutes": "mins", "hours": "hour", "hour": "hour",
            "days": "day", "weeks": "week", "months": "month"}.get(unit, unit)  # fmt: skip
    if unit == "mins" and n == "1":
        unit = "min"
    elif unit == "hour" and n != "1":
        unit = "hours"
    return f"{n} {unit}"


def parse(duration: str, bar_size: str, what_to_show: str) -> Request:
    m = _DURATION.match(duration.strip().upper())
    if m is None or int(m[1]) <= 0:
        raise _invalid(
            f"Historical data query duration is invalid: {duration!r} (use 'N S|D|W|M|Y')"
        )
    bar = canonical_bar(bar_size)
    if bar not in BAR_SECONDS:
        legal = ", ".join(BAR_SECONDS)
        raise _invalid(f"Historical data bar size setting is invalid. Legal ones are: {legal}")
    what = what_to_show.strip().upper()
    if what not in WHAT_TO_SHOW:
        raise _invalid(f"Historical data whatToShow setting is invalid: {what_to_show!r}")
    req = Request(int(m[1]), m[2], bar, BAR_SECONDS[bar], what)
    span = req.amount * _UNIT_SECONDS[req.unit]
    limit = _SECOND_BAR_LIMITS.get(req.bar_seconds)
    if limit is not None and span > limit:
        raise HistoricalDataError(
            162,
            "Historical Market Data Service error message:Historical data requests for "
            f"bar size '{bar}' can cover at most {limit} seconds",
        )
    if span / req.bar_seconds > MAX_NOMINAL_BARS:
        raise HistoricalDataError(
            162, "Historical Market Data Service error message:Time length exceed max."
        )
    return req
