"""Option chains with quotes and greeks, and IB's option calculators.

A chain query picks the contracts of one chain (expirations, a strike range, a right, a
distance from the money); at most ``MAX_CONTRACTS`` may match, answered a page at a time
(``limit``, ``cursor``). Each answered contract is one compact row, sized so that a page of
100 stays well under 20 KB of JSON.
"""

from __future__ import annotations

import re
from typing import Annotated

import msgspec
import msgspec.structs
from msgspec import UNSET, Meta, UnsetType

from domain.contract import normalise_right
from domain.errors import InvalidRequest
from domain.validation import check_expiry

MAX_CONTRACTS = 100  # per filter, and so per answer
MAX_EXPIRATIONS = 12
MAX_VOLATILITY = 5.0  # 500%: IB's calculators take volatility as a fraction
_CURSOR = re.compile(r"^([0-9]{8}):([0-9]+(?:\.[0-9]+)?):([CP])$")

ChainKey = tuple[str, float, str]  # (expiry, strike, right): the order of a chain's rows


def cursor_of(key: ChainKey) -> str:
    """The cursor after a row: its expiry, strike and right (``20250321:230:C``)."""
    expiry, strike, right = key
    return f"{expiry}:{strike:g}:{right}"


def parse_cursor(value: str) -> ChainKey:
    match = _CURSOR.match(value.strip())
    if match is None:
        raise InvalidRequest(
            f"cursor must be the next_cursor of an earlier answer (EXPIRY:STRIKE:RIGHT, e.g. "
            f"20250321:230:C); got {value!r}",
            field="cursor",
        )
    return match[1], float(match[2]), match[3]


class ChainQuotesQuery(msgspec.Struct, frozen=True, kw_only=True):
    """Which contracts of one option chain to quote; every filter is optional."""

    underlying_symbol: str
    underlying_sec_type: str = "STK"
    underlying_con_id: Annotated[int, Meta(ge=0)] = 0
    exchange: str = "SMART"
    trading_class: str = ""
    # Empty: the nearest expiration of the chain.
    expirations: list[str] = msgspec.field(default_factory=list)
    strike_min: float | None = None
    strike_max: float | None = None
    right: str = ""  # C, P, or both when empty
    # Strikes within this percentage of the underlying's price.
    max_distance_pct: float | None = None
    limit: int = MAX_CONTRACTS
    cursor: str | None = None

    def __post_init__(self) -> None:
        if not self.underlying_symbol.strip():
            raise InvalidRequest("underlying_symbol is required", field="underlying_symbol")
        for name in ("underlying_symbol", "underlying_sec_type", "exchange", "trading_class"):
            msgspec.structs.force_setattr(self, name, getattr(self, name).strip().upper())
        if self.underlying_sec_type == "FUT":
            # Options on futures are FOP at IB and are not looked up here yet: refuse rather
            # than answer an empty chain as if nothing were listed.
            raise InvalidRequest(
                "Quotes for options on futures (FOP) are not offered yet: list the chain with "
                "get_options_chain and quote its contracts with get_tickers",
                field="underlying_sec_type",
                accepted=["STK", "IND"],
            )
        if len(self.expirations) > MAX_EXPIRATIONS:
            raise InvalidRequest(
                f"At most {MAX_EXPIRATIONS} expirations per call; got {len(self.expirations)}",
                field="expirations",
            )
        for expiry in self.expirations:
            check_expiry(expiry, "expirations")
            if len(expiry) != 8:
                raise InvalidRequest(
                    f"expirations are YYYYMMDD, as the chain lists them; got {expiry!r}",
                    field="expirations",
                )
        low, high = self.strike_min, self.strike_max
        for name, value in (("strike_min", low), ("strike_max", high)):
            if value is not None and not value > 0:
                raise InvalidRequest(f"{name} must be positive; got {value:g}", field=name)
        if low is not None and high is not None and low > high:
            raise InvalidRequest(
                f"strike_min {low:g} is above strike_max {high:g}", field="strike_min"
            )
        distance = self.max_distance_pct
        if distance is not None and not 0 < distance <= 100:
            raise InvalidRequest(
                f"max_distance_pct must be above 0 and at most 100 (percent of the "
                f"underlying's price); got {distance:g}",
                field="max_distance_pct",
            )
        if not 1 <= self.limit <= MAX_CONTRACTS:
            raise InvalidRequest(
                f"limit must be 1 to {MAX_CONTRACTS}; got {self.limit}", field="limit"
            )
        msgspec.structs.force_setattr(self, "right", normalise_right(self.right))
        if self.cursor is not None:
            parse_cursor(self.cursor)

    @property
    def after(self) -> ChainKey | None:
        return parse_cursor(self.cursor) if self.cursor else None


class OptionQuote(msgspec.Struct, frozen=True, kw_only=True, omit_defaults=True):
    """One option's quote and IB's model greeks (a value IB sent none of is left out).

    ``iv`` is the model's implied volatility (0.25 = 25% a year); ``vega`` per volatility
    point and ``theta`` per calendar day, in the option's price units, as IB reports them.
    ``con_id`` is the option's contract id, as get_options_chain lists it."""

    con_id: int
    bid: float | None = None
    ask: float | None = None
    last: float | None = None
    volume: int | None = None
    open_interest: int | None = None
    iv: float | None = None
    delta: float | None = None
    gamma: float | None = None
    vega: float | None = None
    theta: float | None = None


class StrikeQuotes(msgspec.Struct, frozen=True, kw_only=True, omit_defaults=True):
    """A strike's call and put (the ones the filter and the page hold)."""

    strike: float
    call: OptionQuote | None = None
    put: OptionQuote | None = None


class ExpiryQuotes(msgspec.Struct, frozen=True, kw_only=True):
    expiry: str  # YYYYMMDD
    strikes: list[StrikeQuotes]  # lowest first


class OptionChainQuotes(msgspec.Struct, frozen=True, kw_only=True):
    """A page of a chain's contracts with quotes, as a chain table: by expiry, then strike,
    call beside put. ``count`` and ``total`` count contracts; ``next_cursor`` continues."""

    underlying_symbol: str
    underlying_contract_id: int
    underlying_price: float | None
    exchange: str
    trading_class: str
    multiplier: str | UnsetType = UNSET
    # Contracts the filter selects (some strikes may not be listed for every expiry).
    total: int
    count: int
    expirations: list[ExpiryQuotes]
    next_cursor: str | UnsetType = UNSET
    market_data_type: str | UnsetType = UNSET
    # Set when some contracts could not be quoted or listed, and why.
    message: str | UnsetType = UNSET


def chain_table(rows: list[tuple[ChainKey, OptionQuote]]) -> list[ExpiryQuotes]:
    """Rows in chain order, as expirations of strikes with their call and put."""
    table: dict[str, dict[float, dict[str, OptionQuote]]] = {}
    for (expiry, strike, right), quote in rows:
        table.setdefault(expiry, {}).setdefault(strike, {})["call" if right == "C" else "put"] = (
            quote
        )
    return [
        ExpiryQuotes(
            expiry=expiry,
            strikes=[StrikeQuotes(strike=strike, **sides) for strike, sides in strikes.items()],
        )
        for expiry, strikes in table.items()
    ]


def chain_rows(table: list[ExpiryQuotes]) -> list[tuple[ChainKey, OptionQuote]]:
    """A chain table back as rows in chain order."""
    return [
        ((e.expiry, s.strike, right), quote)
        for e in table
        for s in e.strikes
        for right, quote in (("C", s.call), ("P", s.put))
        if quote is not None
    ]


class OptionGreeks(msgspec.Struct, frozen=True, kw_only=True):
    """What IB's option calculators answer; None where IB could not compute a value."""

    implied_volatility: float | None = None
    option_price: float | None = None
    underlying_price: float | None = None
    delta: float | None = None
    gamma: float | None = None
    vega: float | None = None
    theta: float | None = None


class OptionCalculation(msgspec.Struct, frozen=True, kw_only=True):
    """An option calculator's answer for one option contract (IB's model, at the given
    underlying price): the volatility and the price, with the greeks at them."""

    contract_id: int
    symbol: str
    implied_volatility: float
    option_price: float
    underlying_price: float
    delta: float | None = None
    gamma: float | None = None
    vega: float | None = None
    theta: float | None = None


def check_option_price(value: float) -> None:
    if not value > 0:
        raise InvalidRequest(f"option_price must be positive; got {value:g}", field="option_price")


def check_underlying_price(value: float | None) -> None:
    if value is not None and not value > 0:
        raise InvalidRequest(
            f"underlying_price must be positive (or left out for the current one); got {value:g}",
            field="underlying_price",
        )


def check_volatility(value: float) -> None:
    if not 0 < value <= MAX_VOLATILITY:
        raise InvalidRequest(
            f"volatility is a yearly fraction above 0 and at most {MAX_VOLATILITY:g} (0.25 "
            f"for 25%); got {value:g}",
            field="volatility",
        )
