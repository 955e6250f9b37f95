"""Quotes and historical bars, and IB's grammar for asking for them."""

from __future__ import annotations

import math
import re
from datetime import datetime
from typing import Annotated

import msgspec
import msgspec.structs
from msgspec import UNSET, Meta, UnsetType

from domain.errors import InvalidRequest
from domain.validation import check_choice, check_good_till

BAR_SIZES = (
    "1 secs", "5 secs", "10 secs", "15 secs", "30 secs",
    "1 min", "2 mins", "3 mins", "5 mins", "10 mins", "15 mins", "20 mins", "30 mins",
    "1 hour", "2 hours", "3 hours", "4 hours", "8 hours",
    "1 day", "1 week", "1 month",
)  # fmt: skip
WHAT_TO_SHOW = (
    "TRADES", "MIDPOINT", "BID", "ASK", "BID_ASK", "ADJUSTED_LAST",
    "HISTORICAL_VOLATILITY", "OPTION_IMPLIED_VOLATILITY",
)  # fmt: skip
DURATION_UNITS = ("S", "D", "W", "M", "Y")
_DURATION = re.compile(r"^([1-9][0-9]{0,5}) ([SDWMY])$")
_BAR_ALIASES = {"1 sec": "1 secs", "1 mins": "1 min", "1 hours": "1 hour", "1 days": "1 day",
                "1 weeks": "1 week", "1 months": "1 month", "1 d": "1 day", "1 h": "1 hour",
                "1 w": "1 week"}  # fmt: skip
# Market data types as IB numbers them.
MARKET_DATA_TYPES = {1: "live", 2: "frozen", 3: "delayed", 4: "delayed_frozen"}


def normalise_duration(value: str) -> str:
    """IB's duration grammar: an integer, a space, one of S D W M Y (e.g. ``1 D``, ``3600 S``)."""
    text = " ".join(value.split()).upper()
    match = _DURATION.match(text)
    if not match:
        raise InvalidRequest(
            f"duration must be '<integer> <unit>' with unit S (seconds), D (days), W (weeks), "
            f"M (months) or Y (years), e.g. '1 D' or '3600 S'; got {value!r}",
            field="duration",
            accepted=list(DURATION_UNITS),
        )
    return text


def bar_size_word(value: str) -> str:
    """The canonical bar size a caller meant ('1 Mins' -> '1 min'); unknown ones lower-cased."""
    text = " ".join(value.split()).lower()
    return _BAR_ALIASES.get(text, text)


def normalise_bar_size(value: str) -> str:
    text = bar_size_word(value)
    check_choice(text, BAR_SIZES, "bar_size")
    return text


class Quote(msgspec.Struct, frozen=True, kw_only=True):
    """A market data snapshot; null where IB sent no value (no trade yet, market closed, ...)."""

    symbol: str
    last_price: float | None = None
    bid: float | None = None
    ask: float | None = None
    bid_size: float | None = None
    ask_size: float | None = None
    volume: float | None = None
    open: float | None = None
    high: float | None = None
    low: float | None = None
    close: float | None = None
    # When this data arrived from IB (not when it was asked for), and how old it was then.
    timestamp: datetime
    contract_id: int | UnsetType = UNSET
    age_seconds: float | UnsetType = UNSET
    # live, frozen, delayed or delayed_frozen: delayed means the account lacks a live subscription.
    market_data_type: str | UnsetType = UNSET
    # Options only: implied volatility and delta from IB's model.
    implied_volatility: float | UnsetType | None = UNSET
    delta: float | UnsetType | None = UNSET
    # Options read from a live line: the model's other greeks (vega per volatility point,
    # theta per day), the underlying price it used, and the open interest.
    gamma: float | UnsetType | None = UNSET
    vega: float | UnsetType | None = UNSET
    theta: float | UnsetType | None = UNSET
    underlying_price: float | UnsetType | None = UNSET
    open_interest: float | UnsetType | None = UNSET

    @property
    def has_price(self) -> bool:
        """True when IB sent at least one price (last, bid, ask, open, high, low or close)."""
        prices = (self.last_price, self.bid, self.ask, self.open, self.high, self.low, self.close)
        return any(p is not None and math.isfinite(p) for p in prices)


class TickersResult(msgspec.Struct, frozen=True, kw_only=True):
    tickers: list[Quote]
    # Contract ids that failed, with the reason, so one bad id does not sink the batch.
    errors: dict[str, str] = msgspec.field(default_factory=dict)


class HistoricalQuery(msgspec.Struct, frozen=True, kw_only=True):
    contract_id: Annotated[int, Meta(gt=0)]
    duration: str = "1 D"
    bar_size: str = "1 hour"
    what_to_show: str = "TRADES"
    use_rth: bool = True
    end_date_time: str = ""

    def __post_init__(self) -> None:
        msgspec.structs.force_setattr(self, "duration", normalise_duration(self.duration))
        msgspec.structs.force_setattr(self, "bar_size", normalise_bar_size(self.bar_size))
        what = self.what_to_show.strip().upper()
        check_choice(what, WHAT_TO_SHOW, "what_to_show")
        msgspec.structs.force_setattr(self, "what_to_show", what)
        if self.end_date_time:
            check_good_till(self.end_date_time, "end_date_time")


class Bar(msgspec.Struct, frozen=True, kw_only=True):
    """One bar; ``time`` is ISO 8601 (a date alone for daily and longer bars)."""

    time: str
    open: float
    high: float
    low: float
    close: float
    volume: float
    count: int | None = None
    wap: float | None = None


class HistoricalData(msgspec.Struct, frozen=True, kw_only=True):
    symbol: str
    bars: list[Bar]
    contract_id: int | UnsetType = UNSET
    truncated: bool | UnsetType = UNSET
    message: str | UnsetType = UNSET
    # Set when the answer is one page of more bars (``limit``): how many in all, and the
    # ``cursor`` that reads the older ones.
    total: int | UnsetType = UNSET
    next_cursor: str | UnsetType = UNSET
