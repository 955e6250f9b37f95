"""Research history beyond bars: the earliest data of an instrument, its historical ticks
(time and sales, quotes, midpoints) and its traded volume by price."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Annotated

import msgspec
import msgspec.structs
from msgspec import UNSET, Meta, UnsetType

from domain.errors import InvalidRequest
from domain.validation import check_choice

TICK_TYPES = ("TRADES", "BID_ASK", "MIDPOINT")
HEAD_WHAT_TO_SHOW = ("TRADES", "MIDPOINT", "BID", "ASK", "BID_ASK", "ADJUSTED_LAST")
MAX_TICKS = 1000  # IB's limit per request
DEFAULT_TICKS = 100
_PERIOD = re.compile(r"^([1-9][0-9]{0,2}) (day|days|week|weeks|month|months|year|years)$")
_PERIOD_UNITS = {"d": "days", "w": "weeks", "m": "months", "y": "years"}


def parse_moment(value: str, field: str) -> datetime:
    """An ISO 8601 date-time; one without a zone is UTC."""
    try:
        moment = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        raise InvalidRequest(
            f"{field} must be an ISO 8601 date-time such as 2025-10-03T14:30:00Z; got {value!r}",
            field=field,
        ) from None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def normalise_period(value: str) -> str:
    """IB's histogram period: '<integer> days|weeks|months|years' ('1 week', '3 days')."""
    text = " ".join(value.split()).lower()
    number, _, unit = text.partition(" ")
    unit = _PERIOD_UNITS.get(unit, unit)
    text = f"{number} {unit}"
    match = _PERIOD.match(text)
    if match is None:
        raise InvalidRequest(
            "period must be '<integer> days|weeks|months|years', e.g. '3 days' or '1 week'; "
            f"got {value!r}",
            field="period",
        )
    if number == "1":
        text = text.rstrip("s")
    return text


class TicksQuery(msgspec.Struct, frozen=True, kw_only=True):
    """Ticks from ``start`` forward, or up to ``end`` backward (now when neither is given)."""

    contract_id: Annotated[int, Meta(gt=0)]
    what_to_show: str = "TRADES"
    start: datetime | None = None
    end: datetime | None = None
    count: int = DEFAULT_TICKS
    use_rth: bool = True

    def __post_init__(self) -> None:
        what = self.what_to_show.strip().upper()
        check_choice(what, TICK_TYPES, "what_to_show")
        msgspec.structs.force_setattr(self, "what_to_show", what)
        if self.start is not None and self.end is not None:
            raise InvalidRequest(
                "Give start (ticks from then on) or end (ticks up to then), not both",
                field="start",
            )
        if not 1 <= self.count <= MAX_TICKS:
            raise InvalidRequest(
                f"count must be 1 to {MAX_TICKS} (IB's limit per request); got {self.count}",
                field="count",
            )

    @property
    def forward(self) -> bool:
        return self.start is not None


class HistoricalTick(msgspec.Struct, frozen=True, kw_only=True):
    """One tick; a trade has price, size and exchange, a quote bid/ask and their sizes, a
    midpoint its price alone."""

    time: str  # ISO 8601, UTC, whole seconds
    price: float | UnsetType = UNSET
    size: float | UnsetType = UNSET
    exchange: str | UnsetType = UNSET
    bid: float | UnsetType = UNSET
    ask: float | UnsetType = UNSET
    bid_size: float | UnsetType = UNSET
    ask_size: float | UnsetType = UNSET


class HistoricalTicks(msgspec.Struct, frozen=True, kw_only=True):
    symbol: str
    contract_id: int
    what_to_show: str
    ticks: list[HistoricalTick]
    count: int
    # Where the next page starts: pass it as start (reading forward) or end (backward).
    next_start: str | UnsetType = UNSET
    next_end: str | UnsetType = UNSET
    message: str | UnsetType = UNSET


class HeadTimestamp(msgspec.Struct, frozen=True, kw_only=True):
    symbol: str
    contract_id: int
    what_to_show: str
    use_rth: bool
    earliest: str  # ISO 8601


class HistogramBucket(msgspec.Struct, frozen=True, kw_only=True):
    price: float
    volume: int


class Histogram(msgspec.Struct, frozen=True, kw_only=True):
    symbol: str
    contract_id: int
    period: str
    use_rth: bool
    buckets: list[HistogramBucket]  # by price, lowest first
