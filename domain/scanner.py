"""Market scanners: a query, its ranked results, and what the gateway supports."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Annotated

import msgspec
from msgspec import UNSET, Meta, UnsetType

from domain.errors import InvalidRequest

_FILTER_CODE = re.compile(r"^([A-Za-z][A-Za-z_]*?)(-?[0-9]+(?:\.[0-9]+)?)$")
_FILTER_PAIR = re.compile(r"^([A-Za-z][A-Za-z0-9_]*)=(.+)$")

NonNegative = Annotated[float, Meta(ge=0)]


def parse_filter_codes(text: str) -> dict[str, str]:
    """``priceAbove5,volume_avg_1000`` or ``priceAbove=5`` -> IB scanner filter tags."""
    filters: dict[str, str] = {}
    for raw in text.split(","):
        item = raw.strip()
        if not item:
            continue
        match = _FILTER_PAIR.match(item) or _FILTER_CODE.match(item)
        if not match:
            raise InvalidRequest(
                f"filter code {item!r} must be '<name><number>' (priceAbove5) or '<name>=<value>'",
                field="filter_codes",
            )
        name = match[1].rstrip("_")
        filters[name] = match[2]
    return filters


class ScanQuery(msgspec.Struct, frozen=True, kw_only=True):
    instrument: str = "STK"
    location_code: str = "STK.US.MAJOR"
    scan_code: str = "MOST_ACTIVE"
    filters: dict[str, str] = msgspec.field(default_factory=dict)
    above_price: NonNegative | None = None
    below_price: NonNegative | None = None
    above_volume: Annotated[int, Meta(ge=0)] | None = None
    market_cap_above: NonNegative | None = None
    market_cap_below: NonNegative | None = None
    rows: Annotated[int, Meta(ge=1, le=50)] = 50

    def __post_init__(self) -> None:
        if (
            self.above_price is not None
            and self.below_price is not None
            and self.above_price >= self.below_price
        ):
            raise InvalidRequest("above_price must be below below_price", field="above_price")


class ScanResult(msgspec.Struct, frozen=True, kw_only=True):
    contract_id: int
    symbol: str
    sec_type: str
    exchange: str
    last_price: float | None = None
    change_percent: float | None = None
    volume: float | None = None
    market_cap: float | None = None
    pe_ratio: float | None = None
    sector: str | None = None
    rank: int | UnsetType = UNSET


class ScanResults(msgspec.Struct, frozen=True, kw_only=True):
    scan_results: list[ScanResult]
    scan_time: datetime
    scan_code: str | UnsetType = UNSET


class ScannerParameters(msgspec.Struct, frozen=True, kw_only=True):
    """What the gateway's scanners accept (a digest of IB's scanner parameters XML)."""

    instruments: list[str]
    location_codes: list[str]
    scan_codes: list[str]
    filters: list[str] = msgspec.field(default_factory=list)
